"""Workflows against the real binary: the spec's Customer Onboarding over stdio, blocked steps, cycles,
cancel, a restart, and the permission rules over a Unix socket with login."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import taskwire
from conftest import WAIT
from test_identity import token_create

ONBOARDING: Dict[str, Any] = {
    "name": "Customer Onboarding",
    "steps": [
        {"name": "Account Setup", "assignee": "user456", "duration_hours": 2},
        {"name": "Training", "assignee": "user789", "duration_hours": 4, "depends_on": ["Account Setup"]},
    ],
}


@pytest.fixture
def server(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Callable[[], taskwire.Client]]:
    """Starts the real server over stdio on one data directory, as often as a test asks (one at a time)."""
    started: List[taskwire.Client] = []
    data_dir = tmp_path / "data"

    def start() -> taskwire.Client:
        client = taskwire.Client.spawn(
            taskwire_bin, args=["--data-dir", str(data_dir)], stderr=server_log, timeout=WAIT
        )
        started.append(client)
        return client

    yield start
    for client in started:
        client.close()


def step_task(workflow: Dict[str, Any], name: str) -> str:
    return next(step["task_id"] for step in workflow["steps"] if step["name"] == name)


def test_customer_onboarding_over_stdio(server: Callable[[], taskwire.Client]) -> None:
    client = server()
    created = client.call("workflows.create", **ONBOARDING)
    workflow_id = created["workflow_id"]
    assert workflow_id.startswith("wf_")
    assert created["status"] == "pending" and created["total_steps"] == 2
    setup, training = step_task(created, "Account Setup"), step_task(created, "Training")

    task = client.call("tasks.get", task_id=training)
    assert task["workflow_id"] == workflow_id and task["step"] == "Training"
    assert task["blocked_by"] == ["Account Setup"]

    with pytest.raises(taskwire.Conflict) as blocked:
        client.call("tasks.update", task_id=training, status="in_progress")
    assert blocked.value.error == "invalid_transition"
    assert blocked.value.data["blocked_by"] == ["Account Setup"]

    client.call("tasks.update", task_id=setup, status="in_progress")
    client.call("tasks.complete", task_id=setup)
    assert client.call("tasks.get", task_id=training)["blocked_by"] == []

    status = client.call("workflows.status", workflow_id=workflow_id)
    for key in ("workflow_id", "name", "status", "progress", "completed_steps", "total_steps", "current_step",
                "estimated_completion"):
        assert key in status
    assert status["status"] == "in_progress" and status["progress"] == 50
    assert status["completed_steps"] == 1 and status["current_step"] == "Training"

    history = client.call("tasks.history", task_id=training)
    assert [entry["action"] for entry in history["history"]][:2] == ["task_created", "task_updated"]

    # A restart replays the grouped records into the same workflow.
    client.close()
    again = server()
    replayed = again.call("workflows.status", workflow_id=workflow_id)
    # estimated_completion moves with the clock; everything else is the same.
    assert {k: v for k, v in replayed.items() if k != "estimated_completion"} == {
        k: v for k, v in status.items() if k != "estimated_completion"
    }
    again.call("tasks.update", task_id=training, status="in_progress")
    again.call("tasks.complete", task_id=training)
    done = again.call("workflows.get", workflow_id=workflow_id)
    assert done["status"] == "completed" and done["progress"] == 100


def test_cycles_and_bad_definitions_are_refused(server: Callable[[], taskwire.Client]) -> None:
    client = server()
    with pytest.raises(taskwire.InvalidParams) as cycle:
        client.call(
            "workflows.create",
            name="Loop",
            steps=[{"name": "A", "depends_on": ["B"]}, {"name": "B", "depends_on": ["A"]}],
        )
    assert cycle.value.error == "invalid_workflow" and cycle.value.data["cycle"] == ["A", "B", "A"]
    with pytest.raises(taskwire.InvalidParams) as unknown:
        client.call("workflows.create", name="X", steps=[{"name": "A", "depends_on": ["Z"]}])
    assert unknown.value.error == "invalid_workflow"
    with pytest.raises(taskwire.InvalidParams):
        client.call("workflows.create", name="X", steps=[{"name": "A"}, {"name": "A"}])
    with pytest.raises(taskwire.NotFound) as missing:
        client.call("workflows.status", workflow_id="wf_0000000000000")
    assert missing.value.error == "workflow_not_found"
    assert client.call("workflows.list")["total"] == 0


def test_cancel_cancels_open_tasks(server: Callable[[], taskwire.Client]) -> None:
    client = server()
    created = client.call("workflows.create", **ONBOARDING)
    cancelled = client.call("workflows.cancel", workflow_id=created["workflow_id"])
    assert cancelled["status"] == "cancelled"
    assert [step["status"] for step in cancelled["steps"]] == ["cancelled", "cancelled"]
    listed = client.call("workflows.list", status="cancelled")
    assert [w["workflow_id"] for w in listed["workflows"]] == [created["workflow_id"]]
    with pytest.raises(taskwire.Conflict):
        client.call("workflows.cancel", workflow_id=created["workflow_id"])


def test_permissions_over_a_socket_with_login(taskwire_bin: str, tmp_path: Path, server_log: Any) -> None:
    data_dir = tmp_path / "data"
    tokens = {
        "ann": token_create(taskwire_bin, data_dir, "ann", "member"),
        "bot": token_create(taskwire_bin, data_dir, "bot", "agent"),
    }
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    clients: List[taskwire.Client] = []
    try:
        admin = taskwire.Client.spawn(
            taskwire_bin, args=["--data-dir", str(data_dir), "--stdio", "--socket", path], stderr=server_log,
            timeout=WAIT,
        )
        clients.append(admin)
        admin.ping()

        def connect(user: str) -> taskwire.Client:
            client = taskwire.Client.connect_unix(path, timeout=WAIT)
            clients.append(client)
            client.auth.login(token=tokens[user])
            return client

        ann, bot = connect("ann"), connect("bot")
        with pytest.raises(taskwire.PermissionDenied):
            ann.call("workflows.create", **ONBOARDING)
        steps = [{"name": "Call", "assignee": "ann"}, {"name": "Follow up", "depends_on": ["Call"]}]
        created = bot.call("workflows.create", name="Callback", steps=steps)
        assert created["created_by"] == "bot"
        # The member reads the workflow and works on the step assigned to her like on any task.
        assert ann.call("workflows.status", workflow_id=created["workflow_id"])["current_step"] == "Call"
        call_task = step_task(created, "Call")
        ann.call("tasks.update", task_id=call_task, status="in_progress")
        ann.call("tasks.complete", task_id=call_task)
        with pytest.raises(taskwire.PermissionDenied):
            ann.call("workflows.cancel", workflow_id=created["workflow_id"])
        status = bot.call("workflows.status", workflow_id=created["workflow_id"])
        assert status["current_step"] == "Follow up" and status["progress"] == 50
    finally:
        for client in reversed(clients):
            client.close()
        shutil.rmtree(short, ignore_errors=True)


def test_update_adds_steps_and_refuses_a_cycle_changing_nothing(server: Callable[[], taskwire.Client]) -> None:
    client = server()
    created = client.call("workflows.create", **ONBOARDING)
    workflow_id = created["workflow_id"]
    updated = client.call(
        "workflows.update",
        workflow_id=workflow_id,
        name="Customer Onboarding v2",
        add_steps=[{"name": "Review", "depends_on": ["Training"], "duration_hours": 1}],
    )
    assert updated["name"] == "Customer Onboarding v2"
    assert [step["name"] for step in updated["steps"]] == ["Account Setup", "Training", "Review"]
    review = client.call("tasks.get", task_id=step_task(updated, "Review"))
    assert review["workflow_id"] == workflow_id and review["blocked_by"] == ["Training"]
    with pytest.raises(taskwire.InvalidParams) as refused:
        client.call("workflows.update", workflow_id=workflow_id, depends_on={"Account Setup": ["Review"]})
    assert refused.value.data["error"] == "invalid_workflow"
    after = client.call("workflows.get", workflow_id=workflow_id)
    assert next(s for s in after["steps"] if s["name"] == "Account Setup")["depends_on"] == []
    assert len(after["steps"]) == 3
