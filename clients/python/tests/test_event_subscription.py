"""Client.subscribe_events against the real binary: order, resume on a new connection, and overflow catch-up."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable, List

import taskwire
from conftest import WAIT


def _take(sub: taskwire.EventSubscription, count: int) -> List[Any]:
    return [sub.get(timeout=WAIT) for _ in range(count)]


def _titles(events: List[Any]) -> List[str]:
    return [event["object"]["title"] for event in events]


def test_subscribe_events_yields_task_created_in_order(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=WAIT)
    with client.subscribe_events(types=["task_created"]) as sub:
        for n in range(5):
            client.call("tasks.create", title="task %d" % n)
        events = _take(sub, 5)
        assert [event["type"] for event in events] == ["task_created"] * 5
        assert _titles(events) == ["task %d" % n for n in range(5)]
        assert sub.cursor == events[-1]["id"]
        try:
            sub.get(timeout=0.3)
        except taskwire.TaskwireTimeout:
            pass
        else:
            raise AssertionError("an extra event arrived")


def test_resume_on_a_new_connection_gets_the_missed_then_live_events(
    taskwire_bin: str, tmp_path: Path, server_log: Any
) -> None:
    argv = ["--data-dir", str(tmp_path / "data")]
    first = taskwire.Client.spawn(taskwire_bin, args=argv, stderr=server_log, timeout=WAIT)
    try:
        sub = first.subscribe_events(types=["task_created"])
        for n in range(3):
            first.call("tasks.create", title="before %d" % n)
        seen = _take(sub, 3)
        cursor = sub.cursor
        assert cursor == seen[-1]["id"]
        # Made after the last event was handled, so missed by that connection.
        first.call("tasks.create", title="missed 0")
        first.call("tasks.create", title="missed 1")
    finally:
        first.close()
    second = taskwire.Client.spawn(taskwire_bin, args=argv, stderr=server_log, timeout=WAIT)
    try:
        resumed = sub.resume(second)
        assert _titles(_take(resumed, 2)) == ["missed 0", "missed 1"]
        second.call("tasks.create", title="live 0")
        assert _titles(_take(resumed, 1)) == ["live 0"]
        resumed.close()
        # The documented pattern gives the same from the same cursor.
        again = second.subscribe_events(types=["task_created"], since=cursor)
        events = _take(again, 3)
        assert _titles(events) == ["missed 0", "missed 1", "live 0"]
        assert len({event["id"] for event in events}) == 3
        try:
            again.get(timeout=0.3)
        except taskwire.TaskwireTimeout:
            pass
        else:
            raise AssertionError("a duplicate arrived")
        again.close()
    finally:
        second.close()


def test_overflow_is_caught_up_without_gap_or_duplicate(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=WAIT)
    sub = client.subscribe_events(types=["task_created"])
    client.call("tasks.create", title="t0")
    client.call("tasks.create", title="t1")
    first = _take(sub, 1)
    assert _titles(first) == ["t0"]
    # t1's event is already in the buffer; drop the subscription and announce an overflow at t0, so the
    # catch-up pages t1 again (skipped as a duplicate) and everything made after.
    old_id = sub.subscription_id
    client.call("events.unsubscribe", subscription_id=old_id)
    for n in range(2, 6):
        client.call("tasks.create", title="t%d" % n)
    client._core._dispatch_incoming(
        {
            "jsonrpc": "2.0",
            "method": "events.subscription_ended",
            "params": {"subscription_id": old_id, "reason": "overflow", "resume_cursor": first[0]["id"]},
        }
    )
    caught = _take(sub, 5)
    assert _titles(caught) == ["t1", "t2", "t3", "t4", "t5"]
    assert sub.subscription_id != old_id
    client.call("tasks.create", title="t6")
    assert _titles(_take(sub, 1)) == ["t6"]
    ids = [event["id"] for event in first + caught]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    try:
        sub.get(timeout=0.3)
    except taskwire.TaskwireTimeout:
        pass
    else:
        raise AssertionError("a duplicate arrived")
    sub.close()


def _log_line(stream: Any, text: str, found: threading.Event) -> None:
    """Reads the server's log (a pipe) and sets `found` at the first line containing `text`; drains the rest."""
    for line in iter(stream.readline, b""):
        if text.encode() in line:
            found.set()


def test_a_real_overflow_is_caught_up_without_gap_or_duplicate(taskwire_bin: str, tmp_path: Path) -> None:
    # The callback runs on the reader thread: holding it stops the client reading, so more than the server's
    # 1 MiB bound of unread output piles up and the subscription ends with overflow, which the server logs.
    gate = threading.Event()

    def hold(method: str, params: Any) -> None:
        if method == "events.event":
            gate.wait(WAIT)

    log_read, log_write = os.pipe()
    overflowed = threading.Event()
    with os.fdopen(log_read, "rb") as log:
        reader = threading.Thread(target=_log_line, args=(log, "subscription ended: overflow", overflowed), daemon=True)
        reader.start()
        try:
            client = taskwire.Client.spawn(
                taskwire_bin,
                args=["--data-dir", str(tmp_path / "data")],
                stderr=log_write,
                on_notification=hold,
                timeout=WAIT,
            )
        finally:
            os.close(log_write)
        try:
            _overflow_and_catch_up(client, gate, overflowed)
        finally:
            gate.set()
            client.close()
        reader.join(WAIT)


