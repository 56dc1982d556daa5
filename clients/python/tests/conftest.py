"""Shared fixtures: the client module on the path, the real server binary, and a fake in-process server."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import pytest

CLIENT_DIR = Path(__file__).resolve().parent.parent
REPO = CLIENT_DIR.parent.parent
sys.path.insert(0, str(CLIENT_DIR))

import taskwire  # noqa: E402

#: Upper bound for every wait in the tests; a healthy run never comes close.
WAIT = 30.0


def binary_path() -> Path:
    """The server under test: ``$TASKWIRE_BIN``, else ``<repo>/.build/debug/taskwire``."""
    configured = os.environ.get("TASKWIRE_BIN")
    return Path(configured) if configured else REPO / ".build" / "debug" / "taskwire"


def on_postgres() -> bool:
    """Whether this run serves every data directory from PostgreSQL (``tests/postgres_backend.py``)."""
    return os.environ.get("TASKWIRE_TEST_BACKEND") == "postgres"


def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    if not on_postgres():
        return
    skip = pytest.mark.skip(reason="about the files of a data directory; this run serves from PostgreSQL")
    for item in items:
        if item.get_closest_marker("file_store"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def taskwire_bin() -> str:
    path = binary_path()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            "taskwire binary not found at %s: build it with `swift build --product taskwire` "
            "or point TASKWIRE_BIN at one" % path,
            pytrace=False,
        )
    return str(path)


@pytest.fixture
def server_log(tmp_path: Path) -> Iterator[Any]:
    """A file that collects the server's stderr; shown when a test fails."""
    path = tmp_path / "server.log"
    with open(path, "wb") as handle:
        yield handle
    text = path.read_text(errors="replace")
    if text:
        sys.stderr.write("--- taskwire stderr ---\n%s\n" % text[-4000:])


@pytest.fixture
def spawn(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Callable[..., taskwire.Client]]:
    """Starts the real server over stdio; every client it made is closed (and its child reaped) afterwards."""
    clients: List[taskwire.Client] = []

    def start(framing: str = "ndjson", args: Optional[List[str]] = None, **options: Any) -> taskwire.Client:
        data_dir = tmp_path / ("data%d" % len(clients))
        argv = ["--data-dir", str(data_dir)] + list(args or [])
        client = taskwire.Client.spawn(taskwire_bin, args=argv, framing=framing, stderr=server_log, **options)
        clients.append(client)
        return client

    yield start
    for client in clients:
        process = client.process
        if process is not None and process.poll() is None:
            # A test may leave its server stopped with SIGSTOP; let it see the end of input.
            process.send_signal(signal.SIGCONT)
        client.close()


class FakeServer:
    """A scripted JSON-RPC peer on one end of a socketpair; the client under test gets the other end.

    ``handler(message)`` returns the reply object to send (or ``None`` to stay silent). Every message the
    client sends is also put on ``received``.
    """

    def __init__(self, framing: str, handler: Callable[[Any], Any]) -> None:
        self.framing = framing
        self.handler = handler
        self.client_sock, self.sock = socket.socketpair()
        self.received: "queue.Queue[Any]" = queue.Queue()
        self._write_lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        decoder = taskwire.FrameDecoder(self.framing)
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            for body in decoder.feed(chunk):
                message = json.loads(body)
                self.received.put(message)
                reply = self.handler(message)
                if reply is not None:
                    self.send(reply)

    def send(self, message: Any) -> None:
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        with self._write_lock:
            self.sock.sendall(taskwire.encode_frame(body, self.framing))

    def next_received(self) -> Any:
        return self.received.get(timeout=WAIT)

    def disconnect(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


@pytest.fixture
def fake() -> Iterator[Callable[..., Any]]:
    """Builds (FakeServer, Client) pairs and tears them down."""
    made: List[Any] = []

    def build(handler: Callable[[Any], Any], framing: str = "ndjson", **options: Any) -> Any:
        server = FakeServer(framing, handler)
        client = taskwire.Client.from_socket(server.client_sock, framing, **options)
        made.append((server, client))
        return server, client

    yield build
    for server, client in made:
        client.close()
        server.disconnect()


def echo_handler(message: Any) -> Any:
    """Answers every request with ``{"method": ..., "params": ...}``; notifications and replies get nothing."""
    if isinstance(message, list):
        replies = [echo_handler(member) for member in message]
        replies = [reply for reply in replies if reply is not None]
        return replies or None
    if "id" not in message or "method" not in message:
        return None
    result = {"method": message["method"], "params": message.get("params")}
    return {"jsonrpc": "2.0", "id": message["id"], "result": result}


@contextlib.contextmanager
def stopped(process: subprocess.Popen) -> Iterator[None]:
    """The server process is frozen with SIGSTOP inside the block and resumed with SIGCONT after it."""
    process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
