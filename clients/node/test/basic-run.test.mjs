// basic.run on the real binary: the spec's BASIC snippet verbatim (tasks-api.md, "Integration with BASIC").
import assert from "node:assert/strict";
import { test } from "node:test";

import { InvalidParams, completeTask, parseTime } from "../taskwire.mjs";
import { spawnServer } from "./helpers.mjs";

// The spec's snippet, byte for byte.
const SPEC_SNIPPET = `' Create task from conversation
task_id = CREATE TASK "Follow up with customer", "user456"
SET TASK PRIORITY task_id, "high"
SET TASK DUE DATE task_id, NOW() + 24 * 3600
' Check task status
status = GET TASK STATUS task_id
IF status = "completed" THEN
TALK "Task has been completed"
END IF
`;

test("the spec's snippet runs verbatim", async (t) => {
    const client = spawnServer(t);
    await client.users.upsert({ user_id: "user456", name: "Jane Smith", role: "member" });
    const before = Date.now() / 1000;
    const reply = await client.basic.run({ source: SPEC_SNIPPET });
    assert.deepEqual(reply.talk, []);
    const taskId = reply.variables.task_id;
    assert.deepEqual(reply.variables, { task_id: taskId, status: "pending" });
    const task = await client.tasks.get({ task_id: taskId });
    assert.equal(task.priority, "high");
    assert.equal(task.assignee.user_id, "user456");
    const due = parseTime(task.due_date).getTime() / 1000;
    assert.ok(due >= before + 86400 && due <= Date.now() / 1000 + 86400);

    await completeTask(client, taskId);
    const again = await client.basic.run({
        source: SPEC_SNIPPET.replace("task_id = CREATE TASK", "other = CREATE TASK"),
        variables: { task_id: taskId },
    });
    assert.deepEqual(again.talk, ["Task has been completed"]);
});

test("a syntax error names its line and column", async (t) => {
    const client = spawnServer(t);
    await assert.rejects(client.basic.run({ source: 'TALK "a"\nIF TRUE TALK "b"\n' }), (e) => {
        assert.ok(e instanceof InvalidParams);
        assert.equal(e.error, "basic_syntax_error");
        assert.equal(e.data.line, 2);
        assert.equal(e.data.column, 9);
        assert.equal(e.message, "line 2, column 9: expected THEN, found TALK");
        return true;
    });
});
