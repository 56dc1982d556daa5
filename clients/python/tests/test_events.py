"""The event feed against the real binary: subscribe, since, unsubscribe and errors, over stdio and a socket."""

from __future__ import annotations

import queue
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple

import pytest

import taskwire
from conftest import WAIT


class Inbox:
    """Collects the server's notifications from the client's callback; every wait has a timeout."""

    def __init__(self) -> None:
        self.messages: "queue.Queue[Tuple[str, Any]]" = queue.Queue()

    def __call__(self, method: str, params: Any) -> None:
        self.messages.put((method, params))

    def next(self) -> Tuple[str, Any]:
        return self.messages.get(timeout=WAIT)


def test_stdio_subscribe_receives_each_event_once_in_commit_order(spawn: Callable[..., taskwire.Client]) -> None:
    inbox = Inbox()
    client = spawn(on_notification=inbox, timeout=WAIT)
    subscription = client.call("events.subscribe", types=["task_created", "task_completed", "task_assigned"])
    task = client.call("tasks.create", title="Ship the release")
    client.call("tasks.update", task_id=task["task_id"], status="in_progress")
    client.call("tasks.update", task_id=task["task_id"], status="completed", assignee="user456")
    received: List[Any] = []
    for _ in range(3):
        method, params = inbox.next()
        assert method == "events.event"
        assert params["subscription_id"] == subscription["subscription_id"]
        assert params["cursor"] == params["event"]["id"]
        received.append(params["event"])
    assert [event["type"] for event in received] == ["task_created", "task_completed", "task_assigned"]
    assert [event["seq"] for event in received] == [1, 3, 3]
    completed = received[1]
    assert completed["object"]["status"] == "completed"
    assert completed["object"]["assignee"] == "user456"
    assert completed["changes"]["status"] == {"old": "in_progress", "new": "completed"}
    assert completed["actor"] == {"type": "system", "user_id": "system"}
    assert [event["id"] for event in received] == sorted(event["id"] for event in received)
    # since pages the same events; a cursor resumes exactly after one.
    page = client.call("events.since", cursor=received[0]["id"], types=["task_completed", "task_assigned"])
    assert [event["id"] for event in page["events"]] == [received[1]["id"], received[2]["id"]]
    assert page["has_more"] is False
    assert client.call("events.unsubscribe", subscription_id=subscription["subscription_id"]) == {
        "subscription_id": subscription["subscription_id"],
        "unsubscribed": True,
    }


def test_malformed_and_expired_cursors(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(args=["--event-retention", "2"], timeout=WAIT)
    for index in range(4):
        client.call("tasks.create", title="task %d" % index)
    with pytest.raises(taskwire.InvalidParams) as malformed:
        client.call("events.since", cursor="evt_nope")
    assert malformed.value.data["field"] == "cursor"
    with pytest.raises(taskwire.Conflict) as expired:
        client.call("events.since", cursor="evt_0000000000000000ffff")
    assert expired.value.data["error"] == "cursor_expired"
    oldest = expired.value.data["oldest_cursor"]
    assert len(client.call("events.since", cursor=oldest)["events"]) == 2


@pytest.fixture
def socket_world(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Any]:
    """A server on stdio (the writer, as `system`) and a socket, with a member's token."""
    data_dir = tmp_path / "data"
    done = subprocess.run(
        [taskwire_bin, "token", "create", "--user", "ann", "--role", "member", "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    token = done.stdout.decode().strip()
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    writer = taskwire.Client.spawn(
        taskwire_bin, args=["--data-dir", str(data_dir), "--stdio", "--socket", path], stderr=server_log, timeout=WAIT
    )
    writer.ping()
    clients = [writer]

    def connect(on_notification: Any) -> taskwire.Client:
        client = taskwire.Client.connect_unix(path, on_notification=on_notification, timeout=WAIT)
        clients.append(client)
        return client

    try:
        yield writer, connect, token
    finally:
        for client in reversed(clients):
            client.close()
        shutil.rmtree(short, ignore_errors=True)


def test_socket_member_subscribes_after_login_and_filters_by_bot(socket_world: Any) -> None:
    writer, connect, token = socket_world
    inbox = Inbox()
    member = connect(inbox)
    with pytest.raises(taskwire.Unauthorized):
        member.call("events.subscribe")
    member.call("auth.login", token=token)
    subscription = member.call("events.subscribe", filter={"bot_id": "bot-7"})
    writer.call("tasks.create", title="other bot", context={"bot_id": "bot-8"})
    mine = writer.call("tasks.create", title="for bot 7", context={"bot_id": "bot-7"})
    writer.call("tasks.comments.add", task_id=mine["task_id"], text="on it")
    method, params = inbox.next()
    assert method == "events.event" and params["subscription_id"] == subscription["subscription_id"]
    assert params["event"]["type"] == "task_created"
    assert params["event"]["subject"] == {"type": "task", "id": mine["task_id"]}
    method, params = inbox.next()
    assert params["event"]["type"] == "comment_added"
    assert params["event"]["comment"]["text"] == "on it"
    assert params["event"]["object"]["comments_count"] == 1
    # A member's feed never carries identity events.
    writer.call("users.upsert", user_id="zed", name="Zed", role="member")
    types = {event["type"] for event in member.call("events.since", limit=1000)["events"]}
    assert types == {"task_created", "comment_added"}
