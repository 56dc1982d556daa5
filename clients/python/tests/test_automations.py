"""Automations against the real binary: the spec's High Priority Support rule over a socket with login,
events.publish, auto-assignment, an event id that fires nothing the second time, also after a restart, and a
task_event automation fired by a completion over stdio."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest

import taskwire
from conftest import WAIT
from test_templates import socket_world  # noqa: F401  (the fixture)

#: The spec's "Create Automation Rule" body, verbatim.
HIGH_PRIORITY_SUPPORT: Dict[str, Any] = {
    "name": "High Priority Support",
    "trigger": {"type": "conversation_tag", "value": "urgent"},
    "action": {"type": "create_task", "template": "tpl_urgent", "auto_assign": True, "priority": "critical"},
}

EVENT: Dict[str, Any] = {
    "type": "conversation_tag",
    "value": "urgent",
    "context": {"conversation_id": "conv_abc123", "bot_id": "support_bot"},
    "event_id": "evt_1",
}


def test_the_spec_rule_over_a_socket(socket_world: Dict[str, Any]) -> None:  # noqa: F811
    bot = socket_world["connect"]("bot")
    ann = socket_world["connect"]("ann")
    bot.call("templates.create", name="Urgent", template_id="tpl_urgent", title_template="Urgent {{conversation_id}}")
    automation = bot.call("automations.create", HIGH_PRIORITY_SUPPORT)
    assert automation["automation_id"].startswith("aut_") and automation["enabled"] is True
    published = bot.call("events.publish", EVENT)
    assert [item["automation_id"] for item in published["fired"]] == [automation["automation_id"]]
    task = published["tasks"][0]
    assert task["title"] == "Urgent conv_abc123" and task["priority"] == "critical"
    assert task["assignee"]["user_id"] == "ann"  # the only member
    assert task["template_id"] == "tpl_urgent"
    again = bot.call("events.publish", EVENT)
    assert again["fired"] == [] and again["skipped"][0]["reason"] == "already_fired"
    with pytest.raises(taskwire.PermissionDenied):
        ann.call("events.publish", EVENT)
    with pytest.raises(taskwire.PermissionDenied):
        ann.call("automations.create", HIGH_PRIORITY_SUPPORT)
    assert ann.call("automations.get", automation_id=automation["automation_id"])["fired_count"] == 1


def test_a_published_event_id_is_remembered_across_restarts(taskwire_bin: str, tmp_path: Path, server_log: Any) -> None:
    args = ["--data-dir", str(tmp_path / "data")]
    first = taskwire.Client.spawn(taskwire_bin, args=args, stderr=server_log, timeout=WAIT)
    try:
        first.call("templates.create", name="Urgent", template_id="tpl_urgent")
        first.call("automations.create", HIGH_PRIORITY_SUPPORT)
        assert len(first.call("events.publish", EVENT)["fired"]) == 1
    finally:
        first.close()
    second = taskwire.Client.spawn(taskwire_bin, args=args, stderr=server_log, timeout=WAIT)
    try:
        assert second.call("events.publish", EVENT)["fired"] == []
        assert second.call("tasks.list")["total"] == 1
    finally:
        second.close()


def test_a_task_event_automation_fires_when_a_task_completes(
    taskwire_bin: str, tmp_path: Path, server_log: Any
) -> None:
    args = ["--data-dir", str(tmp_path / "data")]
    first = taskwire.Client.spawn(taskwire_bin, args=args, stderr=server_log, timeout=WAIT)
    try:
        first.call("templates.create", name="Survey", template_id="tpl_survey", title_template="Survey: {{title}}")
        automation = first.call(
            "automations.create",
            {
                "name": "Survey after urgent work",
                "trigger": {"type": "task_event", "event": "task_completed", "conditions": {"priority": "critical"}},
                "action": {"type": "create_task", "template": "tpl_survey"},
            },
        )
        assert automation["trigger"]["conditions"] == {"priority": ["critical"]}
        low = first.call("tasks.create", title="Small", priority="low")
        urgent = first.call("tasks.create", title="Outage", priority="critical")
        for task in (low, urgent):
            first.call("tasks.update", task_id=task["task_id"], status="in_progress")
            completed = first.call("tasks.complete", task_id=task["task_id"])
            assert completed["task_id"] == task["task_id"] and completed["status"] == "completed"
        pending = first.call("tasks.list", status="pending")["tasks"]
        assert [task["title"] for task in pending] == ["Survey: Outage"]
        with pytest.raises(taskwire.InvalidParams):
            first.call(
                "automations.create",
                name="Bad",
                trigger={"type": "task_event", "event": "task_exploded"},
                action={"type": "create_task", "template": "tpl_survey"},
            )
    finally:
        first.close()
    second = taskwire.Client.spawn(taskwire_bin, args=args, stderr=server_log, timeout=WAIT)
    try:
        assert second.call("automations.get", automation_id=automation["automation_id"])["fired_count"] == 1
        assert second.call("tasks.list")["total"] == 3
    finally:
        second.close()


def test_list_update_and_delete_over_stdio(taskwire_bin: str, tmp_path: Path, server_log: Any) -> None:
    client = taskwire.Client.spawn(
        taskwire_bin, args=["--data-dir", str(tmp_path / "data")], stderr=server_log, timeout=WAIT
    )
    try:
        client.call("templates.create", name="Urgent", template_id="tpl_urgent")
        automation = client.call("automations.create", HIGH_PRIORITY_SUPPORT)
        automation_id = automation["automation_id"]
        listed = client.call("automations.list")
        assert listed["total"] == 1 and [a["automation_id"] for a in listed["automations"]] == [automation_id]
        disabled = client.call("automations.update", automation_id=automation_id, enabled=False)
        assert disabled["enabled"] is False and disabled["name"] == "High Priority Support"
        assert client.call("events.publish", EVENT)["fired"] == []
        client.call("automations.delete", automation_id=automation_id)
        with pytest.raises(taskwire.NotFound):
            client.call("automations.get", automation_id=automation_id)
        assert client.call("automations.list")["total"] == 0
        with pytest.raises(taskwire.InvalidParams):
            client.call("automations.update", automation_id=automation_id, enabled="yes")
    finally:
        client.close()
