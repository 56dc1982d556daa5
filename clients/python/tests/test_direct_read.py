"""A call that is alone on the connection reads its own reply; the reader thread covers everything else."""

from __future__ import annotations

import threading
from typing import Any, Dict, List

import pytest

import taskwire
from conftest import WAIT, echo_handler


def record_dispatching_threads(client: taskwire.Client) -> List[str]:
    """Wraps the client's frame dispatch to note the name of the thread that read each frame."""
    core = client._core
    names: List[str] = []
    original = core._dispatch_body

    def dispatch(body: bytes) -> None:
        names.append(threading.current_thread().name)
        original(body)

    core._dispatch_body = dispatch  # type: ignore[method-assign]
    return names


@pytest.mark.parametrize("framing", ["ndjson", "lsp"])
def test_lone_calls_read_their_own_replies_on_the_calling_thread(fake: Any, framing: str) -> None:
    _, client = fake(echo_handler, framing)
    names = record_dispatching_threads(client)
    for n in range(20):
        assert client.call("tasks.get", task_id="tsk_%d" % n)["params"] == {"task_id": "tsk_%d" % n}
    # The first reply may come through the reader thread (it was reading when the call began); once it
    # parks, every later call reads its own reply, with no hand-off to another thread.
    assert names[1:] == [threading.current_thread().name] * 19


def test_a_call_started_while_another_reads_its_own_reply_gets_its_reply(fake: Any) -> None:
    b_answered = threading.Event()
    held: Dict[str, Any] = {}

    def handler(message: Any) -> Any:
        if message["method"] == "a":
            held["a"] = message  # answered later, once b has its reply
            return None
        return {"jsonrpc": "2.0", "id": message["id"], "result": message["method"]}

    server, client = fake(handler)
    assert client.call("warm", timeout=WAIT) == "warm"
    assert client.call("warm", timeout=WAIT) == "warm"  # the reader is parked: "a" reads its own reply
    outcome: Dict[str, Any] = {}

    def call_a() -> None:
        outcome["a"] = client.call("a", timeout=WAIT)

    thread_a = threading.Thread(target=call_a)
    thread_a.start()
    assert server.next_received()["method"] == "warm"
    assert server.next_received()["method"] == "warm"
    assert server.next_received()["method"] == "a"

    def call_b() -> None:
        outcome["b"] = client.call("b", timeout=WAIT)
        b_answered.set()

    thread_b = threading.Thread(target=call_b)
    thread_b.start()
    assert b_answered.wait(WAIT), "a call made while another one reads must still get its reply"
    server.send({"jsonrpc": "2.0", "id": held["a"]["id"], "result": "a"})
    thread_a.join(WAIT)
    thread_b.join(WAIT)
    assert outcome == {"a": "a", "b": "b"}
    # Concurrent calls from many threads, then lone calls again.
    results: List[Any] = []
    threads = [
        threading.Thread(target=lambda n=n: results.append(client.call("c%d" % n, timeout=WAIT))) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(results) == sorted("c%d" % n for n in range(8))
    assert client.call("last", timeout=WAIT) == "last"


def test_a_stream_opened_after_lone_calls_sees_pushes(fake: Any) -> None:
    server, client = fake(echo_handler)
    for _ in range(3):
        client.call("ping", timeout=WAIT)
    with client.notifications() as stream:
        server.send({"jsonrpc": "2.0", "method": "events.event", "params": {"n": 1}})
        assert stream.get(timeout=WAIT) == taskwire.Notification("events.event", {"n": 1})
        # Calls made while a stream is open go through the reader thread; pushes keep flowing.
        assert client.call("ping", timeout=WAIT)["method"] == "ping"
        server.send({"jsonrpc": "2.0", "method": "events.event", "params": {"n": 2}})
        assert stream.get(timeout=WAIT) == taskwire.Notification("events.event", {"n": 2})


def test_an_idle_connection_after_lone_calls_still_answers_server_requests(fake: Any) -> None:
    server, client = fake(echo_handler)
    for _ in range(3):
        client.call("ping", timeout=WAIT)
    for _ in range(3):
        server.next_received()
    # Nobody calls any more: the reader thread stops parking and reads the request.
    server.send({"jsonrpc": "2.0", "id": "srv-2", "method": "client.do_something"})
    reply = server.next_received()
    assert reply["id"] == "srv-2" and reply["error"]["code"] == -32601


def test_a_lone_call_that_times_out_leaves_the_client_usable(fake: Any) -> None:
    held: List[Any] = []

    def handler(message: Any) -> Any:
        if message.get("method") == "slow":
            held.append(message)
            return None
        if "id" not in message:
            return None  # $/cancelRequest
        return {"jsonrpc": "2.0", "id": message["id"], "result": message["method"]}

    server, client = fake(handler)
    assert client.call("warm", timeout=WAIT) == "warm"
    with pytest.raises(taskwire.TaskwireTimeout):
        client.call("slow", timeout=0.2)
    assert [server.next_received()["method"] for _ in range(2)] == ["warm", "slow"]
    cancel = server.next_received()
    assert cancel["method"] == "$/cancelRequest" and cancel["params"] == {"id": held[0]["id"]}
    server.send({"jsonrpc": "2.0", "id": held[0]["id"], "result": "late"})
    assert client.call("after", timeout=WAIT) == "after"


def test_server_going_away_during_a_lone_call_fails_it(fake: Any) -> None:
    def handler(message: Any) -> Any:
        if message["method"] == "hang":
            return None
        return {"jsonrpc": "2.0", "id": message["id"], "result": "ok"}

    server, client = fake(handler)
    assert client.call("warm", timeout=WAIT) == "ok"
    failure: Dict[str, Any] = {}

    def call() -> None:
        try:
            client.call("hang", timeout=WAIT)
        except taskwire.ConnectionClosed as exc:
            failure["error"] = exc

    thread = threading.Thread(target=call)
    thread.start()
    assert server.next_received()["method"] == "warm"
    assert server.next_received()["method"] == "hang"
    server.disconnect()
    thread.join(WAIT)
    assert isinstance(failure.get("error"), taskwire.ConnectionClosed)
    assert client.closed
