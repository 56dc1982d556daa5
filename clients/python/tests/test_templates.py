"""Templates against the real binary, over stdio and over a Unix socket after login: the spec's Customer
Complaint template and the task made from it, placeholders, defaults and overrides, checklist ticks,
permissions, and templates surviving a restart."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import taskwire
from conftest import WAIT
from test_identity import token_create

#: The spec's "Create Template" body, verbatim.
CUSTOMER_COMPLAINT: Dict[str, Any] = {
    "name": "Customer Complaint",
    "description_template": "Investigate issue: {{issue_id}}",
    "default_priority": "high",
    "default_tags": ["support"],
    "checklist": [
        "Review conversation history",
        "Contact customer",
        "Provide resolution",
        "Follow up",
    ],
}


@pytest.fixture
def socket_world(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Dict[str, Any]]:
    """A server with an agent `bot` and a member `ann`, reachable over a Unix socket with their tokens."""
    data_dir = tmp_path / "data"
    tokens = {
        "bot": token_create(taskwire_bin, data_dir, "bot", "agent"),
        "ann": token_create(taskwire_bin, data_dir, "ann", "member"),
    }
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    admin = taskwire.Client.spawn(
        taskwire_bin, args=["--data-dir", str(data_dir), "--stdio", "--socket", path], stderr=server_log, timeout=WAIT
    )
    clients: List[taskwire.Client] = [admin]
    admin.ping()

    def connect(user: str) -> taskwire.Client:
        client = taskwire.Client.connect_unix(path, timeout=WAIT)
        clients.append(client)
        client.call("auth.login", token=tokens[user])
        return client

    try:
        yield {"admin": admin, "connect": connect}
    finally:
        for client in reversed(clients):
            client.close()
        shutil.rmtree(short, ignore_errors=True)


def check_customer_complaint(maker: taskwire.Client, user: taskwire.Client, user_id: str) -> None:
    template = maker.call("templates.create", CUSTOMER_COMPLAINT)
    template_id = template["template_id"]
    assert template_id.startswith("tpl_") and len(template_id) == 17
    assert template["variables"] == ["issue_id"]
    assert user.call("templates.get", template_id=template_id) == template

    # The spec's "Create Task from Template" body, its tpl_123 standing for this template and its due date
    # moved from 2024 into the future (the server refuses due dates in the past).
    task = user.call(
        "tasks.create_from_template",
        {
            "template_id": template_id,
            "variables": {"issue_id": "#1234"},
            "assignee": "user456",
            "due_date": "2999-01-20T17:00:00Z",
        },
    )
    assert task["title"] == "Customer Complaint"
    assert task["description"] == "Investigate issue: #1234"
    assert task["priority"] == "high" and task["tags"] == ["support"]
    assert task["assignee"]["user_id"] == "user456"
    assert task["template_id"] == template_id
    assert task["created_by"] == user_id
    assert task["checklist"] == [{"text": text, "done": False} for text in CUSTOMER_COMPLAINT["checklist"]]

    ticked = user.call("tasks.update", task_id=task["task_id"], check=[{"index": 0, "done": True}, {"index": 3}])
    assert ticked["updated_fields"] == ["checklist"]
    got = user.call("tasks.get", task_id=task["task_id"])
    assert [item["done"] for item in got["checklist"]] == [True, False, False, True]
    history = user.call("tasks.history", task_id=task["task_id"])
    created = history["history"][0]
    assert "template_id" in created["changes"] and "checklist" in created["changes"]

    with pytest.raises(taskwire.InvalidParams) as info:
        user.call("tasks.create_from_template", template_id=template_id, variables={})
    assert info.value.code == -32602 and info.value.error == "missing_variable"
    assert info.value.data["variable"] == "issue_id"

    with pytest.raises(taskwire.InvalidParams) as info:
        user.call("tasks.update", task_id=task["task_id"], check=[{"index": 4}])
    assert info.value.data["field"] == "check[0].index"


def test_the_spec_example_over_stdio(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    check_customer_complaint(client, client, "system")


def test_the_spec_example_over_a_socket_with_login(socket_world: Dict[str, Any]) -> None:
    bot = socket_world["connect"]("bot")
    ann = socket_world["connect"]("ann")
    check_customer_complaint(bot, ann, "ann")


def test_members_use_templates_but_do_not_change_them(socket_world: Dict[str, Any]) -> None:
    bot = socket_world["connect"]("bot")
    ann = socket_world["connect"]("ann")
    created = bot.call("templates.create", name="Urgent", template_id="tpl_urgent", checklist=["Call {{ customer }}"])
    assert created["template_id"] == "tpl_urgent" and created["created_by"] == "bot"
    for method, params in (
        ("templates.create", {"name": "Mine"}),
        ("templates.update", {"template_id": "tpl_urgent", "name": "Mine"}),
        ("templates.delete", {"template_id": "tpl_urgent"}),
    ):
        with pytest.raises(taskwire.PermissionDenied) as info:
            ann.call(method, params)
        assert info.value.code == 403 and info.value.error == "permission_denied"
    listed = ann.call("templates.list")
    assert listed["total"] == 1 and listed["page"] == 1 and listed["limit"] == 20
    task = ann.call("tasks.create_from_template", template_id="tpl_urgent", variables={"customer": "Bo", "x": 1})
    assert task["title"] == "Urgent" and task["checklist"] == [{"text": "Call Bo", "done": False}]
    with pytest.raises(taskwire.Conflict) as conflict:
        bot.call("templates.create", name="Again", template_id="tpl_urgent")
    assert conflict.value.error == "already_exists"


def test_update_delete_and_errors(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    template = client.call(
        "templates.create", name="Refund", title_template="Refund {{order}}", default_assignee="user789"
    )
    template_id = template["template_id"]
    updated = client.call("templates.update", template_id=template_id, default_assignee=None, default_priority="low")
    assert updated["updated"] is True and updated["updated_fields"] == ["default_assignee", "default_priority"]
    task = client.call(
        "tasks.create_from_template", template_id=template_id, variables={"order": 42}, priority="critical", tags=["vip"]
    )
    assert task["title"] == "Refund 42" and task["priority"] == "critical" and task["tags"] == ["vip"]
    assert task["assignee"] is None
    with pytest.raises(taskwire.InvalidParams) as info:
        client.call("templates.create", name="Bad", default_priority="urgent")
    assert info.value.error == "invalid_priority" and info.value.data["field"] == "default_priority"
    with pytest.raises(taskwire.InvalidParams) as info:
        client.call("templates.create", name="Bad", templte_id="tpl_x")
    assert info.value.data["field"] == "templte_id"
    assert client.call("templates.delete", template_id=template_id) == {"template_id": template_id, "deleted": True}
    for method in ("templates.get", "templates.delete"):
        with pytest.raises(taskwire.NotFound) as missing:
            client.call(method, template_id=template_id)
        assert missing.value.code == 404 and missing.value.error == "template_not_found"
    # The task keeps its template id after the template is gone; plain tasks show the members too.
    assert client.call("tasks.get", task_id=task["task_id"])["template_id"] == template_id
    plain = client.call("tasks.create", title="Plain")
    assert plain["checklist"] == [] and plain["template_id"] is None
    listed = client.call("tasks.list")
    assert all("checklist" in item and "template_id" in item for item in listed["tasks"])


def test_templates_survive_a_restart(taskwire_bin: str, tmp_path: Path, server_log: Any) -> None:
    args = ["--data-dir", str(tmp_path / "data")]
    first = taskwire.Client.spawn(taskwire_bin, args=args, stderr=server_log, timeout=WAIT)
    try:
        template = first.call("templates.create", CUSTOMER_COMPLAINT)
        task = first.call("tasks.create_from_template", template_id=template["template_id"], variables={"issue_id": "#7"})
        first.call("tasks.update", task_id=task["task_id"], check=[{"index": 1}])
    finally:
        first.close()
    second = taskwire.Client.spawn(taskwire_bin, args=args, stderr=server_log, timeout=WAIT)
    try:
        assert second.call("templates.get", template_id=template["template_id"]) == template
        again = second.call("tasks.get", task_id=task["task_id"])
        assert [item["done"] for item in again["checklist"]] == [False, True, False, False]
        assert again["template_id"] == template["template_id"]
    finally:
        second.close()
