"""Pushed server notifications: streams, the events feed, and their end with the connection."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, List

import pytest

import taskwire
from conftest import WAIT, echo_handler


def push(server: Any, method: str, params: Any) -> None:
    server.send({"jsonrpc": "2.0", "method": method, "params": params})


def test_a_stream_yields_notifications_in_order_beside_the_callback(fake: Any) -> None:
    seen: List[Any] = []
    server, client = fake(echo_handler, on_notification=lambda method, params: seen.append(method))
    with client.notifications() as stream:
        for n in range(3):
            push(server, "events.event", {"n": n})
        push(server, "other.thing", None)
        got = [stream.get(WAIT) for _ in range(4)]
    assert [note.method for note in got] == ["events.event"] * 3 + ["other.thing"]
    assert [note.params for note in got[:3]] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert got[0] == taskwire.Notification("events.event", {"n": 0})
    assert seen == ["events.event"] * 3 + ["other.thing"]
    # Replies still reach their callers while streams are open.
    assert client.call("ping", timeout=WAIT)["method"] == "ping"


def test_filter_timeout_and_overflow(fake: Any) -> None:
    server, client = fake(echo_handler)
    stream = client.notifications(["b"], maxsize=2)
    with pytest.raises(taskwire.TaskwireTimeout):
        stream.get(0.05)
    for method in ("a", "b", "b", "b"):
        push(server, method, method)
    client.call("ping", timeout=WAIT)  # the notifications before the reply have been dispatched
    assert stream.dropped == 1
    assert [stream.get(WAIT).method for _ in range(2)] == ["b", "b"]
    stream.close()
    assert list(stream) == []


def test_iteration_ends_when_the_connection_closes(fake: Any) -> None:
    server, client = fake(echo_handler)
    stream = client.notifications()
    received: List[Any] = []
    reader = threading.Thread(target=lambda: received.extend(stream))
    reader.start()
    push(server, "events.event", {"cursor": "1"})
    client.call("ping", timeout=WAIT)
    server.disconnect()
    reader.join(WAIT)
    assert not reader.is_alive()
    assert received == [taskwire.Notification("events.event", {"cursor": "1"})]
    with pytest.raises(taskwire.ConnectionClosed):
        stream.get(0)
    late = client.notifications()
    assert list(late) == []


def test_events_yield_event_params_and_remember_the_cursor(fake: Any) -> None:
    server, client = fake(echo_handler, parse_times=True)
    events = client.event_stream()
    assert events.cursor is None
    push(server, "events.event", {"cursor": "c1", "type": "task_created", "at": "2024-01-15T10:00:00Z"})
    push(server, "something.else", {"cursor": "nope"})
    push(server, "events.event", {"cursor": "c2", "type": "task_updated"})
    first = events.get(WAIT)
    assert first["type"] == "task_created" and isinstance(first["at"], datetime)
    assert events.cursor == "c1"
    assert next(events)["cursor"] == "c2" and events.cursor == "c2"
    events.close()
