// client.subscribeEvents against the real binary: events in order, resume with since on a new process.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import { Conflict, CursorExpired, TaskwireTimeout } from "../taskwire.mjs";
import { WAIT, spawnServer, tempDir } from "./helpers.mjs";

async function take(sub, count) {
    const events = [];
    for (let i = 0; i < count; i++) events.push(await sub.get(WAIT));
    return events;
}

const titles = (events) => events.map((event) => event.object.title);

async function assertQuiet(sub) {
    await assert.rejects(sub.get(300), TaskwireTimeout);
}

test("subscribeEvents yields task_created events in order", async (t) => {
    const client = spawnServer(t);
    const sub = client.subscribeEvents({ types: ["task_created"] });
    await sub.ready;
    for (let n = 0; n < 5; n++) await client.call("tasks.create", { title: `task ${n}` });
    const events = await take(sub, 5);
    assert.deepEqual(events.map((event) => event.type), Array(5).fill("task_created"));
    assert.deepEqual(titles(events), [0, 1, 2, 3, 4].map((n) => `task ${n}`));
    assert.equal(sub.cursor, events[4].id);
    await assertQuiet(sub);
    await sub.close();
});

test("subscribeEvents with since resumes on a new process with no gap and no duplicate", async (t) => {
    const args = ["--data-dir", path.join(tempDir(t), "data")];
    const first = spawnServer(t, { args });
    const sub = first.subscribeEvents({ types: ["task_created"] });
    await sub.ready;
    for (let n = 0; n < 3; n++) await first.call("tasks.create", { title: `before ${n}` });
    const seen = await take(sub, 3);
    assert.equal(sub.cursor, seen[2].id);
    await first.call("tasks.create", { title: "missed 0" });
    await first.call("tasks.create", { title: "missed 1" });
    await first.close();

    const second = spawnServer(t, { args });
    const resumed = second.subscribeEvents({ types: ["task_created"], since: sub.cursor });
    await resumed.ready;
    assert.deepEqual(titles(await take(resumed, 2)), ["missed 0", "missed 1"]);
    await second.call("tasks.create", { title: "live 0" });
    const live = await take(resumed, 1);
    assert.deepEqual(titles(live), ["live 0"]);
    await assertQuiet(resumed);
    await resumed.close();

    const again = sub.resume(second);
    const events = await take(again, 3);
    assert.deepEqual(titles(events), ["missed 0", "missed 1", "live 0"]);
    assert.equal(new Set(events.map((event) => event.id)).size, 3);
    await again.close();
});

test("an overflow is caught up from resume_cursor without gap or duplicate", async (t) => {
    const client = spawnServer(t);
    const sub = client.subscribeEvents({ types: ["task_created"] });
    await sub.ready;
    await client.call("tasks.create", { title: "t0" });
    await client.call("tasks.create", { title: "t1" });
    const first = await take(sub, 1);
    const oldId = sub.subscriptionId;
    await client.call("events.unsubscribe", { subscription_id: oldId });
    for (let n = 2; n < 6; n++) await client.call("tasks.create", { title: `t${n}` });
    // What the server sends when the connection falls behind; t1 is then paged again and skipped.
    for (const stream of client.streams) {
        stream._push({
            method: "events.subscription_ended",
            params: { subscription_id: oldId, reason: "overflow", resume_cursor: first[0].id },
        });
    }
    const caught = await take(sub, 5);
    assert.deepEqual(titles(caught), ["t1", "t2", "t3", "t4", "t5"]);
    assert.notEqual(sub.subscriptionId, oldId);
    await client.call("tasks.create", { title: "t6" });
    assert.deepEqual(titles(await take(sub, 1)), ["t6"]);
    await assertQuiet(sub);
    await sub.close();
});

/** Resolves once the server's log (a piped stderr) has a line containing `text`; rejects after `ms`. */
function logLine(stream, text, ms) {
    return new Promise((resolve, reject) => {
        let seen = "";
        const timer = setTimeout(() => {
            stream.off("data", onData);
            reject(new Error(`no log line with ${JSON.stringify(text)} within ${ms} ms`));
        }, ms);
        function onData(chunk) {
            seen = (seen + chunk.toString()).slice(-8192);
            const line = seen.split("\n").find((candidate) => candidate.includes(text));
            if (line === undefined) return;
            clearTimeout(timer);
            stream.off("data", onData);
            resolve(line);
        }
        stream.on("data", onData);
    });
}

test("a real overflow of the server's 1 MiB bound is caught up without gap or duplicate", async (t) => {
    const client = spawnServer(t, { stderr: "pipe" });
    const logged = logLine(client.process.stderr, "subscription ended: overflow", WAIT);
    const ended = client.notifications({ methods: ["events.subscription_ended"] });
    const sub = client.subscribeEvents({ types: ["task_created"] });
    await sub.ready;
    // Stop reading the server's output so more than 1 MiB of it piles up unread.
    client.readable.pause();
    const count = 120;
    const created = [];
    for (let n = 0; n < count; n++) {
        created.push(client.call("tasks.create", { title: `t${n}`, description: "x".repeat(20000) }));
    }
    // The server logs the end of the subscription once more than 1 MiB of its output is unread.
    const line = await logged;
    assert.match(line, /subscription=sub_\d+/);
    client.readable.resume();
    await Promise.all(created);
    const events = await take(sub, count);
    assert.deepEqual(titles(events), Array.from({ length: count }, (_, n) => `t${n}`));
    assert.equal((await ended.get(WAIT)).params.reason, "overflow");
    const ids = events.map((event) => event.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(new Set(ids).size, count);
    await assertQuiet(sub);
    await client.call("tasks.create", { title: "after" });
    assert.deepEqual(titles(await take(sub, 1)), ["after"]);
    await sub.close();
    ended.close();
});

test("an expired since cursor rejects with CursorExpired naming the oldest cursor", async (t) => {
    const client = spawnServer(t, { args: ["--event-retention", "2"] });
    const first = (await client.call("events.since", { limit: 1 })).next_cursor;
    for (let n = 0; n < 5; n++) await client.call("tasks.create", { title: `task ${n}` });
    const stale = client.subscribeEvents({ types: ["task_created"], since: first });
    const error = await stale.ready.then(
        () => assert.fail("a cursor older than the retention was accepted"),
        (err) => err,
    );
    assert.ok(error instanceof CursorExpired && error instanceof Conflict);
    assert.equal(error.error, "cursor_expired");
    assert.ok(typeof error.oldestCursor === "string" && error.oldestCursor > first);
    const sub = client.subscribeEvents({ types: ["task_created"], since: error.oldestCursor });
    await sub.ready;
    assert.deepEqual(titles(await take(sub, 2)), ["task 3", "task 4"]);
    await sub.close();
});
