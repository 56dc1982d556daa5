// The spec's BASIC keywords (tasks-api.md, "Integration with BASIC") against the real binary.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
    Conflict, InvalidParams, NotFound, completeTask, createTask, getTaskStatus, now, parseTime, setTaskDueDate,
    setTaskPriority,
} from "../taskwire.mjs";
import { spawnServer } from "./helpers.mjs";

test("the spec's snippet", async (t) => {
    const client = spawnServer(t);
    await client.users.upsert({ user_id: "user456", name: "Jane Smith", role: "member" });
    // task_id = CREATE TASK "Follow up with customer", "user456"
    const taskId = await createTask(client, "Follow up with customer", "user456");
    // SET TASK PRIORITY task_id, "high"
    await setTaskPriority(client, taskId, "high");
    // SET TASK DUE DATE task_id, NOW() + 24 * 3600
    const due = now() + 24 * 3600;
    await setTaskDueDate(client, taskId, due);
    // status = GET TASK STATUS task_id
    assert.equal(await getTaskStatus(client, taskId), "pending");
    const task = await client.tasks.get({ task_id: taskId });
    assert.equal(task.priority, "high");
    assert.equal(task.assignee.user_id, "user456");
    assert.ok(Math.abs(parseTime(task.due_date).getTime() / 1000 - due) < 0.01);
    assert.equal((await completeTask(client, taskId, "Called back")).status, "completed");
    assert.equal(await getTaskStatus(client, taskId), "completed");
});

test("the siblings, as client methods", async (t) => {
    const client = spawnServer(t);
    const id = await client.createTask("Call back", null, { priority: "low" });
    assert.equal((await client.tasks.get({ task_id: id })).assignee, null);
    await client.users.upsert({ user_id: "user789", name: "Sam", role: "member" });
    assert.deepEqual((await client.setTaskAssignee(id, "user789")).updated_fields, ["assignee"]);
    assert.deepEqual((await client.setTaskProgress(id, 30)).updated_fields, ["progress"]);
    assert.ok((await client.addTaskComment(id, "Left a voicemail")).startsWith("cmt_"));
    const when = new Date(Date.now() + 86400000);
    await client.setTaskDueDate(id, when);
    assert.equal(parseTime((await client.tasks.get({ task_id: id })).due_date).getTime(), when.getTime());
    await client.setTaskDueDate(id, null);
    await client.setTaskAssignee(id, null);
    const task = await client.tasks.get({ task_id: id });
    assert.equal(task.due_date, null);
    assert.equal(task.assignee, null);
    assert.deepEqual((await client.setTaskStatus(id, "in_progress")).updated_fields, ["status"]);
    assert.equal((await client.completeTask(id)).status, "completed");
    await assert.rejects(client.completeTask(id), Conflict);
});

test("errors come through the helpers", async (t) => {
    const client = spawnServer(t);
    await assert.rejects(client.getTaskStatus("tsk_0000000000000"), NotFound);
    const id = await client.createTask("x");
    await assert.rejects(client.setTaskPriority(id, "urgent"), (e) => e instanceof InvalidParams && e.error === "invalid_priority");
    await assert.rejects(client.setTaskDueDate(id, now() - 60), (e) => e.error === "invalid_due_date");
});
