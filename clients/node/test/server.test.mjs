// The Node client against the real binary over stdio, in both framings.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
    Client, ConnectionClosed, Conflict, InvalidParams, MethodNotFound, NotFound, TaskwireError, TaskwireTimeout,
    TooLarge, parseTime,
} from "../taskwire.mjs";
import { WAIT, binary, freeze, spawnServer, tempDir } from "./helpers.mjs";

for (const framing of ["ndjson", "lsp"]) {
    test(`${framing}: calls, typed helpers and multibyte text`, async (t) => {
        const client = spawnServer(t, { framing });
        assert.deepEqual(await client.ping(), {});
        const info = await client.server.info();
        assert.equal(info.name, "taskwire");
        assert.equal(info.framing, framing);
        const title = "tâche ✓ 日本 🚀";
        const task = await client.tasks.create({ title, priority: "high", tags: ["support"] });
        assert.equal(task.title, title);
        await client.tasks.comments.add({ task_id: task.task_id, text: "On it" });
        const listed = await client.tasks.list({ tags: "support" });
        assert.equal(listed.total, 1);
        assert.equal((await client.tasks.comments.list({ task_id: task.task_id })).comments[0].text, "On it");
    });

    test(`${framing}: a batch mixes results and errors in order, notifications get no reply`, async (t) => {
        const client = spawnServer(t, { framing });
        const batch = client.batch();
        const created = batch.call("tasks.create", { title: "In a batch" });
        const missing = batch.call("tasks.get", { task_id: "tsk_0000000000000" });
        batch.notify("ping");
        const unknown = batch.call("no.such.method");
        const pong = batch.call("ping");
        await batch.send();
        assert.ok((await created).task_id.startsWith("tsk_"));
        await assert.rejects(missing, NotFound);
        await assert.rejects(unknown, MethodNotFound);
        assert.deepEqual(await pong, {});
        const outcomes = await client.callBatch([["ping"], ["tasks.get", { task_id: "tsk_0000000000000" }], ["tasks.list", {}]]);
        assert.deepEqual(outcomes[0], {});
        assert.ok(outcomes[1] instanceof NotFound && outcomes[1].error === "task_not_found");
        assert.equal(outcomes[2].total, 1);
    });
}

test("errors by class, with code, message, data.error and field", async (t) => {
    const client = spawnServer(t);
    const missing = await client.tasks.get({ task_id: "tsk_0000000000000" }).catch((e) => e);
    assert.ok(missing instanceof NotFound && missing instanceof TaskwireError && missing instanceof Error);
    assert.equal(missing.code, 404);
    assert.equal(missing.error, "task_not_found");
    assert.equal(missing.message, "Task tsk_0000000000000 not found");
    assert.deepEqual(missing.data, { error: "task_not_found", task_id: "tsk_0000000000000" });
    const typo = await client.call("tasks.create", { title: "x", titel: "x" }).catch((e) => e);
    assert.ok(typo instanceof InvalidParams);
    assert.equal(typo.field, "titel");
    const priority = await client.tasks.create({ title: "x", priority: "urgent" }).catch((e) => e);
    assert.equal(priority.error, "invalid_priority");
    const task = await client.tasks.create({ title: "x" });
    const early = await client.tasks.complete({ task_id: task.task_id }).catch((e) => e);
    assert.ok(early instanceof Conflict && early.error === "invalid_transition");
    await assert.rejects(client.call("no.such.method"), (e) => e instanceof MethodNotFound && e.code === -32601);
});

test("a frame over the server's --max-frame-bytes fails the call with TooLarge; locally too", async (t) => {
    const client = spawnServer(t, { args: ["--in-memory", "--max-frame-bytes", "4096"] });
    const big = "x".repeat(8192);
    const refused = await client.tasks.create({ title: "t", description: big }).catch((e) => e);
    assert.ok(refused instanceof TooLarge && refused.error === "too_large", String(refused));
    assert.deepEqual(await client.ping(), {});
    const local = spawnServer(t, { maxFrameBytes: 1000 });
    await assert.rejects(local.tasks.create({ title: big }), (e) => e instanceof TooLarge && e.code === 413);
    assert.deepEqual(await local.ping(), {});
});

test("Dates go out as RFC 3339; parseTimes gives Dates back", async (t) => {
    const client = spawnServer(t, { parseTimes: true });
    const due = new Date(Date.UTC(2040, 4, 6, 7, 8, 9));
    const task = await client.tasks.create({ title: "Times", due_date: due });
    assert.ok(task.due_date instanceof Date && task.created_at instanceof Date);
    assert.equal(task.due_date.getTime(), due.getTime());
    assert.equal(task.completed_at, null);
    const raw = spawnServer(t);
    const plain = await raw.tasks.create({ title: "Raw", due_date: due.getTime() / 1000 });
    assert.equal(plain.due_date, "2040-05-06T07:08:09Z");
    assert.equal(parseTime(plain.due_date).getTime(), due.getTime());
    assert.equal(parseTime("2024-01-15T12:00:00.5+02:00").toISOString(), "2024-01-15T10:00:00.500Z");
    assert.throws(() => parseTime("2024-01-15"), RangeError);
});

test("a timeout rejects, cancels, and the client stays usable", async (t) => {
    const client = spawnServer(t);
    await client.ping();
    await freeze(client.process);
    try {
        const late = await client.ping(undefined, { timeout: 100 }).catch((e) => e);
        assert.ok(late instanceof TaskwireTimeout && late.requestId > 0, String(late));
    } finally {
        process.kill(client.process.pid, "SIGCONT");
    }
    assert.deepEqual(await client.ping(), {});
});

test("close ends the child; a killed server fails pending and later calls", async (t) => {
    const client = spawnServer(t);
    await client.ping();
    const child = client.process;
    await client.close();
    assert.equal(child.exitCode, 0);
    await assert.rejects(client.ping(), ConnectionClosed);

    const other = spawnServer(t);
    await other.ping();
    await freeze(other.process);
    const pending = other.ping();
    other.process.kill("SIGKILL");
    await assert.rejects(pending, ConnectionClosed);
    await assert.rejects(other.ping(), ConnectionClosed);
    assert.ok(other.closed);
});

test("a frozen child is terminated by close after closeTimeout", async (t) => {
    const client = spawnServer(t, { closeTimeout: 200 });
    await client.ping();
    await freeze(client.process);
    const started = Date.now();
    await client.close();
    assert.ok(client.process.signalCode === "SIGKILL" || client.process.signalCode === "SIGTERM");
    assert.ok(Date.now() - started < WAIT);
});

test("a binary that cannot start rejects calls with ConnectionClosed", async (t) => {
    const client = Client.spawn(`${tempDir(t)}/missing`, { stderr: "ignore" });
    await assert.rejects(client.ping(), (e) => e instanceof ConnectionClosed && /could not run|closed/.test(e.message));
    await client.close();
});

test("data directory: what is written survives a restart", async (t) => {
    const dataDir = `${tempDir(t)}/data`;
    const first = spawnServer(t, { args: ["--data-dir", dataDir] });
    const { task_id: id } = await first.tasks.create({ title: "Durable" });
    await first.close();
    const second = spawnServer(t, { args: ["--data-dir", dataDir] });
    assert.equal((await second.tasks.get({ task_id: id })).title, "Durable");
    assert.ok(binary());
});
