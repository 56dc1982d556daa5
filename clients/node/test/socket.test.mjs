// Over a Unix socket with tokens from `taskwire token create`: login, 401, 403, 429, both framings.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Client, PermissionDenied, RateLimited, Unauthorized } from "../taskwire.mjs";
import { WAIT, socketServer, tempDir } from "./helpers.mjs";

async function connect(t, socket, options = {}) {
    const client = await Client.connectUnix(socket, { timeout: WAIT, ...options });
    t.after(() => client.close());
    return client;
}

test("a socket starts unauthenticated and logs in with a token", async (t) => {
    const { socket, tokens } = await socketServer(t);
    for (const framing of ["ndjson", "lsp"]) {
        const client = await connect(t, socket, { framing });
        assert.equal((await client.server.info()).transport, "unix");
        const refused = await client.tasks.list().catch((e) => e);
        assert.ok(refused instanceof Unauthorized && refused.code === 401 && refused.error === "unauthorized");
        await assert.rejects(client.auth.login({ token: "tw_wrong" }), Unauthorized);
        await client.auth.login({ token: tokens.ann });
        assert.equal((await client.auth.whoami()).user_id, "ann");
        const task = await client.createTask("From the socket");
        assert.equal((await client.tasks.get({ task_id: task })).created_by, "ann");
    }
});

test("permissions and rate limits come back as their classes", async (t) => {
    const { socket, tokens } = await socketServer(t, ["--rate-limit", "create=2/hour"]);
    const ann = await connect(t, socket);
    await ann.auth.login({ token: tokens.ann });
    const bob = await connect(t, socket);
    await bob.auth.login({ token: tokens.bob });
    const id = await ann.createTask("Ann's");
    const denied = await bob.tasks.update({ task_id: id, progress: 5 }).catch((e) => e);
    assert.ok(denied instanceof PermissionDenied && denied.code === 403 && denied.error === "permission_denied");
    await ann.createTask("second");
    const limited = await ann.createTask("third").catch((e) => e);
    assert.ok(limited instanceof RateLimited && limited.code === 429, String(limited));
    assert.ok(limited.retryAfter > 0);
    const root = await connect(t, socket);
    await root.auth.login({ token: tokens.root });
    assert.equal((await root.users.get({ user_id: "ann" })).role, "member");
});

test("connectUnix waits for a server that is still starting, and fails without one", async (t) => {
    const dir = tempDir(t);
    const started = Date.now();
    await assert.rejects(Client.connectUnix(`${dir}/none.sock`, { wait: 100 }), (e) => e.code === "ENOENT");
    assert.ok(Date.now() - started >= 90);
    await assert.rejects(Client.connectUnix(`${dir}/none.sock`), (e) => e.code === "ENOENT");
});

test("a batch over the socket", async (t) => {
    const { socket, tokens } = await socketServer(t);
    const client = await connect(t, socket, { framing: "lsp" });
    // Members of one batch may run in any order, so log in before it.
    await client.auth.login({ token: tokens.root });
    const [whoami, missing, listed] = await client.callBatch([
        ["auth.whoami", {}],
        ["users.get", { user_id: "nobody" }],
        ["tasks.list", { limit: 1 }],
    ]);
    assert.equal(whoami.user_id, "root");
    assert.equal(listed.total, 0);
    assert.equal(missing.code, 404);
});
