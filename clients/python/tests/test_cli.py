"""The taskwire-client command line, run as a process against the real binary over stdio and a socket."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

import taskwire
from conftest import CLIENT_DIR, WAIT
from test_identity import token_create


def run(*args: str, env_extra: dict = None) -> Tuple[int, str, str]:
    env = dict(os.environ, PYTHONPATH=str(CLIENT_DIR))
    env.pop("TASKWIRE_SOCKET", None)
    env.pop("TASKWIRE_TOKEN", None)
    env.update(env_extra or {})
    done = subprocess.run(
        [sys.executable, "-m", "taskwire", *args], capture_output=True, timeout=WAIT * 2, env=env, stdin=subprocess.DEVNULL
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def test_a_call_prints_its_json_result(taskwire_bin: str) -> None:
    spawn = "%s --in-memory" % taskwire_bin
    code, out, err = run("--spawn", spawn, "tasks.create", "title=Call back", "priority=high", 'tags=["a","b"]',
                         'context={"bot_id":"b1"}', "description=12 monkeys")
    assert code == 0, err
    task = json.loads(out)
    assert task["title"] == "Call back" and task["tags"] == ["a", "b"] and task["context"] == {"bot_id": "b1"}
    assert task["description"] == "12 monkeys" and err == ""
    code, out, _ = run("--spawn", spawn, "--raw", "ping")
    assert (code, out) == (0, "{}\n")


@pytest.mark.parametrize(
    "args,status,needle",
    [
        (["tasks.get", "task_id=tsk_0000000000000"], 9, "task_not_found"),
        (["tasks.create", "title=x", "priority=urgent"], 6, "invalid_priority"),
        (["tasks.create", "titel=x"], 6, "invalid_params"),
        (["no.such.method"], 5, "method_not_found"),
    ],
)
def test_errors_go_to_stderr_with_their_exit_status(taskwire_bin: str, args: List[str], status: int, needle: str) -> None:
    code, out, err = run("--spawn", "%s --in-memory" % taskwire_bin, *args)
    assert (code, out) == (status, "")
    assert needle in err and err.startswith("taskwire-client: ")


def test_usage_errors_and_a_server_that_cannot_start(taskwire_bin: str, tmp_path: Path) -> None:
    assert run("--spawn", taskwire_bin, "tasks.get", "task_id")[0] == 2
    assert run("--bogus", "ping")[0] == 2
    assert run()[0] == 2
    code, _, err = run("--spawn", str(tmp_path / "missing-binary"), "ping")
    assert code == 3 and "cannot reach the server" in err
    # A server that refuses to start: its own message is shown.
    code, _, err = run("--spawn", "%s --durability sometimes" % taskwire_bin, "ping")
    assert code == 3 and "durability" in err


def test_help_lists_the_methods_of_the_server(taskwire_bin: str) -> None:
    code, out, _ = run("--spawn", "%s --in-memory" % taskwire_bin, "--help")
    assert code == 0 and out.startswith("usage: taskwire-client")
    with taskwire.Client.spawn(taskwire_bin, args=["--in-memory"], stderr=subprocess.DEVNULL) as client:
        names = [method["name"] for method in client.rpc.discover(timeout=WAIT)["methods"]]
    listed = [line.split()[0] for line in out.split("Methods of this server (rpc.discover):\n")[1].splitlines()
              if line.startswith("  ") and not line.startswith("    ")]
    assert listed == sorted(names)
    assert "title= [description=]" in out
    # Without a server, --help still prints the usage and says why the methods are missing.
    code, out, _ = run("--socket", "/nonexistent/taskwire.sock", "--help")
    assert code == 0 and "could not list the server's methods" in out


@pytest.fixture
def socket_server(taskwire_bin: str, tmp_path: Path) -> Iterator[Tuple[str, str]]:
    data_dir = tmp_path / "data"
    token = token_create(taskwire_bin, data_dir, "ann", "member")
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    with taskwire.Client.spawn(
        taskwire_bin, args=["--data-dir", str(data_dir), "--stdio", "--socket", path], stderr=subprocess.DEVNULL
    ) as admin:
        admin.ping(timeout=WAIT)  # the socket is listening once stdio answers
        try:
            yield path, token
        finally:
            shutil.rmtree(short, ignore_errors=True)


def test_socket_with_a_token(socket_server: Tuple[str, str]) -> None:
    path, token = socket_server
    code, out, err = run("--socket", path, "--token", token, "auth.whoami")
    assert code == 0, err
    assert json.loads(out)["user_id"] == "ann"
    code, _, err = run("--socket", path, "tasks.list")
    assert code == 7 and "unauthorized" in err
    code, _, _ = run("--socket", path, "--token", "tw_wrong", "tasks.list")
    assert code == 7
    # The environment works too.
    code, out, _ = run("tasks.create", "title=From env", env_extra={"TASKWIRE_SOCKET": path, "TASKWIRE_TOKEN": token})
    assert code == 0 and json.loads(out)["created_by"] == "ann"


def test_exit_codes_cover_every_error_class() -> None:
    classes = [cls for cls in vars(taskwire).values()
               if isinstance(cls, type) and issubclass(cls, taskwire.TaskwireError)]
    assert set(classes) == set(taskwire.EXIT_CODES)
    statuses = [status for cls, status in taskwire.EXIT_CODES.items() if cls not in (taskwire.TaskwireError,)]
    assert taskwire.EXIT_USAGE not in statuses and 0 not in statuses
