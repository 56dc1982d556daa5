// The client against a scripted peer: notifications, id-null errors, timeouts, requests from the server.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
    ConnectionClosed, InvalidParams, MethodNotFound, ParseError, RateLimited, TaskwireError, TaskwireTimeout, TooLarge,
    errorFromResponse,
} from "../taskwire.mjs";
import { echo, fakeServer } from "./helpers.mjs";

const push = (server, method, params) => server.send({ jsonrpc: "2.0", method, params });

test("notifications: async iterator, callback and event, in order", async (t) => {
    const seen = [];
    const { server, client } = fakeServer(t, echo, { onNotification: (method) => seen.push(method) });
    const emitted = [];
    client.on("notification", (method, params) => emitted.push(params));
    const stream = client.notifications();
    for (let n = 0; n < 3; n++) push(server, "events.event", { n });
    push(server, "other.thing", null);
    const got = [];
    for await (const note of stream) {
        got.push(note);
        if (got.length === 4) break; // leaving the loop closes the stream
    }
    assert.deepEqual(got.map((n) => n.method), ["events.event", "events.event", "events.event", "other.thing"]);
    assert.deepEqual(got[1], { method: "events.event", params: { n: 1 } });
    assert.deepEqual(seen, ["events.event", "events.event", "events.event", "other.thing"]);
    assert.deepEqual(emitted.slice(0, 3), [{ n: 0 }, { n: 1 }, { n: 2 }]);
    assert.equal((await client.ping()).method, "ping");
});

test("a stream filters, times out, drops the oldest past maxsize, and ends with the connection", async (t) => {
    const { server, client } = fakeServer(t, echo);
    const stream = client.notifications({ methods: ["b"], maxsize: 2 });
    await assert.rejects(stream.get(20), TaskwireTimeout);
    for (const method of ["a", "b", "b", "b"]) push(server, method, method);
    await client.ping();
    assert.equal(stream.dropped, 1);
    assert.equal((await stream.get(1000)).method, "b");
    const waiting = stream.get();
    const iterated = [];
    const all = client.notifications();
    const done = (async () => { for await (const note of all) iterated.push(note.method); })();
    push(server, "c", 1);
    await client.ping();
    server.disconnect();
    await done;
    assert.deepEqual(iterated, ["c"]);
    assert.equal((await waiting).method, "b"); // the buffered one
    await assert.rejects(stream.get(), ConnectionClosed);
    await assert.rejects(client.ping(), ConnectionClosed);
});

test("events yield event params and remember the cursor", async (t) => {
    const { server, client } = fakeServer(t, echo, { parseTimes: true });
    const events = client.eventStream();
    assert.equal(events.cursor, null);
    push(server, "events.event", { cursor: "c1", type: "task_created", at: "2024-01-15T10:00:00Z" });
    push(server, "something.else", { cursor: "nope" });
    push(server, "events.event", { cursor: "c2", type: "task_updated" });
    const first = await events.get(1000);
    assert.equal(first.type, "task_created");
    assert.ok(first.at instanceof Date);
    assert.equal(events.cursor, "c1");
    const { value } = await events.next();
    assert.equal(value.cursor, "c2");
    assert.equal(events.cursor, "c2");
    events.close();
    assert.equal((await events.next()).done, true);
});

test("a timeout sends $/cancelRequest and drops the late reply", async (t) => {
    const held = [];
    const { server, client } = fakeServer(t, (m) => { if (m.method === "slow") held.push(m); else return echo(m); });
    const late = await client.call("slow", {}, { timeout: 30 }).catch((e) => e);
    assert.ok(late instanceof TaskwireTimeout);
    assert.ok(server.received.some((m) => m.method === "$/cancelRequest" && m.params.id === late.requestId));
    server.send({ jsonrpc: "2.0", id: held[0].id, result: "too late" });
    assert.equal((await client.call("fast")).method, "fast");
});

test("an error with id null fails the only outstanding call, or a whole refused batch", async (t) => {
    const { server, client } = fakeServer(t, () => undefined);
    const one = client.call("a");
    await server.next();
    server.send({ jsonrpc: "2.0", id: null, error: { code: 413, message: "Too big", data: { error: "too_large" } } });
    await assert.rejects(one, TooLarge);

    const batch = client.batch();
    const members = [batch.call("x"), batch.call("y")];
    const sent = batch.send();
    await server.next();
    server.send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error", data: { error: "parse_error" } } });
    for (const member of members) await assert.rejects(member, ParseError);
    await sent;
});

test("with several frames outstanding, an id-null error goes to the oldest unanswered one", async (t) => {
    const { server, client } = fakeServer(t, () => undefined);
    const batch = client.batch();
    const answered = batch.call("first");
    const stillWaiting = batch.call("second");
    const sentBatch = batch.send();
    const [m1] = await server.next();
    const single = client.call("third");
    await server.next();
    server.send({ jsonrpc: "2.0", id: m1.id, result: 1 });
    assert.equal(await answered, 1);
    server.send({ jsonrpc: "2.0", id: null, error: { code: 413, message: "Too big" } });
    await assert.rejects(single, TooLarge);
    server.send({ jsonrpc: "2.0", id: m1.id + 1, result: 2 });
    assert.equal(await stillWaiting, 2);
    await sentBatch;
});

test("a request from the server is answered with method_not_found", async (t) => {
    const { server } = fakeServer(t, () => undefined);
    server.send({ jsonrpc: "2.0", id: "s1", method: "client.do" });
    const reply = await server.next();
    assert.equal(reply.id, "s1");
    assert.equal(reply.error.code, -32601);
});

test("errorFromResponse picks the class by code", () => {
    assert.ok(errorFromResponse({ code: -32601, message: "m" }) instanceof MethodNotFound);
    const bad = errorFromResponse({ code: -32602, message: "m", data: { error: "invalid_params", field: "f" } });
    assert.ok(bad instanceof InvalidParams && bad.field === "f");
    const slow = errorFromResponse({ code: 429, message: "m", data: { retry_after_seconds: 12 } });
    assert.ok(slow instanceof RateLimited && slow.retryAfter === 12);
    const odd = errorFromResponse({ code: 418, message: "teapot" });
    assert.equal(odd.constructor, TaskwireError);
    assert.equal(odd.error, null);
    assert.match(String(bad), /InvalidParams: \[-32602 invalid_params\] m/);
});
