"""The client against the real `taskwire` binary, over stdio in both framings and over a Unix socket."""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import taskwire
from conftest import CLIENT_DIR, WAIT, stopped
from schema_check import openrpc_errors

FRAMINGS = ["ndjson", "lsp"]
BUILTINS = {"ping", "server.info", "rpc.discover"}


@pytest.mark.parametrize("framing", FRAMINGS)
def test_ping_returns_empty_object(spawn: Callable[..., taskwire.Client], framing: str) -> None:
    client = spawn(framing)
    assert client.call("ping", timeout=WAIT) == {}
    assert client.ping(timeout=WAIT) == {}


@pytest.mark.parametrize("framing", FRAMINGS)
def test_server_info_describes_the_server(spawn: Callable[..., taskwire.Client], framing: str) -> None:
    info = spawn(framing).server.info(timeout=WAIT)
    assert info["name"] == "taskwire"
    assert isinstance(info["version"], str) and info["version"]
    assert isinstance(info["uptime_seconds"], (int, float)) and info["uptime_seconds"] >= 0


@pytest.mark.parametrize("framing", FRAMINGS)
def test_rpc_discover_returns_a_valid_openrpc_document(spawn: Callable[..., taskwire.Client], framing: str) -> None:
    document = spawn(framing).rpc.discover(timeout=WAIT)
    assert document["info"]["title"] == "taskwire"
    names = {method["name"] for method in document["methods"]}
    assert BUILTINS <= names, "rpc.discover lacks %s" % sorted(BUILTINS - names)
    errors = openrpc_errors(document)
    assert not errors, "rpc.discover's document breaks the OpenRPC 1.4 meta-schema:\n" + "\n".join(errors)


@pytest.mark.parametrize("framing", FRAMINGS)
def test_unknown_method_raises_method_not_found(spawn: Callable[..., taskwire.Client], framing: str) -> None:
    client = spawn(framing)
    with pytest.raises(taskwire.MethodNotFound) as info:
        client.call("tasks.no_such_verb", timeout=WAIT)
    err = info.value
    assert err.code == -32601
    assert err.error == "method_not_found"
    assert isinstance(err.message, str) and err.message
    assert isinstance(err.data, dict)