def _overflow_and_catch_up(client: taskwire.Client, gate: threading.Event, overflowed: threading.Event) -> None:
    ended = client.notifications(["events.subscription_ended"])
    sub = client.subscribe_events(types=["task_created"])
    count = 120
    futures = [
        client.call_async("tasks.create", title="t%d" % n, description="x" * 20000) for n in range(count)
    ]
    assert overflowed.wait(WAIT), "the server never logged the overflow"
    gate.set()
    for future in futures:
        future.result(WAIT)
    events = _take(sub, count)
    assert _titles(events) == ["t%d" % n for n in range(count)]
    assert ended.get(timeout=WAIT).params["reason"] == "overflow"
    ids = [event["id"] for event in events]
    assert ids == sorted(ids) and len(set(ids)) == count
    try:
        sub.get(timeout=0.3)
    except taskwire.TaskwireTimeout:
        pass
    else:
        raise AssertionError("a duplicate arrived")
    client.call("tasks.create", title="after")
    assert _titles(_take(sub, 1)) == ["after"]
    sub.close()


def test_a_filtered_subscription_ending_where_it_started_again_raises_instead_of_looping(
    spawn: Callable[..., taskwire.Client]
) -> None:
    client = spawn(timeout=WAIT)
    client.call("tasks.create", title="before", tags=["x"])
    start = client.call("events.since", limit=1)["next_cursor"]
    sub = client.subscribe_events(filter={"tags": ["x"]}, since=start)
    # The server ends a filtered replay at the cursor it started from when the backlog is too large; the
    # iterator must say so rather than subscribe from that cursor again and again.
    client._core._dispatch_incoming(
        {
            "jsonrpc": "2.0",
            "method": "events.subscription_ended",
            "params": {"subscription_id": sub.subscription_id, "reason": "overflow", "resume_cursor": start},
        }
    )
    try:
        while True:
            sub.get(timeout=WAIT)
    except taskwire.TaskwireError as error:
        assert "larger than the server replays" in str(error)
    else:
        raise AssertionError("no error")


def test_an_expired_since_cursor_raises_cursor_expired_with_the_oldest_cursor(
    spawn: Callable[..., taskwire.Client],
) -> None:
    client = spawn(args=["--event-retention", "2"], timeout=WAIT)
    first = client.call("events.since", limit=1)["next_cursor"]
    for n in range(5):
        client.call("tasks.create", title="task %d" % n)
    try:
        client.subscribe_events(types=["task_created"], since=first)
    except taskwire.CursorExpired as error:
        assert isinstance(error, taskwire.Conflict) and error.error == "cursor_expired"
        oldest = error.oldest_cursor
    else:
        raise AssertionError("a cursor older than the retention was accepted")
    assert isinstance(oldest, str) and oldest > first
    # Continuing from the oldest cursor the feed serves replays what it still keeps, then goes live.
    with client.subscribe_events(types=["task_created"], since=oldest) as sub:
        kept = [event["object"]["title"] for event in _take(sub, 2)]
        assert kept == ["task 3", "task 4"]


def test_a_catch_up_from_an_expired_cursor_raises_instead_of_skipping_the_gap(fake: Any) -> None:
    def handler(message: Any) -> Any:
        if "id" not in message:
            return None
        if message["method"] == "events.subscribe":
            return {"jsonrpc": "2.0", "id": message["id"], "result": {"subscription_id": "sub_1", "cursor": None}}
        if message["method"] == "events.since":
            error = {
                "code": 409,
                "message": "The cursor is older than the feed keeps.",
                "data": {"error": "cursor_expired", "oldest_cursor": "evt_00000000000000090000"},
            }
            return {"jsonrpc": "2.0", "id": message["id"], "error": error}
        return {"jsonrpc": "2.0", "id": message["id"], "result": {"unsubscribed": False}}

    server, client = fake(handler)
    sub = client.subscribe_events(since="evt_00000000000000010000")
    server.send(
        {
            "jsonrpc": "2.0",
            "method": "events.subscription_ended",
            "params": {"subscription_id": "sub_1", "reason": "overflow", "resume_cursor": "evt_00000000000000020000"},
        }
    )
    try:
        sub.get(timeout=WAIT)
    except taskwire.CursorExpired as error:
        assert error.oldest_cursor == "evt_00000000000000090000"
    else:
        raise AssertionError("the catch-up skipped a gap silently")
    try:
        sub.get(timeout=WAIT)
    except taskwire.ConnectionClosed:
        pass
    else:
        raise AssertionError("the subscription went on after the gap")
