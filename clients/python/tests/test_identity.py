"""Identity against the real binary: tokens from the CLI, socket login, 401/403/429, on_behalf_of, revocation,
the user directory, and the same rules for comments, attachments and watchers."""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import taskwire
from conftest import WAIT


def token_create(taskwire_bin: str, data_dir: Path, user: str, role: str) -> str:
    """`taskwire token create`: the token is the only thing on stdout."""
    done = subprocess.run(
        [taskwire_bin, "token", "create", "--user", user, "--role", role, "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 1 and done.stdout.endswith(b"\n")
    return lines[0]


@pytest.fixture
def world(
    request: pytest.FixtureRequest, taskwire_bin: str, tmp_path: Path, server_log: Any
) -> Iterator[Dict[str, Any]]:
    """Users made with the CLI, then a server on stdio (as `system`) and a Unix socket, `create` limited to 2/hour.

    A test marked ``@pytest.mark.server_args(...)`` adds those command-line arguments to the server's.
    """
    marker = request.node.get_closest_marker("server_args")
    extra = list(marker.args) if marker else []
    data_dir = tmp_path / "data"
    tokens = {
        "ann": token_create(taskwire_bin, data_dir, "ann", "member"),
        "bob": token_create(taskwire_bin, data_dir, "bob", "member"),
        "bot": token_create(taskwire_bin, data_dir, "bot", "agent"),
    }
    # sun_path holds 108 bytes: keep the socket in a short directory.
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    admin = taskwire.Client.spawn(
        taskwire_bin,
        args=["--data-dir", str(data_dir), "--stdio", "--socket", path, "--rate-limit", "create=2/hour", *extra],
        stderr=server_log,
        timeout=WAIT,
    )
    clients: List[taskwire.Client] = [admin]
    # The socket is bound before stdio is served, so one stdio answer means the socket is listening.
    admin.ping()

    def connect(user: str = "") -> taskwire.Client:
        client = taskwire.Client.connect_unix(path, timeout=WAIT)
        clients.append(client)
        if user:
            client.auth.login(token=tokens[user])
        return client

    try:
        yield {"admin": admin, "connect": connect, "tokens": tokens, "data_dir": data_dir}
    finally:
        for client in reversed(clients):
            client.close()
        shutil.rmtree(short, ignore_errors=True)


def test_token_cli_prints_only_the_token(world: Dict[str, Any]) -> None:
    for token in world["tokens"].values():
        assert token.startswith("tw_") and len(token) == 46
    assert len(set(world["tokens"].values())) == 3


def test_socket_answers_only_open_methods_until_login(world: Dict[str, Any]) -> None:
    client = world["connect"]()
    assert client.ping() == {}
    assert client.server.info()["transport"] == "unix"
    for method in ("tasks.list", "auth.whoami", "users.list"):
        with pytest.raises(taskwire.Unauthorized) as info:
            client.call(method)
        assert info.value.code == 401 and info.value.error == "unauthorized"
        assert info.value.message == "Log in with auth.login first."
    with pytest.raises(taskwire.Unauthorized):
        client.auth.login(token="tw_not_a_token")
    login = client.auth.login(token=world["tokens"]["ann"])
    assert login["user_id"] == "ann" and login["role"] == "member"
    whoami = client.auth.whoami()
    assert whoami == {
        "user_id": "ann",
        "name": "ann",
        "role": "member",
        "authenticated_via": "token",
        "token_id": login["token_id"],
        "acting_for": None,
    }
    assert client.tasks.list()["total"] == 0


def test_member_cannot_modify_another_users_task(world: Dict[str, Any]) -> None:
    task = world["admin"].tasks.create(title="Admin's task")
    ann = world["connect"]("ann")
    assert ann.tasks.get(task_id=task["task_id"])["title"] == "Admin's task"
    with pytest.raises(taskwire.PermissionDenied) as info:
        ann.tasks.update(task_id=task["task_id"], progress=50)
    assert info.value.code == 403 and info.value.error == "permission_denied"
    assert info.value.message == "You don't have permission to modify this task"
    assert world["admin"].tasks.get(task_id=task["task_id"])["progress"] == 0
    assigned = world["admin"].tasks.create(title="For Ann", assignee="ann")
    assert ann.tasks.update(task_id=assigned["task_id"], progress=50)["updated"] is True


def test_rate_limit_answers_429_with_retry_after_and_changes_nothing(world: Dict[str, Any]) -> None:
    ann = world["connect"]("ann")
    ann.tasks.create(title="One")
    ann.tasks.create(title="Two")
    with pytest.raises(taskwire.RateLimited) as info:
        ann.tasks.create(title="Three")
    assert info.value.code == 429 and info.value.error == "rate_limited"
    assert isinstance(info.value.retry_after, int) and 3500 < info.value.retry_after <= 3600
    assert [t["title"] for t in ann.tasks.list(sort="created_at", order="asc")["tasks"]] == ["One", "Two"]
    # Other users have their own budget, and system has none.
    world["connect"]("bob").tasks.create(title="Bob's")
    for index in range(3):
        world["admin"].tasks.create(title="System %d" % index)


def test_on_behalf_of_attributes_the_write_and_records_the_agent(world: Dict[str, Any]) -> None:
    bot = world["connect"]("bot")
    task = bot.tasks.create(title="Follow up", on_behalf_of="ann")
    assert task["created_by"] == "ann"
    history = bot.tasks.history(task_id=task["task_id"])["history"]
    assert history[0]["actor"] == "ann" and history[0]["agent"] == "bot"
    assert bot.auth.whoami(on_behalf_of="ann")["acting_for"] == "ann"
    with pytest.raises(taskwire.PermissionDenied):
        world["connect"]("bob").tasks.list(on_behalf_of="ann")
    with pytest.raises(taskwire.NotFound) as info:
        bot.tasks.list(on_behalf_of="nobody")
    assert info.value.error == "user_not_found"


def test_revoked_token_stops_a_logged_in_connection(world: Dict[str, Any]) -> None:
    ann = world["connect"]("ann")
    token_id = ann.auth.whoami()["token_id"]
    listed = world["admin"].auth.tokens.list(user_id="ann")["tokens"]
    assert [t["token_id"] for t in listed] == [token_id] and listed[0]["status"] == "active"
    assert "token" not in listed[0] and "hash" not in listed[0]
    world["admin"].auth.tokens.revoke(token_id=token_id)
    with pytest.raises(taskwire.Unauthorized):
        ann.tasks.list()
    with pytest.raises(taskwire.Unauthorized):
        world["connect"]().auth.login(token=world["tokens"]["ann"])


def test_users_and_tokens_made_over_the_wire(world: Dict[str, Any]) -> None:
    admin = world["admin"]
    user = admin.users.upsert(
        user_id="user456", name="Jane Smith", avatar_url="https://example.com/avatar.jpg", role="member"
    )
    assert user["created"] is True and user["role"] == "member"
    issued = admin.auth.tokens.create(user_id="user456", label="phone")
    assert set(issued) == {"token_id", "token", "user_id", "label", "created_at", "expires_at"}
    jane = world["connect"]()
    assert jane.auth.login(token=issued["token"])["user_id"] == "user456"
    task = admin.tasks.create(title="Assigned", assignee="user456")
    assert jane.tasks.get(task_id=task["task_id"])["assignee"] == {
        "user_id": "user456",
        "name": "Jane Smith",
        "avatar_url": "https://example.com/avatar.jpg",
    }
    with pytest.raises(taskwire.InvalidParams) as info:
        admin.users.upsert(user_id="bad id", name="X", role="member")
    assert info.value.field == "user_id"
    with pytest.raises(taskwire.PermissionDenied):
        world["connect"]("bot").auth.tokens.create(user_id="bot")


def test_stdio_user_gets_its_own_permissions_and_limits(taskwire_bin: str, tmp_path: Path, server_log: Any) -> None:
    data_dir = tmp_path / "data"
    token_create(taskwire_bin, data_dir, "ann", "member")
    with taskwire.Client.spawn(taskwire_bin, args=["--data-dir", str(data_dir)], stderr=server_log, timeout=WAIT) as admin:
        other = admin.tasks.create(title="System's")
    args = ["--data-dir", str(data_dir), "--stdio-user", "ann", "--rate-limit", "create=1/hour"]
    with taskwire.Client.spawn(taskwire_bin, args=args, stderr=server_log, timeout=WAIT) as ann:
        assert ann.auth.whoami()["user_id"] == "ann"
        with pytest.raises(taskwire.PermissionDenied):
            ann.tasks.delete(task_id=other["task_id"])
        assert ann.tasks.create(title="Mine")["created_by"] == "ann"
        with pytest.raises(taskwire.RateLimited) as info:
            ann.tasks.create(title="Too many")
        assert info.value.retry_after and info.value.retry_after > 0
        with pytest.raises(taskwire.Unauthorized):
            ann.auth.login(token="tw_wrong")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def collaboration_state(admin: taskwire.Client, task_id: str) -> Any:
    task = admin.tasks.get(task_id=task_id)
    return task["comments_count"], task["attachments_count"], task["watchers"]


def test_comments_attachments_and_watching_need_login_on_a_socket(world: Dict[str, Any]) -> None:
    task_id = world["admin"].tasks.create(title="Admin's task")["task_id"]
    client = world["connect"]()
    attempts = [
        ("tasks.comments.add", {"task_id": task_id, "text": "Hello"}),
        ("tasks.attachments.upload", {"task_id": task_id, "filename": "a.txt", "content_base64": b64(b"hi")}),
        ("tasks.watch", {"task_id": task_id}),
    ]
    for method, params in attempts:
        with pytest.raises(taskwire.Unauthorized) as info:
            client.call(method, params)
        assert info.value.code == 401 and info.value.error == "unauthorized", method
    assert collaboration_state(world["admin"], task_id) == (0, 0, [])
    # Logged in, the same connection may do all three on a task of its own.
    client.auth.login(token=world["tokens"]["ann"])
    own = client.tasks.create(title="Ann's task")["task_id"]
    for method, params in attempts:
        client.call(method, dict(params, task_id=own))
    assert collaboration_state(world["admin"], own) == (1, 1, ["ann"])


def test_member_cannot_comment_upload_or_watch_another_users_task(world: Dict[str, Any]) -> None:
    admin = world["admin"]
    task_id = admin.tasks.create(title="Admin's task")["task_id"]
    ann = world["connect"]("ann")
    refused = [
        lambda: ann.tasks.comments.add(task_id=task_id, text="Let me help"),
        lambda: ann.tasks.attachments.upload(task_id=task_id, filename="notes.txt", content_base64=b64(b"notes")),
        lambda: ann.tasks.watch(task_id=task_id),
    ]
    for attempt in refused:
        with pytest.raises(taskwire.PermissionDenied) as info:
            attempt()
        assert info.value.code == 403 and info.value.error == "permission_denied"
    assert collaboration_state(admin, task_id) == (0, 0, [])
    assert ann.tasks.comments.list(task_id=task_id)["total"] == 0
    # Assigned to her, the same calls are allowed.
    assigned = admin.tasks.create(title="For Ann", assignee="ann")["task_id"]
    assert ann.tasks.comments.add(task_id=assigned, text="On it")["author"] == "ann"
    upload = ann.tasks.attachments.upload(task_id=assigned, filename="notes.txt", content_base64=b64(b"notes"))
    assert upload["uploaded_by"] == "ann"
    assert ann.tasks.watch(task_id=assigned)["watchers"] == ["ann"]


@pytest.mark.server_args("--rate-limit", "comment=1/hour")
def test_comment_rate_limit_answers_429_with_retry_after(world: Dict[str, Any]) -> None:
    bob = world["connect"]("bob")
    task_id = bob.tasks.create(title="Bob's task")["task_id"]
    bob.tasks.comments.add(task_id=task_id, text="First")
    with pytest.raises(taskwire.RateLimited) as info:
        bob.tasks.comments.add(task_id=task_id, text="Second")
    assert info.value.code == 429 and info.value.error == "rate_limited"
    assert info.value.data["operation"] == "comment"
    assert isinstance(info.value.retry_after, int) and 3500 < info.value.retry_after <= 3600
    assert [c["text"] for c in bob.tasks.comments.list(task_id=task_id)["comments"]] == ["First"]
    # The limit is per user: Ann still has her comment, and system is never limited.
    ann = world["connect"]("ann")
    ann_task = ann.tasks.create(title="Ann's task")["task_id"]
    assert ann.tasks.comments.add(task_id=ann_task, text="Mine")["author"] == "ann"
    for text in ("One", "Two"):
        world["admin"].tasks.comments.add(task_id=task_id, text=text)


@pytest.mark.server_args("--max-attachment-bytes", "1K")
def test_upload_over_max_attachment_bytes_on_a_socket_is_too_large(world: Dict[str, Any]) -> None:
    ann = world["connect"]("ann")
    task_id = ann.tasks.create(title="Ann's task")["task_id"]
    with pytest.raises(taskwire.TooLarge) as info:
        ann.tasks.attachments.upload(task_id=task_id, filename="big.bin", content_base64=b64(b"x" * 1025))
    assert info.value.code == 413 and info.value.error == "too_large"
    assert info.value.data["field"] == "content_base64" and info.value.data["max_bytes"] == 1024
    assert ann.tasks.attachments.list(task_id=task_id)["total"] == 0
    exact = ann.tasks.attachments.upload(task_id=task_id, filename="fits.bin", content_base64=b64(b"y" * 1024))
    assert exact["size_bytes"] == 1024
    assert [a["filename"] for a in ann.tasks.attachments.list(task_id=task_id)["attachments"]] == ["fits.bin"]


def test_users_get_after_login(world: Dict[str, Any]) -> None:
    client = world["connect"]()
    with pytest.raises(taskwire.Unauthorized):
        client.users.get(user_id="ann")
    client.auth.login(token=world["tokens"]["bob"])
    ann = client.users.get(user_id="ann")
    assert (ann["user_id"], ann["name"], ann["role"]) == ("ann", "ann", "member")
    system = client.users.get(user_id="system")
    assert (system["name"], system["role"]) == ("System", "admin")
    assert client.users.get(user_id="bot")["role"] == "agent"
    with pytest.raises(taskwire.NotFound) as info:
        client.users.get(user_id="nobody")
    assert info.value.code == 404 and info.value.error == "user_not_found"
    assert info.value.data["user_id"] == "nobody"


def test_users_list_after_login_pages_and_filters_by_role(world: Dict[str, Any]) -> None:
    client = world["connect"]("ann")
    everyone = client.users.list()
    assert [u["user_id"] for u in everyone["users"]] == ["ann", "bob", "bot", "system"]
    assert (everyone["total"], everyone["page"], everyone["limit"]) == (4, 1, 20)
    pages = [client.users.list(limit=3, page=page) for page in (1, 2, 3)]
    assert [[u["user_id"] for u in p["users"]] for p in pages] == [["ann", "bob", "bot"], ["system"], []]
    assert all(p["total"] == 4 and p["limit"] == 3 for p in pages)
    by_role = {role: client.users.list(role=role) for role in ("member", "agent", "admin")}
    assert [u["user_id"] for u in by_role["member"]["users"]] == ["ann", "bob"]
    assert by_role["member"]["total"] == 2
    assert [u["user_id"] for u in by_role["agent"]["users"]] == ["bot"]
    assert [u["user_id"] for u in by_role["admin"]["users"]] == ["system"]
    second_member = client.users.list(role="member", limit=1, page=2)
    assert [u["user_id"] for u in second_member["users"]] == ["bob"] and second_member["total"] == 2
    with pytest.raises(taskwire.InvalidParams) as info:
        client.users.list(role="boss")
    assert info.value.field == "role"


def test_member_can_unwatch_themselves_from_a_task_an_admin_made_them_watch(world: Dict[str, Any]) -> None:
    admin = world["admin"]
    task_id = admin.tasks.create(title="Admin's task")["task_id"]
    admin.tasks.watch(task_id=task_id, user_id="ann")
    assert admin.tasks.watch(task_id=task_id, user_id="bob")["watchers"] == ["ann", "bob"]
    ann = world["connect"]("ann")
    # Removing someone else still needs an administrator.
    with pytest.raises(taskwire.PermissionDenied):
        ann.tasks.unwatch(task_id=task_id, user_id="bob")
    left = ann.tasks.unwatch(task_id=task_id)
    assert (left["user_id"], left["watching"], left["changed"], left["watchers"]) == ("ann", False, True, ["bob"])
    assert admin.tasks.get(task_id=task_id)["watchers"] == ["bob"]
