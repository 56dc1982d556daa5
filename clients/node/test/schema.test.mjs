// The Node client's method table and declarations match schema/openrpc.json: a method added to (or removed
// from) the schema fails here until `python3 scripts/clients-gen.py` is run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";

import { Client, METHODS, TIME_FIELDS } from "../taskwire.mjs";
import { REPO, echo, fakeServer } from "./helpers.mjs";

const schema = JSON.parse(readFileSync(path.join(REPO, "schema", "openrpc.json"), "utf8"));
const declarations = readFileSync(path.join(REPO, "clients", "node", "taskwire.d.ts"), "utf8");
const camel = (part) => part.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

test("METHODS lists exactly the schema's methods with their params", () => {
    assert.deepEqual(Object.keys(METHODS).sort(), schema.methods.map((m) => m.name).sort());
    for (const method of schema.methods) {
        const params = method.params ?? [];
        assert.deepEqual(METHODS[method.name].params, params.map((p) => p.name), method.name);
        assert.deepEqual(METHODS[method.name].required, params.filter((p) => p.required).map((p) => p.name), method.name);
    }
    assert.ok(TIME_FIELDS.has("created_at") && TIME_FIELDS.has("due_date") && !TIME_FIELDS.has("title"));
});

test("every method is a function on the client that calls it by name", async (t) => {
    const { client } = fakeServer(t, echo);
    for (const method of schema.methods) {
        let owner = client;
        for (const part of method.name.split(".").map(camel)) owner = owner?.[part];
        assert.equal(typeof owner, "function", method.name);
        const required = Object.fromEntries((method.params ?? []).filter((p) => p.required).map((p) => [p.name, "v"]));
        const reply = await owner(required);
        assert.equal(reply.method, method.name);
    }
    assert.equal((await client.ping()).params, null);
    assert.deepEqual((await client.tasks.list({ status: "pending" })).params, { status: "pending" });
});

test("the declarations have a params interface and a signature for every method", () => {
    for (const method of schema.methods) {
        const iface = method.name.split(".").map((p) => camel(p)[0].toUpperCase() + camel(p).slice(1)).join("") + "Params";
        const block = declarations.match(new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`));
        assert.ok(block, `${iface} missing`);
        for (const param of method.params ?? []) {
            assert.match(block[1], new RegExp(`\\n    ${param.name}${param.required ? "" : "\\?"}: `), `${method.name} ${param.name}`);
        }
        const leaf = camel(method.name.split(".").at(-1));
        assert.match(declarations, new RegExp(`\\n    ${leaf}\\(params\\??: ${iface}, options\\?: CallOptions\\)`), method.name);
    }
});

test("a schema name that would shadow a client member is refused", () => {
    // notifications is the one namespace named like a client method: calling it is that method.
    const callable = new Set(["notifications"]);
    const first = (name) => name.split(".")[0];
    assert.ok(!Object.keys(METHODS).some((name) => !callable.has(first(name)) && first(name) in Client.prototype));
});

test("client.notifications streams when called and holds the notifications.* calls", () => {
    const client = new Client(new PassThrough(), new PassThrough());
    assert.equal(typeof client.notifications, "function");
    assert.equal(typeof client.notifications.list, "function");
    assert.equal(typeof client.notifications.markRead, "function");
    const stream = client.notifications({ methods: ["notifications.notification"] });
    assert.equal(typeof stream[Symbol.asyncIterator], "function");
});

test("the JavaScript examples in docs/clients.md call real methods with real params", () => {
    const doc = readFileSync(path.join(REPO, "docs", "clients.md"), "utf8");
    const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(blocks.length >= 4);
    const byPath = new Map(Object.keys(METHODS).map((name) => [name.split(".").map(camel).join("."), name]));
    const problems = [];
    const check = (name, params) => {
        if (name.startsWith("no.")) return; // called on purpose to show MethodNotFound
        if (!(name in METHODS)) return problems.push(`unknown method ${name}`);
        for (const key of params) if (!METHODS[name].params.includes(key)) problems.push(`${name} has no param ${key}`);
    };
    const keys = (text) => [...(text ?? "").matchAll(/([a-z_]+):/g)].map((m) => m[1]);
    let found = 0;
    for (const code of blocks) {
        for (const m of code.matchAll(/\b(?:client|remote)\.((?:[a-z][A-Za-z]*\.)+[a-z][A-Za-z]*)\((\{[^}]*\})?/g)) {
            found++;
            if (!byPath.has(m[1])) problems.push(`unknown method path ${m[1]}`);
            else check(byPath.get(m[1]), keys(m[2]));
        }
        for (const m of code.matchAll(/\.(?:call|notify)\("([^"]+)"(?:, (\{[^}]*\}))?/g)) {
            found++;
            check(m[1], keys(m[2]));
        }
        for (const m of code.matchAll(/\["([a-z.]+)"/g)) check(m[1], []);
    }
    assert.ok(found >= 8, `only ${found} calls found`);
    assert.deepEqual(problems, []);
});
