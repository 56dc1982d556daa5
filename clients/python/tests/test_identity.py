"""Identity against the real binary: tokens from the CLI, socket login, 401/403/429, on_behalf_of, revocation."""

from __future__ import annotations

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
def world(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Dict[str, Any]]:
    """Users made with the CLI, then a server on stdio (as `system`) and a Unix socket, `create` limited to 2/hour."""
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
        args=["--data-dir", str(data_dir), "--stdio", "--socket", path, "--rate-limit", "create=2/hour"],
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
