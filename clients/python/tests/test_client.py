"""Client behaviour against a scripted in-process server over a socketpair."""

from __future__ import annotations

import logging
import queue
import signal
import subprocess
import sys
import threading
from typing import Any, Dict, List

import pytest

import taskwire
from conftest import WAIT, echo_handler


def error_reply(message: Any, code: int, text: str, data: Any = None) -> Dict[str, Any]:
    error: Dict[str, Any] = {"code": code, "message": text}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": message["id"], "error": error}


@pytest.mark.parametrize("framing", ["ndjson", "lsp"])
def test_call_sends_named_params_and_returns_result(fake: Any, framing: str) -> None:
    server, client = fake(echo_handler, framing)
    assert client.call("tasks.get", task_id="tsk_1") == {"method": "tasks.get", "params": {"task_id": "tsk_1"}}
    sent = server.next_received()
    assert sent == {"jsonrpc": "2.0", "id": sent["id"], "method": "tasks.get", "params": {"task_id": "tsk_1"}}
    assert isinstance(sent["id"], int)


def test_ids_are_increasing_integers(fake: Any) -> None:
    server, client = fake(echo_handler)
    for _ in range(3):
        client.call("ping")
    ids = [server.next_received()["id"] for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_params_dict_list_and_keywords(fake: Any) -> None:
    _, client = fake(echo_handler)
    assert client.call("ping")["params"] is None
    assert client.call("x", {"a": 1}, b=2)["params"] == {"a": 1, "b": 2}
    assert client.call("x", [1, "two"])["params"] == [1, "two"]
    # Names that clash with call()'s own arguments travel in the dict.
    assert client.call("x", {"method": "m", "timeout": 3})["params"] == {"method": "m", "timeout": 3}
    with pytest.raises(TypeError):
        client.call("x", [1], b=2)
    with pytest.raises(TypeError):
        client.call("x", "not params")


def test_attribute_paths_become_method_names(fake: Any) -> None:
    # Names the schema does not have (a newer server's methods) are still reachable as attribute paths.
    _, client = fake(echo_handler)
    reply = client.tasks.reminders.add(task_id="tsk_1", content="hi")
    assert reply == {"method": "tasks.reminders.add", "params": {"task_id": "tsk_1", "content": "hi"}}
    assert client.future.method({"title": "t"})["params"] == {"title": "t"}
    assert client.tasks.archive(task_id="tsk_1")["method"] == "tasks.archive"
    with pytest.raises(AttributeError):
        client._private  # noqa: B018 - underscore names are never turned into calls


ALL_ERRORS = [
    (-32700, taskwire.ParseError, "parse_error"),
    (-32600, taskwire.InvalidRequest, "invalid_request"),
    (-32601, taskwire.MethodNotFound, "method_not_found"),
    (-32602, taskwire.InvalidParams, "invalid_params"),
    (-32603, taskwire.InternalError, "internal_error"),
    (-32800, taskwire.RequestCancelled, "request_cancelled"),
    (401, taskwire.Unauthorized, "unauthorized"),
    (403, taskwire.PermissionDenied, "permission_denied"),
    (404, taskwire.NotFound, "task_not_found"),
    (409, taskwire.Conflict, "invalid_transition"),
    (413, taskwire.TooLarge, "too_large"),
    (429, taskwire.RateLimited, "rate_limited"),
    (503, taskwire.Unavailable, "unavailable"),
]


@pytest.mark.parametrize("code,cls,error", ALL_ERRORS)
def test_error_code_selects_exception_class(fake: Any, code: int, cls: type, error: str) -> None:
    _, client = fake(lambda m: error_reply(m, code, "It failed.", {"error": error, "detail": 7}))
    with pytest.raises(cls) as info:
        client.call("anything")
    err = info.value
    assert type(err) is cls and isinstance(err, taskwire.TaskwireError)
    assert (err.code, err.message, err.error) == (code, "It failed.", error)
    assert err.data == {"error": error, "detail": 7}
    assert error in str(err) and "It failed." in str(err)


def test_unknown_code_and_missing_data_give_the_base_class(fake: Any) -> None:
    _, client = fake(lambda m: error_reply(m, 418, "I'm a teapot."))
    with pytest.raises(taskwire.TaskwireError) as info:
        client.call("brew")
    assert type(info.value) is taskwire.TaskwireError
    assert (info.value.code, info.value.data, info.value.error) == (418, None, None)


def test_invalid_params_field_and_rate_limit_retry_after(fake: Any) -> None:
    def handler(message: Any) -> Any:
        if message["method"] == "tasks.create":
            return error_reply(message, -32602, "Unknown field titel.", {"error": "invalid_params", "field": "titel"})
        return error_reply(message, 429, "Slow down.", {"error": "rate_limited", "retry_after_seconds": 12})

    _, client = fake(handler)
    with pytest.raises(taskwire.InvalidParams) as bad:
        client.call("tasks.create", titel="x")
    assert bad.value.field == "titel"
    with pytest.raises(taskwire.RateLimited) as limited:
        client.tasks.list()
    assert limited.value.retry_after == 12


def test_replies_out_of_order_reach_the_right_callers(fake: Any) -> None:
    held: "queue.Queue[Any]" = queue.Queue()
    count = 16

    def handler(message: Any) -> Any:
        held.put(message)
        if held.qsize() == count:
            # Answer everything at once, newest first.
            pending = [held.get() for _ in range(count)]
            for request in reversed(pending):
                server.send({"jsonrpc": "2.0", "id": request["id"], "result": request["params"]["n"]})
        return None

    server, client = fake(handler)
    results: Dict[int, Any] = {}

    def worker(n: int) -> None:
        results[n] = client.call("echo", n=n, timeout=WAIT)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert results == {n: n for n in range(count)}


def test_timeout_raises_sends_cancel_and_client_stays_usable(fake: Any) -> None:
    def handler(message: Any) -> Any:
        if message.get("method") == "slow":
            return None
        return echo_handler(message)

    server, client = fake(handler)
    with pytest.raises(taskwire.TaskwireTimeout) as info:
        client.call("slow", timeout=0.2)
    assert isinstance(info.value, TimeoutError)
    slow = server.next_received()
    cancel = server.next_received()
    assert cancel == {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": slow["id"]}}
    assert info.value.request_id == slow["id"]
    # A late reply to the timed-out call is dropped, and the next call gets its own reply.
    server.send({"jsonrpc": "2.0", "id": slow["id"], "result": "late"})
    assert client.call("ping", timeout=WAIT)["method"] == "ping"


def test_default_timeout_from_the_client(fake: Any) -> None:
    _, client = fake(lambda m: None, timeout=0.1)
    with pytest.raises(taskwire.TaskwireTimeout):
        client.call("never")


def test_server_going_away_fails_pending_and_later_calls(fake: Any) -> None:
    server, client = fake(lambda m: None)
    future = client.call_async("hangs")
    server.next_received()
    server.disconnect()
    with pytest.raises(taskwire.ConnectionClosed):
        future.result(timeout=WAIT)
    assert client.closed
    with pytest.raises(taskwire.ConnectionClosed) as info:
        client.call("ping")
    assert isinstance(info.value, ConnectionError)


def test_close_fails_pending_calls(fake: Any) -> None:
    _, client = fake(lambda m: None)
    future = client.call_async("hangs")
    client.close()
    with pytest.raises(taskwire.ConnectionClosed) as info:
        future.result(timeout=WAIT)
    assert "closed" in info.value.message
    client.close()  # idempotent


def test_notifications_reach_the_callback_on_the_reader_thread(fake: Any) -> None:
    seen: "queue.Queue[Any]" = queue.Queue()
    server, client = fake(echo_handler, on_notification=lambda m, p: seen.put((m, p, threading.current_thread().name)))
    server.send({"jsonrpc": "2.0", "method": "events.task_created", "params": {"task_id": "tsk_1"}})
    server.send({"jsonrpc": "2.0", "method": "events.heartbeat"})
    assert seen.get(timeout=WAIT) == ("events.task_created", {"task_id": "tsk_1"}, "taskwire-reader")
    assert seen.get(timeout=WAIT) == ("events.heartbeat", None, "taskwire-reader")


def test_failing_callback_is_logged_and_reader_keeps_going(fake: Any, caplog: Any) -> None:
    seen: "queue.Queue[str]" = queue.Queue()

    def callback(method: str, params: Any) -> None:
        seen.put(method)
        if method == "boom":
            raise RuntimeError("callback bug")

    server, client = fake(echo_handler, on_notification=callback)
    with caplog.at_level(logging.ERROR, logger="taskwire"):
        server.send({"jsonrpc": "2.0", "method": "boom"})
        server.send({"jsonrpc": "2.0", "method": "after"})
        assert seen.get(timeout=WAIT) == "boom"
        assert seen.get(timeout=WAIT) == "after"
        assert client.call("ping", timeout=WAIT)["method"] == "ping"
    assert any("boom" in r.getMessage() and r.exc_info for r in caplog.records)


def test_server_request_is_answered_method_not_found(fake: Any) -> None:
    server, client = fake(echo_handler)
    server.send({"jsonrpc": "2.0", "id": "srv-1", "method": "client.do_something"})
    reply = server.next_received()
    assert reply["id"] == "srv-1" and reply["error"]["code"] == -32601


@pytest.mark.parametrize("framing", ["ndjson", "lsp"])
def test_batch_builder_sends_one_frame_and_resolves_futures_in_order(fake: Any, framing: str) -> None:
    def handler(message: Any) -> Any:
        assert isinstance(message, list)
        replies: List[Any] = []
        for member in message:
            if "id" not in member:
                continue
            if member["method"] == "bad":
                replies.append(error_reply(member, 404, "Task tsk_x not found.", {"error": "task_not_found"}))
            else:
                replies.append(echo_handler(member))
        return list(reversed(replies))

    server, client = fake(handler, framing)
    with client.batch() as batch:
        first = batch.call("one", n=1)
        batch.notify("note", x=1)
        second = batch.call("bad")
        third = batch.call("three")
    frame = server.next_received()
    assert [m["method"] for m in frame] == ["one", "note", "bad", "three"]
    assert "id" not in frame[1]
    assert first.result(0) == {"method": "one", "params": {"n": 1}}
    with pytest.raises(taskwire.NotFound):
        second.result(0)
    assert third.result(0)["method"] == "three"


def test_call_batch_returns_results_and_exceptions_in_order(fake: Any) -> None:
    def handler(message: Any) -> Any:
        return [
            error_reply(m, -32601, "Method nope not found.", {"error": "method_not_found"})
            if m["method"] == "nope"
            else echo_handler(m)
            for m in message
        ]

    _, client = fake(handler)
    outcomes = client.call_batch([("a", {"k": 1}), ("nope", None), ("b", None)])
    assert outcomes[0] == {"method": "a", "params": {"k": 1}}
    assert isinstance(outcomes[1], taskwire.MethodNotFound)
    assert outcomes[2]["method"] == "b"


def test_batch_timeout_marks_unanswered_members(fake: Any) -> None:
    def handler(message: Any) -> Any:
        if not isinstance(message, list):
            return None  # the $/cancelRequest for the slow member
        return [echo_handler(m) for m in message if m["method"] != "slow"]

    _, client = fake(handler)
    outcomes = client.call_batch([("fast", None), ("slow", None)], timeout=0.2)
    assert outcomes[0]["method"] == "fast"
    assert isinstance(outcomes[1], taskwire.TaskwireTimeout)


def test_batch_abandoned_by_an_exception_sends_nothing(fake: Any) -> None:
    server, client = fake(echo_handler)
    with pytest.raises(KeyError):
        with client.batch() as batch:
            future = batch.call("never")
            raise KeyError("stop")
    assert future.cancelled()
    client.call("ping")
    assert server.next_received()["method"] == "ping"


def test_oversized_request_is_refused_before_sending(fake: Any) -> None:
    server, client = fake(echo_handler, max_frame_bytes=100)
    with pytest.raises(taskwire.TooLarge) as info:
        client.call("tasks.create", description="x" * 200)
    assert info.value.error == "too_large"
    assert client.call("ping")["method"] == "ping"
    assert server.next_received()["method"] == "ping"


def null_id_error(code: int = 413, error: str = "too_large") -> Dict[str, Any]:
    """An error reply the server sends when it cannot tell which request failed."""
    return {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": "Refused.", "data": {"error": error}}}


def result_reply(message: Any) -> Dict[str, Any]:
    return {"jsonrpc": "2.0", "id": message["id"], "result": message["method"]}


@pytest.mark.parametrize(
    "code, error, cls",
    [
        (413, "too_large", taskwire.TooLarge),
        (-32700, "parse_error", taskwire.ParseError),
        (-32600, "invalid_request", taskwire.InvalidRequest),
    ],
)
def test_error_without_id_fails_the_only_outstanding_call(fake: Any, code: int, error: str, cls: type) -> None:
    def handler(message: Any) -> Any:
        return null_id_error(code, error) if message["method"] == "refused" else echo_handler(message)

    _, client = fake(handler)
    # call_async has no timeout: only the reader charging the id-null error to this call ends the future.
    future = client.call_async("refused")
    with pytest.raises(cls) as info:
        future.result(WAIT)
    assert info.value.code == code and info.value.error == error
    with pytest.raises(cls):
        client.call("refused", timeout=WAIT)
    assert client.call("ping", timeout=WAIT)["method"] == "ping"


def test_error_without_id_fails_every_member_of_a_refused_batch(fake: Any) -> None:
    _, client = fake(lambda m: null_id_error() if isinstance(m, list) else echo_handler(m))
    outcomes = client.call_batch([("a", None), ("b", None), ("c", None)], timeout=WAIT)
    assert [type(outcome) for outcome in outcomes] == [taskwire.TooLarge] * 3
    with client.batch(timeout=WAIT) as batch:
        first = batch.call("a")
        batch.notify("n")
        second = batch.call("b")
    assert isinstance(first.exception(0), taskwire.TooLarge)
    assert isinstance(second.exception(0), taskwire.TooLarge)
    assert client.call("ping", timeout=WAIT)["method"] == "ping"


def _batch_in_thread(client: taskwire.Client, methods: List[str]) -> Any:
    """Sends a batch from another thread (leaving a batch block waits); returns (thread, futures)."""
    futures: "queue.Queue[List[Any]]" = queue.Queue()

    def run() -> None:
        with client.batch(timeout=WAIT) as batch:
            futures.put([batch.call(method) for method in methods])

    thread = threading.Thread(target=run)
    thread.start()
    return thread, futures.get(timeout=WAIT)


def test_error_without_id_with_several_outstanding_fails_the_oldest_unanswered_frame(fake: Any) -> None:
    server, client = fake(lambda m: None)
    thread, (b1, b2) = _batch_in_thread(client, ["b1", "b2"])
    batch = server.next_received()
    a = client.call_async("a")
    a_sent = server.next_received()
    c = client.call_async("c")
    c_sent = server.next_received()
    # The batch is the oldest frame, but one of its calls was answered: the server did read it.
    server.send(result_reply(batch[0]))
    server.send(null_id_error())
    with pytest.raises(taskwire.TooLarge):
        a.result(WAIT)
    # The newer call and the rest of the batch were not charged: their replies still reach them.
    server.send(result_reply(c_sent))
    server.send(result_reply(batch[1]))
    assert c.result(WAIT) == "c"
    thread.join(WAIT)
    assert (b1.result(0), b2.result(0)) == ("b1", "b2")
    # A late reply to the failed call is dropped.
    server.send(result_reply(a_sent))
    assert not client.closed


def test_error_without_id_inside_a_batch_reply_is_charged_to_that_batch(fake: Any) -> None:
    server, client = fake(lambda m: None)
    a = client.call_async("a")
    a_sent = server.next_received()
    thread, (b1, b2) = _batch_in_thread(client, ["b1", "b2"])
    batch = server.next_received()
    # The older call "a" is unanswered, yet the error sits in the batch's reply array, so it is the batch's.
    server.send([result_reply(batch[0]), null_id_error(-32600, "invalid_request")])
    thread.join(WAIT)
    assert b1.result(0) == "b1"
    assert isinstance(b2.exception(0), taskwire.InvalidRequest)
    server.send(result_reply(a_sent))
    assert a.result(WAIT) == "a"


def test_error_without_id_and_no_outstanding_frame_is_logged(fake: Any) -> None:
    handler = _Collect("matches no waiting call")
    logger = logging.getLogger("taskwire")
    logger.addHandler(handler)
    try:
        server, client = fake(echo_handler)
        assert client.call("ping", timeout=WAIT)["method"] == "ping"
        server.send(null_id_error())
        assert handler.seen.wait(WAIT)
        assert client.call("ping", timeout=WAIT)["method"] == "ping"
    finally:
        logger.removeHandler(handler)


class _Collect(logging.Handler):
    """Signals an event once a record containing ``needle`` is logged."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.seen.set()


def test_spawn_with_stderr_pipe_forwards_lines_to_the_log() -> None:
    handler = _Collect("a line on stderr")
    server_log = logging.getLogger("taskwire.server")
    server_log.addHandler(handler)
    server_log.setLevel(logging.INFO)
    script = "import sys; sys.stderr.write('a line on stderr\\n'); sys.stderr.flush(); sys.stdin.read()"
    try:
        client = taskwire.Client.spawn(sys.executable, args=["-c", script], stderr=subprocess.PIPE)
        assert handler.seen.wait(WAIT)
        process = client.process
        client.close()
        assert process is not None and process.poll() == 0
    finally:
        server_log.removeHandler(handler)
        server_log.setLevel(logging.NOTSET)


def test_close_terminates_a_child_that_ignores_end_of_input() -> None:
    # This child never reads stdin, so closing it is not enough; SIGTERM is.
    client = taskwire.Client.spawn(
        sys.executable, args=["-c", "import signal; signal.pause()"], close_timeout=0.2
    )
    process = client.process
    assert process is not None
    client.close()
    assert process.poll() == -signal.SIGTERM