def test_unknown_param_raises_invalid_params_naming_it(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    with pytest.raises(taskwire.InvalidParams) as info:
        client.call("ping", bogus_field=1, timeout=WAIT)
    assert info.value.code == -32602
    assert info.value.error == "invalid_params"
    assert info.value.field == "bogus_field"
    assert client.ping(timeout=WAIT) == {}


@pytest.mark.parametrize("framing", FRAMINGS)
def test_multibyte_text_round_trips(spawn: Callable[..., taskwire.Client], framing: str) -> None:
    # The server echoes the unknown field's name: UTF-8 both ways, Content-Length counted in bytes.
    name = "tâche_✓_日本_🚀"
    client = spawn(framing)
    with pytest.raises(taskwire.InvalidParams) as info:
        client.call("ping", {name: 1}, timeout=WAIT)
    assert info.value.field == name
    assert client.ping(timeout=WAIT) == {}


@pytest.mark.parametrize("framing", FRAMINGS)
def test_batch_mixes_results_and_errors_in_order(spawn: Callable[..., taskwire.Client], framing: str) -> None:
    client = spawn(framing)
    outcomes = client.call_batch(
        [("ping", {}), ("no.such.method", None), ("server.info", None), ("ping", {"bogus": 1}), ("ping", None)],
        timeout=WAIT,
    )
    assert outcomes[0] == {}
    assert isinstance(outcomes[1], taskwire.MethodNotFound)
    assert outcomes[2]["name"] == "taskwire"
    assert isinstance(outcomes[3], taskwire.InvalidParams) and outcomes[3].field == "bogus"
    assert outcomes[4] == {}

    with client.batch(timeout=WAIT) as batch:
        info = batch.call("server.info")
        batch.notify("ping")
        missing = batch.call("nope")
    assert info.result(0)["name"] == "taskwire"
    assert isinstance(missing.exception(0), taskwire.MethodNotFound)


@pytest.mark.parametrize("framing", FRAMINGS)
def test_batch_over_max_batch_fails_every_member_with_too_large(
    spawn: Callable[..., taskwire.Client], framing: str
) -> None:
    # The 413 comes with "id": null. Without a timeout of its own, call_batch would wait forever if the
    # client could not match it to the batch; the batch's timeout only bounds a regression.
    client = spawn(framing, args=["--max-batch", "2"])
    outcomes = client.call_batch([("tasks.create", {"title": "t%d" % n}) for n in range(3)], timeout=WAIT)
    assert len(outcomes) == 3
    for outcome in outcomes:
        assert isinstance(outcome, taskwire.TooLarge), outcome
        assert outcome.code == 413 and outcome.error == "too_large" and outcome.data["limit"] == 2
    # None of the members ran, and the connection is still usable, batches of the allowed size included.
    assert client.tasks.list(timeout=WAIT)["total"] == 0
    assert client.call_batch([("ping", None), ("ping", None)], timeout=WAIT) == [{}, {}]

    with client.batch(timeout=WAIT) as batch:
        futures = [batch.call("ping") for _ in range(3)]
    for future in futures:
        with pytest.raises(taskwire.TooLarge):
            future.result(0)
    assert client.ping(timeout=WAIT) == {}


@pytest.mark.parametrize("framing", FRAMINGS)
def test_frame_over_max_frame_bytes_fails_the_call_with_too_large(
    spawn: Callable[..., taskwire.Client], framing: str
) -> None:
    # The client's own limit stays at its default, so the 2 KB request reaches the server's 1 KiB limit.
    client = spawn(framing, args=["--max-frame-bytes", "1K"])
    with pytest.raises(taskwire.TooLarge) as info:
        client.tasks.create(title="Big", description="x" * 2048, timeout=WAIT)
    assert info.value.code == 413 and info.value.error == "too_large"
    # call_async has no timeout of its own: only the reader matching the id-null error ends this future.
    future = client.call_async("tasks.create", title="Big", description="y" * 2048)
    with pytest.raises(taskwire.TooLarge):
        future.result(WAIT)
    assert client.tasks.list(timeout=WAIT)["total"] == 0
    assert client.tasks.create(title="Small", timeout=WAIT)["title"] == "Small"
    assert client.ping(timeout=WAIT) == {}


def test_batch_reply_over_max_outbound_bytes_fails_every_member(spawn: Callable[..., taskwire.Client]) -> None:
    limit = 64 * 1024
    client = spawn(args=["--max-outbound-bytes", "64K"])
    one_reply = len(json.dumps(client.rpc.discover(timeout=WAIT)))
    count = limit // one_reply + 2
    outcomes = client.call_batch([("rpc.discover", None)] * count, timeout=WAIT)
    for outcome in outcomes:
        assert isinstance(outcome, taskwire.TooLarge), outcome
        assert outcome.error == "too_large" and outcome.data["max_bytes"] == limit
    assert client.ping(timeout=WAIT) == {}


def test_notifications_get_no_reply(spawn: Callable[..., taskwire.Client], caplog: Any) -> None:
    client = spawn()
    with caplog.at_level(logging.DEBUG, logger="taskwire"):
        client.notify("ping")
        client.notify("no.such.method")
        client.notify("ping", bogus=1)
        # Requests of one connection start in arrival order, so any reply to the notifications would
        # have been written before this call's reply.
        assert client.call("ping", timeout=WAIT) == {}
    unmatched = [r.getMessage() for r in caplog.records if "reply" in r.getMessage()]
    assert unmatched == []
    assert not client.closed


def test_eight_threads_calling_at_once_get_their_own_replies(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    failures: List[str] = []
    barrier = threading.Barrier(8)

    def check(kind: int) -> None:
        if kind == 0:
            assert client.call("ping", timeout=WAIT) == {}
        elif kind == 1:
            assert client.call("server.info", timeout=WAIT)["name"] == "taskwire"
        elif kind == 2:
            assert "openrpc" in client.call("rpc.discover", timeout=WAIT)
        else:
            with pytest.raises(taskwire.MethodNotFound):
                client.call("missing.method", timeout=WAIT)

    def worker(n: int) -> None:
        try:
            barrier.wait(WAIT)
            for i in range(40):
                check((n + i) % 4)
        except BaseException as exc:  # noqa: BLE001 - collected and reported by the test thread
            failures.append("thread %d: %r" % (n, exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert not any(t.is_alive() for t in threads)
    assert failures == []


def test_timeout_raises_and_the_client_stays_usable(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    process = client.process
    assert process is not None
    with stopped(process):
        with pytest.raises(taskwire.TaskwireTimeout) as info:
            client.call("ping", timeout=0.3)
        assert isinstance(info.value, TimeoutError)
    # Resumed, the server answers (or cancels) the timed-out call; that reply is dropped.
    assert client.call("ping", timeout=WAIT) == {}
    assert client.server.info(timeout=WAIT)["name"] == "taskwire"


def test_close_ends_the_child(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    process = client.process
    assert process is not None and client.ping(timeout=WAIT) == {}
    client.close()
    assert process.poll() == 0, "the server should exit 0 on end of input"
    assert client.closed
    with pytest.raises(taskwire.ConnectionClosed):
        client.ping()


def test_context_manager_and_a_frozen_child_is_killed(taskwire_bin: str, tmp_path: Path) -> None:
    with taskwire.Client.spawn(
        taskwire_bin, args=["--data-dir", str(tmp_path)], stderr=subprocess.DEVNULL, close_timeout=0.3
    ) as client:
        process = client.process
        assert process is not None and client.ping(timeout=WAIT) == {}
        # A stopped server can neither read end of input nor act on SIGTERM: only SIGKILL ends it.
        process.send_signal(signal.SIGSTOP)
    assert process.poll() == -signal.SIGKILL


def test_dropped_client_is_reaped(taskwire_bin: str, tmp_path: Path) -> None:
    client = taskwire.Client.spawn(
        taskwire_bin, args=["--data-dir", str(tmp_path)], stderr=subprocess.DEVNULL, close_timeout=0.3
    )
    process = client.process
    assert process is not None and client.ping(timeout=WAIT) == {}
    del client
    gc.collect()
    assert process.poll() is not None


def test_interpreter_exit_reaps_a_forgotten_child(taskwire_bin: str, tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import signal, subprocess, sys
        sys.path.insert(0, sys.argv[1])
        import taskwire
        client = taskwire.Client.spawn(sys.argv[2], args=["--data-dir", sys.argv[3]],
                                       stderr=subprocess.DEVNULL, close_timeout=0.3)
        assert client.ping(timeout=10) == {}
        client.process.send_signal(signal.SIGSTOP)  # it would never exit on its own
        print(client.process.pid, flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(CLIENT_DIR), taskwire_bin, str(tmp_path)],
        capture_output=True,
        timeout=WAIT * 2,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout.strip())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_server_killed_mid_call_raises_connection_closed(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn()
    process = client.process
    assert process is not None
    with stopped(process):
        future = client.call_async("ping")  # written to the pipe, never read
        process.kill()
        with pytest.raises(taskwire.ConnectionClosed):
            future.result(timeout=WAIT)
    with pytest.raises(taskwire.ConnectionClosed):
        client.ping(timeout=WAIT)


# -- Unix socket --------------------------------------------------------------------------------


@pytest.fixture
def socket_server(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Dict[str, Any]]:
    """`taskwire --socket PATH` as a separate process; stopped with SIGTERM afterwards."""
    # sun_path holds 108 bytes: keep the socket in a short directory.
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    process = subprocess.Popen(
        [taskwire_bin, "--socket", path, "--data-dir", str(tmp_path / "data")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=server_log,
    )
    try:
        yield {"path": path, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if os.path.exists(path):
            os.unlink(path)
        short.rmdir()


@pytest.mark.parametrize("framing", FRAMINGS)
def test_unix_socket_calls_and_batches(socket_server: Dict[str, Any], framing: str) -> None:
    # Before auth.login a socket connection may call rpc.discover and server.info.
    with taskwire.Client.connect_unix(socket_server["path"], framing, wait=WAIT) as client:
        info = client.server.info(timeout=WAIT)
        assert info["name"] == "taskwire" and info["transport"] == "unix"
        # Nothing about where the data lives or what it holds before a login.
        assert not {"data_directory", "storage", "limits", "counts"} & info.keys()
        document = client.rpc.discover(timeout=WAIT)
        assert document["info"]["title"] == "taskwire" and isinstance(document["methods"], list)
        outcomes = client.call_batch([("server.info", None), ("rpc.discover", None)], timeout=WAIT)
        assert outcomes[0]["name"] == "taskwire" and "openrpc" in outcomes[1]
    assert client.closed
    assert socket_server["process"].poll() is None, "a client leaving must not stop the server"


def test_unix_socket_serves_two_clients_with_different_framings(socket_server: Dict[str, Any]) -> None:
    first = taskwire.Client.connect_unix(socket_server["path"], "ndjson", wait=WAIT)
    second = taskwire.Client.connect_unix(socket_server["path"], "lsp", wait=WAIT)
    try:
        assert first.server.info(timeout=WAIT)["name"] == "taskwire"
        assert second.server.info(timeout=WAIT)["name"] == "taskwire"
    finally:
        first.close()
        second.close()


def test_unix_socket_server_stopping_closes_the_client(socket_server: Dict[str, Any]) -> None:
    client = taskwire.Client.connect_unix(socket_server["path"], wait=WAIT)
    assert client.server.info(timeout=WAIT)["name"] == "taskwire"
    socket_server["process"].kill()
    with pytest.raises(taskwire.ConnectionClosed):
        client.call_async("server.info").result(timeout=WAIT)
    client.close()


def test_connect_unix_without_a_server_fails_after_wait(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        taskwire.Client.connect_unix(str(tmp_path / "absent.sock"), wait=0.05)
