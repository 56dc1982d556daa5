"""Overdue detection and due-soon reminders over events.subscribe, against the real binary on the real clock.

A task is created due two seconds ahead: the reminder lead (60 minutes by default) is longer than the time
left, so task_due_soon is pushed at once, and task_overdue once the due date passes. Every wait is on a
pushed notification with a timeout, never a sleep.
"""

from __future__ import annotations

import queue
import time
from typing import Any, Callable, List

import taskwire
from conftest import WAIT

#: The due date is two seconds ahead; the overdue event may take that long plus the usual margin.
OVERDUE_WAIT = WAIT + 2


class Inbox:
    """Collects pushed events.event notifications from the client's callback."""

    def __init__(self) -> None:
        self.events: "queue.Queue[Any]" = queue.Queue()

    def __call__(self, method: str, params: Any) -> None:
        if method == "events.event":
            self.events.put(params["event"])

    def next(self) -> Any:
        return self.events.get(timeout=OVERDUE_WAIT)


def create_due_in_two_seconds(client: taskwire.Client, title: str) -> Any:
    return client.call("tasks.create", title=title, due_date=time.time() + 2)


def test_due_soon_then_overdue_are_pushed_once_as_system(spawn: Callable[..., taskwire.Client]) -> None:
    inbox = Inbox()
    client = spawn(on_notification=inbox, timeout=WAIT)
    client.call("events.subscribe", types=["task_due_soon", "task_overdue"])
    task = create_due_in_two_seconds(client, "Call the customer back")

    soon = inbox.next()
    assert soon["type"] == "task_due_soon"
    assert soon["due_soon"] == {"due_date": task["due_date"], "lead_seconds": 3600}
    overdue = inbox.next()
    assert overdue["type"] == "task_overdue"
    assert overdue["actor"] == {"type": "system", "user_id": "system"}
    assert overdue["subject"] == {"type": "task", "id": task["task_id"]}
    assert overdue["object"]["task_id"] == task["task_id"]
    assert overdue["object"]["version"] == task["version"]
    assert overdue["overdue"] == {"due_date": task["due_date"]}
    assert overdue["changes"] == {}
    assert [event["seq"] for event in (soon, overdue)] == sorted(event["seq"] for event in (soon, overdue))

    # The list filter and the history agree with the events; the task itself did not change.
    listed = client.call("tasks.list", overdue=True)
    assert [item["task_id"] for item in listed["tasks"]] == [task["task_id"]]
    current = client.call("tasks.get", task_id=task["task_id"])
    assert current["version"] == task["version"]
    assert current["updated_at"] == task["updated_at"]
    history = client.call("tasks.history", task_id=task["task_id"])
    assert [entry["action"] for entry in history["history"]] == ["task_created", "task_due_soon", "task_overdue"]
    assert history["history"][-1]["overdue"] == {"due_date": task["due_date"]}
    page = client.call("events.since", cursor="evt_0000000000000000ffff", types=["task_overdue"])
    assert [event["id"] for event in page["events"]] == [overdue["id"]]


def test_moving_the_due_date_ends_overdue_and_rearms(spawn: Callable[..., taskwire.Client]) -> None:
    inbox = Inbox()
    client = spawn(args=["--remind-before-minutes", "0"], on_notification=inbox, timeout=WAIT)
    client.call("events.subscribe", types=["task_due_soon", "task_overdue"])
    task = create_due_in_two_seconds(client, "Moved twice")
    first = inbox.next()
    assert first["type"] == "task_overdue"
    assert client.call("tasks.list", overdue=True)["total"] == 1

    moved = client.call("tasks.update", task_id=task["task_id"], due_date=time.time() + 2)
    assert moved["updated_fields"] == ["due_date"]
    assert client.call("tasks.list", overdue=True)["total"] == 0
    second = inbox.next()
    assert second["type"] == "task_overdue"
    current = client.call("tasks.get", task_id=task["task_id"])
    assert second["overdue"] == {"due_date": current["due_date"]}
    assert second["overdue"] != first["overdue"]
    assert client.call("tasks.list", overdue=True)["total"] == 1


def test_completed_before_its_due_date_never_fires(spawn: Callable[..., taskwire.Client]) -> None:
    inbox = Inbox()
    client = spawn(args=["--remind-before-minutes", "0"], on_notification=inbox, timeout=WAIT)
    client.call("events.subscribe", types=["task_overdue", "task_completed"])
    done = create_due_in_two_seconds(client, "Finished in time")
    client.call("tasks.update", task_id=done["task_id"], status="in_progress")
    client.call("tasks.complete", task_id=done["task_id"])
    witness = create_due_in_two_seconds(client, "Left open")
    received: List[Any] = []
    while True:
        event = inbox.next()
        received.append((event["type"], event["object"]["task_id"]))
        if event["type"] == "task_overdue":
            break
    # The witness is due after the completed task, so the completed task's overdue would have come first.
    assert received == [("task_completed", done["task_id"]), ("task_overdue", witness["task_id"])]
