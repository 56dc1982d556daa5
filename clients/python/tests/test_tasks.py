"""The task methods through the Python client against the real binary: the lifecycle a bot drives."""

from __future__ import annotations

import time
from typing import Callable

import pytest

import taskwire


def test_a_task_from_creation_to_deletion(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    due = int(time.time()) + 24 * 3600
    created = client.tasks.create(
        title="Review customer complaint", priority="high", tags=["support", "urgent"], due_date=due,
        context={"conversation_id": "conv_abc123", "bot_id": "support_bot"}, idempotency_key="req-1",
    )
    task_id = created["task_id"]
    assert task_id.startswith("tsk_") and created["status"] == "pending" and created["version"] == 1
    assert created["due_date"].endswith("Z")
    # A retry with the same key returns the same task instead of a second one.
    retried = client.tasks.create(
        title="Review customer complaint", priority="high", tags=["support", "urgent"], due_date=due,
        context={"conversation_id": "conv_abc123", "bot_id": "support_bot"}, idempotency_key="req-1",
    )
    assert retried["task_id"] == task_id and retried["replayed"] is True

    updated = client.tasks.update(task_id=task_id, status="in_progress", progress=60, if_version=1)
    assert updated == {**updated, "task_id": task_id, "updated": True, "version": 2}
    assert updated["updated_fields"] == ["status", "progress"]
    with pytest.raises(taskwire.Conflict) as stale:
        client.tasks.update(task_id=task_id, progress=70, if_version=1)
    assert stale.value.error == "version_conflict"

    completed = client.tasks.complete(
        task_id=task_id, resolution="Refund processed", time_spent_minutes=90, outcomes=["refund_issued"]
    )
    assert completed["status"] == "completed" and completed["completed_by"] == "system"
    task = client.tasks.get(task_id=task_id)
    assert task["progress"] == 100 and task["time_spent_minutes"] == 90 and task["resolution"] == "Refund processed"
    with pytest.raises(taskwire.Conflict) as again:
        client.tasks.complete(task_id=task_id)
    assert again.value.error == "invalid_transition"

    listed = client.tasks.list(status="completed", tags="support,urgent")
    assert listed["total"] == 1 and listed["tasks"][0]["task_id"] == task_id
    assert client.tasks.list(tags=["support", "missing"])["total"] == 0

    deleted = client.tasks.delete(task_id=task_id)
    assert deleted["deleted"] is True and deleted["task_id"] == task_id
    with pytest.raises(taskwire.NotFound) as gone:
        client.tasks.get(task_id=task_id)
    assert gone.value.error == "task_not_found" and gone.value.message == "Task %s not found" % task_id
    actions = [entry["action"] for entry in client.tasks.history(task_id=task_id)["history"]]
    assert actions == ["task_created", "task_updated", "task_completed", "task_deleted"]


def test_validation_errors_name_the_field(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    cases = [
        ({"title": ""}, "title", "invalid_params"),
        ({"title": "x", "priority": "urgent"}, "priority", "invalid_priority"),
        ({"title": "x", "due_date": "2020-01-01T00:00:00Z"}, "due_date", "invalid_due_date"),
        ({"title": "x", "prioity": "high"}, "prioity", "invalid_params"),
    ]
    for params, field, error in cases:
        with pytest.raises(taskwire.InvalidParams) as raised:
            client.call("tasks.create", params)
        assert raised.value.field == field and raised.value.error == error
    with pytest.raises(taskwire.InvalidParams) as past:
        client.tasks.create(title="x", due_date=int(time.time()) - 60)
    assert past.value.message == "Due date must be in the future"
