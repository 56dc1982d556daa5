"""The spec's BASIC keywords (tasks-api.md, "Integration with BASIC") as client functions, against the server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest

import taskwire


def test_the_spec_snippet(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    client.users.upsert(user_id="user456", name="Jane Smith", role="member")
    # task_id = CREATE TASK "Follow up with customer", "user456"
    task_id = taskwire.create_task(client, "Follow up with customer", "user456")
    # SET TASK PRIORITY task_id, "high"
    taskwire.set_task_priority(client, task_id, "high")
    # SET TASK DUE DATE task_id, NOW() + 24 * 3600
    due = taskwire.now() + 24 * 3600
    taskwire.set_task_due_date(client, task_id, due)
    # status = GET TASK STATUS task_id
    assert taskwire.get_task_status(client, task_id) == "pending"
    task = client.tasks.get(task_id)
    assert task["title"] == "Follow up with customer" and task["priority"] == "high"
    assert task["assignee"]["user_id"] == "user456"
    assert abs(taskwire.parse_time(task["due_date"]).timestamp() - due) < 0.01
    assert taskwire.complete_task(client, task_id, "Called back")["status"] == "completed"
    assert taskwire.get_task_status(client, task_id) == "completed"


def test_siblings_as_client_methods(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    task_id = client.create_task("Call back", priority="low")
    assert client.tasks.get(task_id)["assignee"] is None
    client.users.upsert(user_id="user789", name="Sam", role="member")
    assert client.set_task_assignee(task_id, "user789")["updated_fields"] == ["assignee"]
    assert client.set_task_progress(task_id, 30)["updated_fields"] == ["progress"]
    assert client.get_task_status(task_id) == "pending"
    comment_id = client.add_task_comment(task_id, "Left a voicemail")
    assert comment_id.startswith("cmt_")
    when = datetime.now(timezone.utc) + timedelta(days=1)
    client.set_task_due_date(task_id, when)
    assert taskwire.parse_time(client.tasks.get(task_id)["due_date"]) == when
    client.set_task_due_date(task_id, None)
    client.set_task_assignee(task_id, None)
    task = client.tasks.get(task_id)
    assert task["due_date"] is None and task["assignee"] is None and task["progress"] == 30
    assert client.set_task_priority(task_id, "critical")["updated_fields"] == ["priority"]
    assert client.set_task_status(task_id, "in_progress")["updated_fields"] == ["status"]
    assert client.complete_task(task_id)["status"] == "completed"
    # A finished task cannot be completed again: the server's 409 comes through.
    with pytest.raises(taskwire.Conflict):
        client.complete_task(task_id)


def test_errors_come_through(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    with pytest.raises(taskwire.NotFound):
        client.get_task_status("tsk_0000000000000")
    task_id = client.create_task("x")
    with pytest.raises(taskwire.InvalidParams) as bad:
        client.set_task_priority(task_id, "urgent")
    assert bad.value.error == "invalid_priority"
    with pytest.raises(taskwire.InvalidParams) as past:
        client.set_task_due_date(task_id, taskwire.now() - 60)
    assert past.value.error == "invalid_due_date"
