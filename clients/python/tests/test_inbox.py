"""The notification inbox against the real binary, over stdio and over a socket with login: configure, an
assignment by another user lands in the assignee's inbox and is pushed to their connection, mark_read."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import taskwire
from conftest import WAIT

PUSHED = "notifications.notification"


def token_create(taskwire_bin: str, data_dir: Path, user: str, role: str) -> str:
    done = subprocess.run(
        [taskwire_bin, "token", "create", "--user", user, "--role", role, "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode().strip()


@pytest.fixture
def server(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Dict[str, Any]]:
    """A server whose stdio acts as bob (a member), with a socket; ann (member) and erin (admin) have tokens."""
    data_dir = tmp_path / "data"
    tokens = {user: token_create(taskwire_bin, data_dir, user, role)
              for user, role in [("bob", "member"), ("ann", "member"), ("erin", "admin")]}
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    stdio = taskwire.Client.spawn(
        taskwire_bin,
        args=["--data-dir", str(data_dir), "--stdio", "--stdio-user", "bob", "--socket", path],
        stderr=server_log,
        timeout=WAIT,
    )
    clients: List[taskwire.Client] = [stdio]
    stdio.ping()

    def connect(user: str) -> taskwire.Client:
        client = taskwire.Client.connect_unix(path, timeout=WAIT)
        clients.append(client)
        client.auth.login(token=tokens[user])
        return client

    try:
        yield {"stdio": stdio, "connect": connect}
    finally:
        for client in reversed(clients):
            client.close()
        shutil.rmtree(short, ignore_errors=True)


def test_an_assignment_reaches_the_stdio_users_inbox_and_is_pushed(server: Dict[str, Any]) -> None:
    bob = server["stdio"]
    config = bob.notifications.get_config()
    assert config["source"] == "default" and config["user_id"] == "bob"
    assert config["config"]["channels"] == ["in_app"]
    with bob.notifications([PUSHED]) as pushed:
        ann = server["connect"]("ann")
        task = ann.tasks.create(title="Check the invoice", assignee="bob")
        note = pushed.get(timeout=WAIT)
    assert note.params["unread_count"] == 1
    notification = note.params["notification"]
    assert notification["type"] == "task_assigned" and notification["task_id"] == task["task_id"]
    assert notification["actor"]["user_id"] == "ann" and notification["roles"] == ["assignee"]
    assert notification["id"].startswith("ntf_") and notification["read"] is False
    inbox = bob.notifications.list()
    assert inbox["unread_count"] == 1 and inbox["notifications"] == [notification]
    # Ann assigned it: nothing lands in her own inbox.
    assert ann.notifications.list()["total"] == 0
    marked = bob.notifications.mark_read(notification_ids=[notification["id"]])
    assert marked == {"updated": 1, "unread_count": 0, "not_found": []}
    assert bob.notifications.list(unread_only=True)["total"] == 0


def test_a_socket_user_configures_and_receives_pushes_after_login(server: Dict[str, Any]) -> None:
    ann = server["connect"]("ann")
    configured = ann.notifications.configure(
        events=["task_assigned", "comment_added"], recipients=["assignee", "creator"], remind_before_minutes=60
    )
    assert configured["source"] == "own" and configured["config"]["remind_before_minutes"] == 60
    with pytest.raises(taskwire.TaskwireError) as refused:
        ann.notifications.configure(events=["task_assigned", "task_exploded"])
    assert refused.value.code == -32602 and refused.value.data["field"] == "events"
    assert "task_exploded" in refused.value.message
    with pytest.raises(taskwire.TaskwireError) as denied:
        ann.notifications.configure(default=True, channels=["email"])
    assert denied.value.code == 403
    with ann.notifications([PUSHED]) as pushed:
        erin = server["connect"]("erin")
        task = erin.tasks.create(title="Write the summary", assignee="ann")
        erin.tasks.comments.add(task_id=task["task_id"], text="Due Friday, @ann")
        first = pushed.get(timeout=WAIT)
        second = pushed.get(timeout=WAIT)
    assert [first.params["notification"]["type"], second.params["notification"]["type"]] == [
        "task_assigned", "comment_added"]
    assert second.params["unread_count"] == 2
    # The stdio connection is bob's: it heard nothing of ann's notifications.
    assert server["stdio"].notifications.list()["total"] == 0
    listed = ann.notifications.list(limit=1)
    assert listed["total"] == 2 and listed["notifications"][0]["type"] == "comment_added"
    assert ann.notifications.mark_read(all=True)["unread_count"] == 0
    # An admin may read and change ann's settings; the default stays as it was.
    assert erin.notifications.get_config(user_id="ann")["source"] == "own"
    assert erin.notifications.get_config(default=True)["config"]["recipients"] == ["assignee", "watchers"]


def test_the_inbox_is_the_same_after_a_restart(taskwire_bin: str, tmp_path: Path, server_log: Any) -> None:
    data_dir = str(tmp_path / "restart")

    def start(*extra: str) -> taskwire.Client:
        return taskwire.Client.spawn(
            taskwire_bin, args=["--data-dir", data_dir, *extra], stderr=server_log, timeout=WAIT)

    admin = start()
    try:
        admin.users.upsert(user_id="bob", name="Bob", role="member")
        for title in ["First", "Second", "Third"]:
            admin.tasks.create(title=title, assignee="bob")
    finally:
        admin.close()
    seen = []
    for _ in range(2):
        bob = start("--stdio-user", "bob")
        try:
            inbox = bob.notifications.list()
            seen.append(inbox)
            if len(seen) == 1:
                bob.notifications.mark_read(notification_ids=[inbox["notifications"][-1]["id"]])
        finally:
            bob.close()
    first, second = seen
    assert [n["task_title"] for n in first["notifications"]] == ["Third", "Second", "First"]
    assert [n["id"] for n in second["notifications"]] == [n["id"] for n in first["notifications"]]
    assert second["unread_count"] == 2 and second["notifications"][-1]["read"] is True
