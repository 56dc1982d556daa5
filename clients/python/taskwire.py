"""Python client for taskwire, the JSON-RPC 2.0 task and workflow engine for chat-bot runtimes.

One file, standard library only, Python 3.9+. Copy it next to your code.

Spawn the server as a child process and talk to it over stdio::

    import taskwire

    with taskwire.Client.spawn("taskwire", args=["--data-dir", "/var/lib/mybot/tasks"]) as client:
        client.call("ping")                                   # -> {}
        task = client.tasks.create(title="Review complaint", priority="high")
        client.tasks.comments.add(task_id=task["task_id"], text="On it")
        try:
            client.tasks.get(task_id="tsk_missing")
        except taskwire.NotFound as err:
            print(err.code, err.error, err.message)            # 404 task_not_found Task ... not found

        with client.batch() as batch:                         # one frame, replies matched by id
            info = batch.call("server.info")
            batch.call("no.such.method")
        print(info.result()["version"])

Or connect to a server listening on a Unix socket (``taskwire --socket PATH``)::

    client = taskwire.Client.connect_unix("/run/taskwire.sock", framing="lsp")
    client.auth.login(token="...")

Any attribute path on a client is a method call: ``client.tasks.comments.add(...)`` calls
``tasks.comments.add`` with its keyword arguments as named params, so new server methods need no client
change. ``client.call(method, params, timeout=...)`` is the explicit form.

Threading: any number of threads may call one client at once. A single reader thread matches replies to
calls by id and delivers server notifications to ``on_notification(method, params)``, on that reader
thread; keep the callback short and never make a blocking call on the same client from it.

Errors come back as exceptions chosen by the JSON-RPC error code (``NotFound`` for 404,
``InvalidParams`` for -32602, ...), all derived from ``TaskwireError``, each with ``.code``,
``.message``, ``.data`` and ``.error`` (the stable string code from ``data.error``).

An error reply with ``"id": null`` (a frame over the server's ``--max-frame-bytes``, a batch over its
``--max-batch``) names no call. The client charges it to a frame it sent (one call, or one batch): the
only frame still waiting, else the oldest waiting frame that has had no reply yet. Every call of that
frame fails with the error, so such a call raises at once instead of waiting for its timeout.
"""

from __future__ import annotations

import atexit
import collections
import concurrent.futures
import itertools
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import weakref
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterable, Iterator, List, Literal, NamedTuple, Optional, Sequence, Tuple, Union

__all__ = [
    "Client",
    "Batch",
    "FrameDecoder",
    "FramingError",
    "encode_frame",
    "TaskwireError",
    "ParseError",
    "InvalidRequest",
    "MethodNotFound",
    "InvalidParams",
    "InternalError",
    "RequestCancelled",
    "Unauthorized",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "TooLarge",
    "RateLimited",
    "Unavailable",
    "ConnectionClosed",
    "TaskwireTimeout",
    "error_from_response",
    "UNSET",
    "METHODS",
    "TIME_FIELDS",
    "format_time",
    "parse_time",
    "parse_times",
    "Notification",
    "NotificationStream",
    "EventStream",
    "now",
    "create_task",
    "set_task_priority",
    "set_task_due_date",
    "set_task_assignee",
    "set_task_progress",
    "get_task_status",
    "set_task_status",
    "add_task_comment",
    "complete_task",
    "main",
]

__version__ = "0.1.0"

log = logging.getLogger("taskwire")

NDJSON = "ndjson"
LSP = "lsp"
FRAMINGS = (NDJSON, LSP)

#: The server's default ``--max-frame-bytes``; frames over a client's limit are refused before sending.
DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024

# Replies (a long task list, an attachment) may exceed what we send; this only stops runaway buffering.
_MAX_INCOMING_FRAME_BYTES = 1 << 30

# Caps what a misbehaving peer can make the client buffer while it looks for the end of a header block.
_MAX_HEADER_BYTES = 8 * 1024

NotificationCallback = Callable[[str, Any], None]


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class TaskwireError(Exception):
    """An error reply from the server, or a failure of the connection to it.

    ``code`` is the JSON-RPC error code (``None`` for failures that never reached the server),
    ``message`` the server's one-sentence explanation, ``data`` the error's ``data`` member (or ``None``)
    and ``error`` the stable machine-readable string from ``data.error`` (e.g. ``"task_not_found"``).
    """

    #: The JSON-RPC code this class stands for; ``None`` on the base class and on local failures.
    CODE: Optional[int] = None

    def __init__(self, code: Optional[int], message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.error: Optional[str] = None
        if isinstance(data, dict):
            error = data.get("error")
            if isinstance(error, str):
                self.error = error

    def __str__(self) -> str:
        if self.code is None:
            return self.message
        if self.error:
            return "[%s %s] %s" % (self.code, self.error, self.message)
        return "[%s] %s" % (self.code, self.message)

    def __repr__(self) -> str:
        return "%s(code=%r, message=%r, data=%r)" % (type(self).__name__, self.code, self.message, self.data)


class ParseError(TaskwireError):
    """-32700: the server could not parse the frame as JSON."""

    CODE = -32700


class InvalidRequest(TaskwireError):
    """-32600: the message was JSON but not a valid JSON-RPC request."""

    CODE = -32600


class MethodNotFound(TaskwireError):
    """-32601: the server has no method of that name."""

    CODE = -32601


class InvalidParams(TaskwireError):
    """-32602: the params are wrong; ``field`` names the offending param when the server says which."""

    CODE = -32602

    def __init__(self, code: Optional[int], message: str, data: Any = None) -> None:
        super().__init__(code, message, data)
        field = data.get("field") if isinstance(data, dict) else None
        self.field: Optional[str] = field if isinstance(field, str) else None


class InternalError(TaskwireError):
    """-32603: the server failed unexpectedly; details are in its log, not on the wire."""

    CODE = -32603


class RequestCancelled(TaskwireError):
    """-32800: the request was cancelled by ``$/cancelRequest`` before it finished."""

    CODE = -32800


class Unauthorized(TaskwireError):
    """401: no or bad credentials on this connection (a Unix-socket client must ``auth.login`` first)."""

    CODE = 401


class PermissionDenied(TaskwireError):
    """403: authenticated, but this principal may not do that."""

    CODE = 403


class NotFound(TaskwireError):
    """404: the object does not exist (``error`` says which kind, e.g. ``task_not_found``)."""

    CODE = 404


class Conflict(TaskwireError):
    """409: the object's state forbids the change (``version_conflict``, ``invalid_transition``, ...)."""

    CODE = 409


class TooLarge(TaskwireError):
    """413: a frame, attachment or batch is over its limit."""

    CODE = 413


class RateLimited(TaskwireError):
    """429: a per-user rate limit was hit; ``retry_after`` is ``data.retry_after_seconds`` (or ``None``)."""

    CODE = 429

    def __init__(self, code: Optional[int], message: str, data: Any = None) -> None:
        super().__init__(code, message, data)
        retry = data.get("retry_after_seconds") if isinstance(data, dict) else None
        valid = isinstance(retry, (int, float)) and not isinstance(retry, bool)
        self.retry_after: Optional[float] = retry if valid else None


class Unavailable(TaskwireError):
    """503: the server is shutting down or its store failed; the request did not happen."""

    CODE = 503


class ConnectionClosed(TaskwireError, ConnectionError):
    """The connection to the server is gone (it exited, was killed, or the client was closed).

    Every call still waiting for a reply fails with this as soon as the reader sees the end of the stream.
    Whether a write sent just before the loss happened is unknown; the server never half-applies one.
    """

    def __init__(self, message: str = "connection to the taskwire server is closed") -> None:
        super().__init__(None, message, None)


class TaskwireTimeout(TaskwireError, TimeoutError):
    """A call got no reply within its timeout. The client sent ``$/cancelRequest`` for it and stays usable."""

    def __init__(self, message: str, request_id: Optional[int] = None) -> None:
        super().__init__(None, message, None)
        self.request_id = request_id


class FramingError(ValueError):
    """The byte stream does not follow the connection's framing (e.g. a missing ``Content-Length``)."""


_ERROR_CLASSES: Dict[int, type] = {
    cls.CODE: cls
    for cls in (
        ParseError,
        InvalidRequest,
        MethodNotFound,
        InvalidParams,
        InternalError,
        RequestCancelled,
        Unauthorized,
        PermissionDenied,
        NotFound,
        Conflict,
        TooLarge,
        RateLimited,
        Unavailable,
    )
}


def error_from_response(error: Any) -> TaskwireError:
    """Builds the exception for a JSON-RPC ``error`` object: the class chosen by its code, else the base class."""
    if not isinstance(error, dict):
        return TaskwireError(None, "malformed error reply: %r" % (error,), None)
    code = error.get("code")
    message = error.get("message")
    if not isinstance(message, str):
        message = "error %s" % (code,)
    data = error.get("data")
    if not isinstance(code, int) or isinstance(code, bool):
        return TaskwireError(None, message, data)
    return _ERROR_CLASSES.get(code, TaskwireError)(code, message, data)


def _is_unidentified_error(message: Any) -> bool:
    """True for an error reply whose id is null (or absent): the server could not tell which request failed."""
    return isinstance(message, dict) and "method" not in message and "error" in message and message.get("id") is None


# --------------------------------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------------------------------

_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))\Z"
)


def format_time(value: datetime) -> str:
    """Formats a ``datetime`` as RFC 3339 in UTC (``2024-01-20T17:00:00Z``), the way the server writes times.

    An aware datetime is converted to UTC; a naive one is taken to be UTC already. Microseconds are kept.
    """
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text + "Z"


def parse_time(text: str) -> datetime:
    """Parses an RFC 3339 time (any offset, any number of fractional digits) into an aware UTC ``datetime``.

    Raises ``ValueError`` for anything else. Digits past microseconds are dropped, not rounded.
    """
    match = _RFC3339.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError("not an RFC 3339 time: %r" % (text,))
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    leap = second == "60"  # RFC 3339 allows a leap second; datetime does not
    value = datetime(int(year), int(month), int(day), int(hour), int(minute), 59 if leap else int(second), micro)
    if leap:
        value += timedelta(seconds=1)
    if not zulu:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        value -= offset if sign == "+" else -offset
    return value.replace(tzinfo=timezone.utc)


def parse_times(value: Any) -> Any:
    """Returns a copy of a result with every time member (a name in ``TIME_FIELDS``) as an aware ``datetime``.

    Walks nested objects and arrays; members that are null or do not parse stay as they are. This is what a
    client created with ``parse_times=True`` applies to every result and notification.
    """
    if isinstance(value, dict):
        out = {}
        for key, member in value.items():
            if key in TIME_FIELDS and isinstance(member, str):
                try:
                    out[key] = parse_time(member)
                    continue
                except ValueError:
                    pass
            out[key] = parse_times(member)
        return out
    if isinstance(value, list):
        return [parse_times(member) for member in value]
    return value


def _json_default(value: Any) -> Any:
    """Lets params carry ``datetime`` values: they go out as RFC 3339 UTC strings (naive means UTC)."""
    if isinstance(value, datetime):
        return format_time(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


# --------------------------------------------------------------------------------------------------
# Framing
# --------------------------------------------------------------------------------------------------


def encode_frame(body: bytes, framing: str) -> bytes:
    """Wraps one message body (UTF-8 JSON, compact) in the given framing.

    NDJSON appends ``\\n``; the body must not contain a raw newline (compact JSON never does).
    LSP prefixes ``Content-Length: N\\r\\n\\r\\n`` with N counted in bytes, the only header.
    """
    if framing == NDJSON:
        return body + b"\n"
    if framing == LSP:
        return b"Content-Length: %d\r\n\r\n" % len(body) + body
    raise ValueError("unknown framing %r (expected 'ndjson' or 'lsp')" % (framing,))


class FrameDecoder:
    """Turns arbitrary chunks of a byte stream into complete message bodies.

    ``feed(chunk)`` returns the bodies completed by that chunk (possibly none, possibly many). Bodies are
    bytes; a multi-byte UTF-8 character split across chunks is whole in the body. NDJSON tolerates CRLF
    line ends and blank lines; LSP reads headers case-insensitively in any order and needs
    ``Content-Length``. A stream that breaks the framing raises ``FramingError``.
    """

    def __init__(self, framing: str, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        if framing not in FRAMINGS:
            raise ValueError("unknown framing %r (expected 'ndjson' or 'lsp')" % (framing,))
        self.framing = framing
        self.max_frame_bytes = max_frame_bytes
        self._buffer = bytearray()
        # Set while an LSP body of this many bytes is awaited after its header block.
        self._body_length: Optional[int] = None

    def feed(self, chunk: bytes) -> List[bytes]:
        """Adds ``chunk`` to the stream and returns every message body it completes."""
        self._buffer += chunk
        if self.framing == NDJSON:
            return self._drain_lines()
        return self._drain_content_length()

    def _drain_lines(self) -> List[bytes]:
        bodies: List[bytes] = []
        start = 0
        buffer = self._buffer
        while True:
            end = buffer.find(b"\n", start)
            if end < 0:
                break
            line = bytes(buffer[start:end]).strip()
            start = end + 1
            if line:
                bodies.append(line)
        del buffer[:start]
        if len(buffer) > self.max_frame_bytes:
            raise FramingError("a line of more than %d bytes without a newline" % self.max_frame_bytes)
        return bodies

    def _drain_content_length(self) -> List[bytes]:
        bodies: List[bytes] = []
        buffer = self._buffer
        while True:
            if self._body_length is None:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(buffer) > _MAX_HEADER_BYTES:
                        raise FramingError("header block longer than %d bytes" % _MAX_HEADER_BYTES)
                    break
                header_block = bytes(buffer[:end])
                del buffer[: end + 4]
                self._body_length = self._content_length(header_block)
            if len(buffer) < self._body_length:
                break
            bodies.append(bytes(buffer[: self._body_length]))
            del buffer[: self._body_length]
            self._body_length = None
        return bodies

    def _content_length(self, header_block: bytes) -> int:
        length: Optional[int] = None
        # Stray blank lines between frames are tolerated, as many LSP peers emit them.
        for raw in header_block.lstrip(b"\r\n").split(b"\r\n"):
            name, sep, value = raw.partition(b":")
            if not sep:
                raise FramingError("malformed header line %r" % raw[:80])
            if name.strip().lower() == b"content-length":
                text = value.strip()
                if not text.isdigit():
                    raise FramingError("invalid Content-Length %r" % text[:40])
                length = int(text)
        if length is None:
            raise FramingError("header block without Content-Length")
        if length > self.max_frame_bytes:
            raise FramingError("frame of %d bytes is over the limit of %d" % (length, self.max_frame_bytes))
        return length


# --------------------------------------------------------------------------------------------------
# Byte channels
# --------------------------------------------------------------------------------------------------


class _Channel:
    """A bidirectional byte stream: blocking reads on the reader thread, whole writes under the client's lock."""

    def read(self) -> bytes:
        """Returns the next bytes, or ``b""`` at the end of the stream."""
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def close_write(self) -> None:
        """Signals end of input to the server (it then finishes and exits or drops the connection)."""
        raise NotImplementedError

    def close(self, timeout: float) -> None:
        """Ends the stream for good; waits up to ``timeout`` for the peer to go, then forces it."""
        raise NotImplementedError

    def release(self) -> None:
        """Frees the file descriptors; only once the reader thread no longer uses them."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class _ProcessChannel(_Channel):
    """The stdin and stdout pipes of a spawned server process."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        stdin, stdout = process.stdin, process.stdout
        if stdin is None or stdout is None:
            raise ValueError("the process needs stdin and stdout pipes")
        self._stdin = stdin
        self._stdout = stdout
        self._stdin_fd = stdin.fileno()
        self._stdout_fd = stdout.fileno()
        self._stdin_closed = False

    def read(self) -> bytes:
        try:
            return os.read(self._stdout_fd, 65536)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        if self._stdin_closed:
            raise BrokenPipeError("stdin of the server is closed")
        _write_all(self._stdin_fd, data)

    def close_write(self) -> None:
        if not self._stdin_closed:
            self._stdin_closed = True
            try:
                self._stdin.close()
            except OSError:
                pass

    def close(self, timeout: float) -> None:
        _reap(self.process, timeout)

    def release(self) -> None:
        self.close_write()
        try:
            self._stdout.close()
        except OSError:
            pass

    def describe(self) -> str:
        return "taskwire process %d" % self.process.pid


def _reap(process: subprocess.Popen, timeout: float) -> None:
    """Waits for the child to exit on its own, then terminates and finally kills it; never leaves it running.

    Each stage waits up to ``timeout`` seconds; SIGKILL cannot be ignored, so the last wait is unbounded.
    """
    try:
        process.wait(timeout=timeout)
        return
    except subprocess.TimeoutExpired:
        log.warning("taskwire process %d did not exit within %.1fs; terminating it", process.pid, timeout)
    process.terminate()
    try:
        process.wait(timeout=timeout)
        return
    except subprocess.TimeoutExpired:
        log.warning("taskwire process %d ignored SIGTERM; killing it", process.pid)
    process.kill()
    process.wait()


class _SocketChannel(_Channel):
    """A connected stream socket (a Unix socket to ``taskwire --socket``, or any socket given to ``from_socket``)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.settimeout(None)

    def read(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close_write(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self, timeout: float) -> None:
        # shutdown() wakes the reader blocked in recv(); close() alone would not on Linux.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def release(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def describe(self) -> str:
        try:
            return "socket %s" % (self.sock.getpeername() or "(unnamed)",)
        except OSError:
            return "socket"


# --------------------------------------------------------------------------------------------------
# The connection core (no reference back to Client, so an abandoned Client can be collected)
# --------------------------------------------------------------------------------------------------


class _Frame:
    """One frame on the wire that expects replies: a single call, or a batch holding at least one call.

    ``waiting`` holds the ids of its calls still without an outcome; ``answered`` turns true with the
    first reply matched to one of them. Guarded by ``_Core._lock``.
    """

    __slots__ = ("serial", "waiting", "answered")

    def __init__(self, serial: int, ids: Iterable[int]) -> None:
        self.serial = serial
        self.waiting = set(ids)
        self.answered = False


class _Core:
    """Owns the channel, the reader thread and the table of calls waiting for replies.

    Besides the calls by id it keeps the *outstanding frames* in the order they were written, so that an
    error reply whose id is null (the server could not read the frame, or refused a whole batch) can
    still end the calls it belongs to; see :meth:`_fail_unidentified` for the rule.
    """

    def __init__(
        self,
        channel: _Channel,
        framing: str,
        on_notification: Optional[NotificationCallback],
        max_frame_bytes: int,
        close_timeout: float,
    ) -> None:
        if framing not in FRAMINGS:
            raise ValueError("unknown framing %r (expected 'ndjson' or 'lsp')" % (framing,))
        self.channel = channel
        self.framing = framing
        self.on_notification = on_notification
        # Read by the reader thread for every result and notification; a plain bool, set once by Client.
        self.parse_times = False
        # Open notification streams; guarded by _lock, fed by the reader thread.
        self._streams: List["NotificationStream"] = []
        self.max_frame_bytes = max_frame_bytes
        self.close_timeout = close_timeout
        self._ids = itertools.count(1)
        # Guards _pending, _frames, _frame_of, _closed and _close_reason; never held while calling out to user
        # code or doing I/O.
        self._lock = threading.Lock()
        # Serialises writes so frames from concurrent callers never interleave on the wire.
        self._write_lock = threading.Lock()
        self._pending: Dict[int, concurrent.futures.Future] = {}
        # Frames with calls still waiting, oldest written first (keyed by a serial number, so a finished frame
        # leaves in O(1)); _frame_of maps each waiting call to its frame.
        self._frames: "collections.OrderedDict[int, _Frame]" = collections.OrderedDict()
        self._frame_of: Dict[int, _Frame] = {}
        self._frame_serials = itertools.count(1)
        self._closed = False
        self._close_reason = "connection to the taskwire server is closed"
        # Set by close() so calls failed by our own close say so, not that the server went away.
        self._closing_reason: Optional[str] = None
        self._close_once = threading.Lock()
        self._close_done = False
        self._reader = threading.Thread(target=self._read_loop, name="taskwire-reader", daemon=True)
        self._reader.start()

    # -- sending --------------------------------------------------------------------------------

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def register(self, request_id: int) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                raise ConnectionClosed(self._close_reason)
            self._pending[request_id] = future
        return future

    def forget(self, request_id: int) -> Optional[concurrent.futures.Future]:
        """Takes a call out of the tables without a reply (it timed out or was never sent)."""
        with self._lock:
            return self._take_locked(request_id, answered=False)[0]

    def _take_locked(
        self, request_id: int, answered: bool
    ) -> Tuple[Optional[concurrent.futures.Future], Optional[_Frame]]:
        future = self._pending.pop(request_id, None)
        frame = self._frame_of.pop(request_id, None)
        if frame is not None:
            frame.waiting.discard(request_id)
            frame.answered = frame.answered or answered
            if not frame.waiting:
                self._frames.pop(frame.serial, None)
        return future, frame

    def send(self, message: Any, frame_ids: Sequence[int] = ()) -> None:
        """Writes one message (or batch) as one frame.

        ``frame_ids`` are the ids of the calls in it, already registered: they become one outstanding frame,
        recorded under the write lock so the order of ``_frames`` is the order on the wire.
        """
        body = json.dumps(
            message, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default
        ).encode("utf-8")
        if len(body) > self.max_frame_bytes:
            raise TooLarge(
                413,
                "Message of %d bytes is over the frame limit of %d bytes" % (len(body), self.max_frame_bytes),
                {"error": "too_large", "limit_bytes": self.max_frame_bytes},
            )
        frame = encode_frame(body, self.framing)
        with self._write_lock:
            if self._closed:
                raise ConnectionClosed(self._close_reason)
            if frame_ids:
                self._add_frame(frame_ids)
            try:
                self.channel.write(frame)
            except OSError as exc:
                raise ConnectionClosed("lost the connection to the taskwire server while writing: %s" % exc) from exc

    def _add_frame(self, ids: Sequence[int]) -> None:
        with self._lock:
            if self._closed:
                raise ConnectionClosed(self._close_reason)
            waiting = [request_id for request_id in ids if request_id in self._pending]
            if not waiting:
                return
            frame = _Frame(next(self._frame_serials), waiting)
            self._frames[frame.serial] = frame
            for request_id in waiting:
                self._frame_of[request_id] = frame

    def wait(self, request_id: int, future: concurrent.futures.Future, timeout: Optional[float]) -> Any:
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            pass
        if self.forget(request_id) is None:
            # The reader took the call out of the table first: its outcome is being set right now.
            return future.result()
        self.cancel_on_server(request_id)
        raise TaskwireTimeout("no reply to request %d within %gs" % (request_id, timeout), request_id)

    def cancel_on_server(self, request_id: int) -> None:
        try:
            self.send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": request_id}})
        except TaskwireError:
            pass

    # -- receiving ------------------------------------------------------------------------------

    def _read_loop(self) -> None:
        decoder = FrameDecoder(self.framing, _MAX_INCOMING_FRAME_BYTES)
        reason = "the taskwire server closed the connection"
        try:
            while True:
                chunk = self.channel.read()
                if not chunk:
                    break
                for body in decoder.feed(chunk):
                    self._dispatch_body(body)
        except FramingError as exc:
            reason = "the taskwire server sent a malformed frame: %s" % exc
            log.error("%s; closing the connection", reason)
        except Exception:  # noqa: BLE001 - the reader must always fail pending calls on its way out
            reason = "the taskwire client's reader failed"
            log.exception(reason)
        self._mark_closed(reason)

    def _dispatch_body(self, body: bytes) -> None:
        try:
            message = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            log.warning("ignoring a frame that is not JSON: %r", body[:200])
            return
        if not isinstance(message, list):
            if _is_unidentified_error(message):
                self._fail_unidentified(message["error"], None)
            else:
                self._dispatch_message(message)
            return
        # A batch reply: match the members with ids first, so an id-null error inside the same array is
        # charged to the batch those members belong to rather than to some other frame.
        unidentified: List[Any] = []
        batch_frame: Optional[_Frame] = None
        for member in message:
            if _is_unidentified_error(member):
                unidentified.append(member["error"])
            else:
                batch_frame = self._dispatch_message(member) or batch_frame
        for error in unidentified:
            self._fail_unidentified(error, batch_frame)

    def _dispatch_message(self, message: Any) -> Optional[_Frame]:
        """Handles one reply or notification; returns the frame of the call a reply was matched to."""
        if not isinstance(message, dict):
            log.warning("ignoring a message that is not an object: %r", message)
            return None
        if "method" in message:
            self._dispatch_incoming(message)
            return None
        request_id = message.get("id")
        future: Optional[concurrent.futures.Future] = None
        frame: Optional[_Frame] = None
        if isinstance(request_id, int) and not isinstance(request_id, bool):
            with self._lock:
                future, frame = self._take_locked(request_id, answered=True)
        if future is None:
            log.debug("ignoring a reply to unknown or timed-out request %r", request_id)
            return frame
        if "error" in message:
            future.set_exception(error_from_response(message["error"]))
        elif "result" in message:
            result = message["result"]
            future.set_result(parse_times(result) if self.parse_times else result)
        else:
            future.set_exception(TaskwireError(None, "malformed reply without result or error: %r" % (message,)))
        return frame

    def _fail_unidentified(self, error: Any, batch_frame: Optional[_Frame]) -> None:
        """Ends the calls of the frame an error reply with ``"id": null`` belongs to.

        The server answers ``id: null`` when it cannot tell which request failed: a frame over its
        ``--max-frame-bytes``, a batch over ``--max-batch``, a body it could not parse. Such a reply names
        no call, so it is matched to a frame by this rule:

        * inside a batch reply array, it belongs to the batch the array's other members answer;
        * when exactly one frame is outstanding (has calls still waiting), it belongs to that frame;
        * when several are, it belongs to the **oldest outstanding frame that has had no reply at all**
          (a frame already partly answered was read by the server, so the error cannot be about it);
        * when no frame fits, nothing is failed and the error is logged.

        Every call still waiting in the chosen frame fails with the error, as its exception class.
        """
        with self._lock:
            frame = batch_frame if batch_frame is not None else self._frame_for_unidentified_locked()
            futures: List[Tuple[int, concurrent.futures.Future]] = []
            if frame is not None:
                for request_id in sorted(frame.waiting):
                    future, _ = self._take_locked(request_id, answered=True)
                    if future is not None:
                        futures.append((request_id, future))
        if not futures:
            log.warning("error reply without an id that matches no waiting call: %r", error)
            return
        log.debug("error reply without an id charged to requests %s: %r", [i for i, _ in futures], error)
        for _, future in futures:
            if not future.done():
                future.set_exception(error_from_response(error))

    def _frame_for_unidentified_locked(self) -> Optional[_Frame]:
        if len(self._frames) == 1:
            return next(iter(self._frames.values()))
        for frame in self._frames.values():
            if not frame.answered:
                return frame
        return None

    def _dispatch_incoming(self, message: Dict[str, Any]) -> None:
        method = message.get("method")
        params = message.get("params")
        if "id" in message:
            # The server does not send requests today; answer at once so it never waits on us. The reply is
            # written from another thread: a reader blocked on a full pipe could deadlock with the server.
            threading.Thread(
                target=self._reply_method_not_found, args=(message.get("id"), method), daemon=True
            ).start()
            return
        if not isinstance(method, str):
            return
        if self.parse_times:
            params = parse_times(params)
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream._push(Notification(method, params))
        callback = self.on_notification
        if callback is None:
            return
        try:
            callback(method, params)
        except Exception:  # noqa: BLE001 - a bad callback must never stop replies from being matched
            log.exception("on_notification callback raised for %r", method)

    def subscribe(self, stream: "NotificationStream") -> None:
        with self._lock:
            if not self._closed:
                self._streams.append(stream)
                return
        stream._end()

    def unsubscribe(self, stream: "NotificationStream") -> None:
        with self._lock:
            if stream in self._streams:
                self._streams.remove(stream)

    def _reply_method_not_found(self, request_id: Any, method: Any) -> None:
        error = {"code": -32601, "message": "Method %s not found" % (method,), "data": {"error": "method_not_found"}}
        try:
            self.send({"jsonrpc": "2.0", "id": request_id, "error": error})
        except TaskwireError:
            pass

    def _mark_closed(self, reason: str) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._close_reason = self._closing_reason or reason
            pending = list(self._pending.values())
            streams, self._streams = self._streams, []
            self._pending.clear()
            self._frames.clear()
            self._frame_of.clear()
            reason = self._close_reason
        for future in pending:
            if not future.done():
                future.set_exception(ConnectionClosed(reason))
        for stream in streams:
            stream._end()

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed

    # -- closing --------------------------------------------------------------------------------

    def close(self) -> None:
        with self._close_once:
            if self._close_done:
                return
            self._close_done = True
        with self._lock:
            self._closing_reason = "the taskwire client was closed"
        # End of input tells the server to finish in-flight replies and exit. A writer stuck on a full pipe
        # holds the lock; then the end of input follows once the server is gone and the write has failed.
        told = self._write_lock.acquire(timeout=self.close_timeout)
        try:
            if told:
                self.channel.close_write()
        finally:
            if told:
                self._write_lock.release()
        try:
            self.channel.close(self.close_timeout)
        finally:
            with self._write_lock:
                self.channel.close_write()
            # The stream is over once the peer is gone; the reader sees end of file and fails leftovers.
            if threading.current_thread() is not self._reader:
                self._reader.join(self.close_timeout)
            self._mark_closed("the taskwire client was closed")
            if not self._reader.is_alive():
                self.channel.release()


def _close_core_quietly(core: _Core) -> None:
    try:
        core.close()
    except Exception:  # noqa: BLE001 - runs at interpreter exit or garbage collection
        log.exception("closing a taskwire client failed")


# Cores of live clients, so everything is shut down at exit even if a client is still referenced.
_live_cores: "weakref.WeakSet[_Core]" = weakref.WeakSet()


@atexit.register
def _close_all_at_exit() -> None:
    for core in list(_live_cores):
        _close_core_quietly(core)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------

Params = Union[Dict[str, Any], Sequence[Any], None]


def _merge_params(params: Params, named: Dict[str, Any]) -> Params:
    if not named:
        return params
    if params is None:
        return dict(named)
    if isinstance(params, dict):
        merged = dict(params)
        merged.update(named)
        return merged
    raise TypeError("keyword params cannot be combined with positional (list) params")


def _request(request_id: Optional[int], method: str, params: Params) -> Dict[str, Any]:
    if not isinstance(method, str):
        raise TypeError("method must be a string, not %s" % type(method).__name__)
    message: Dict[str, Any] = {"jsonrpc": "2.0"}
    if request_id is not None:
        message["id"] = request_id
    message["method"] = method
    if params is not None:
        if isinstance(params, (str, bytes)) or not isinstance(params, (dict, list, tuple)):
            raise TypeError("params must be a dict or a list, not %s" % type(params).__name__)
        message["params"] = params if isinstance(params, dict) else list(params)
    return message


class _MethodPath:
    """``client.tasks.comments`` — an attribute path that becomes a method name when called."""

    __slots__ = ("_client", "_name")

    def __init__(self, client: "Client", name: str) -> None:
        self._client = client
        self._name = name

    def __getattr__(self, part: str) -> "_MethodPath":
        if part.startswith("_"):
            raise AttributeError(part)
        return _MethodPath(self._client, self._name + "." + part)

    def __call__(self, params: Params = None, *, timeout: Optional[float] = None, **named: Any) -> Any:
        return self._client.call(self._name, params, timeout=timeout, **named)

    def __repr__(self) -> str:
        return "<taskwire method %s>" % self._name


class _Unset:
    """The default of every optional param of a typed helper: the param is left out of the call."""

    _instance: Optional["_Unset"] = None

    def __new__(cls) -> "_Unset":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


#: Marks a param of a typed helper as not given (the default); it is not sent at all.
UNSET: Any = _Unset()


class _Namespace(_MethodPath):
    """A namespace of the schema (``client.tasks``): typed helpers for its methods, dynamic calls for other names."""

    __slots__ = ()


class Notification(NamedTuple):
    """A notification pushed by the server: its ``method`` (e.g. ``events.event``) and its ``params``."""

    method: str
    params: Any


class NotificationStream:
    """The notifications the server pushes to one client, in arrival order, from the moment it was opened.

    Iterate it (``for note in stream``) to block for each next ``Notification``; iteration ends when the
    connection closes or :meth:`close` is called. :meth:`get` waits with a timeout. It buffers at most
    ``maxsize`` notifications; past that the oldest are dropped and counted in ``dropped``. Any number of
    streams may be open on one client; each receives every notification (those it filters out aside).
    """

    def __init__(self, core: "_Core", methods: Optional[Iterable[str]] = None, maxsize: int = 10000) -> None:
        self._core = core
        self._methods = None if methods is None else frozenset(methods)
        self._maxsize = maxsize
        self._queue: "collections.deque[Notification]" = collections.deque()
        self._cond = threading.Condition()
        self._ended = False
        #: How many notifications were dropped because the buffer was full.
        self.dropped = 0
        core.subscribe(self)

    def _push(self, note: Notification) -> None:
        if self._methods is not None and note.method not in self._methods:
            return
        with self._cond:
            if self._ended:
                return
            if len(self._queue) >= self._maxsize:
                self._queue.popleft()
                self.dropped += 1
            self._queue.append(note)
            self._cond.notify()

    def _end(self) -> None:
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def get(self, timeout: Optional[float] = None) -> Notification:
        """The next notification; ``TaskwireTimeout`` after ``timeout`` seconds, ``ConnectionClosed`` at the end."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._queue:
                if self._ended:
                    raise ConnectionClosed("the notification stream has ended")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TaskwireTimeout("no notification within %gs" % timeout)
                self._cond.wait(remaining)
            return self._queue.popleft()

    def __iter__(self) -> "NotificationStream":
        return self

    def __next__(self) -> Any:
        try:
            return self.get()
        except ConnectionClosed:
            raise StopIteration from None

    def close(self) -> None:
        """Stops receiving; iteration ends once the buffered notifications are read."""
        self._core.unsubscribe(self)
        self._end()

    def __enter__(self) -> "NotificationStream":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class EventStream(NotificationStream):
    """The events feed: yields the params of each pushed ``events.event`` notification (one change each).

    ``cursor`` is the ``cursor`` of the last event handed out, for resuming after a reconnect once the server
    offers ``events.subscribe`` (not yet in the schema; until then the stream only sees pushed events).
    """

    METHOD = "events.event"

    def __init__(self, core: "_Core", maxsize: int = 10000) -> None:
        super().__init__(core, (self.METHOD,), maxsize)
        #: The cursor of the last event returned, or ``None``.
        self.cursor: Any = None

    def get(self, timeout: Optional[float] = None) -> Any:  # type: ignore[override]
        """The next event's params (a dict); ``TaskwireTimeout`` after ``timeout``, ``ConnectionClosed`` at the end."""
        event = super().get(timeout).params
        if isinstance(event, dict) and "cursor" in event:
            self.cursor = event["cursor"]
        return event


# --------------------------------------------------------------------------------------------------
# Typed helpers, one per method of schema/openrpc.json
# --------------------------------------------------------------------------------------------------

# BEGIN GENERATED by scripts/clients-gen.py from schema/openrpc.json; do not edit
#: Result members that hold an RFC 3339 time; ``parse_times`` turns their values into datetimes.
TIME_FIELDS = frozenset(
    {
        "at",
        "completed_at",
        "created_at",
        "due_date",
        "expires_at",
        "revoked_at",
        "updated_at",
        "uploaded_at",
    }
)

#: Every method of the schema with its params, in schema order (a test compares it with the schema).
METHODS: Dict[str, Tuple[str, ...]] = {
    "auth.login": ("token", "on_behalf_of",),
    "auth.tokens.create": ("user_id", "label", "expires_at", "on_behalf_of",),
    "auth.tokens.list": ("user_id", "on_behalf_of",),
    "auth.tokens.revoke": ("token_id", "on_behalf_of",),
    "auth.whoami": ("on_behalf_of",),
    "ping": ("on_behalf_of",),
    "rpc.discover": ("on_behalf_of",),
    "server.info": ("on_behalf_of",),
    "tasks.attachments.delete": ("attachment_id", "on_behalf_of",),
    "tasks.attachments.get": ("attachment_id", "on_behalf_of",),
    "tasks.attachments.list": ("task_id", "on_behalf_of",),
    "tasks.attachments.upload": ("task_id", "filename", "content_base64", "mime_type", "on_behalf_of",),
    "tasks.comments.add": ("task_id", "text", "mentions", "attachments", "on_behalf_of",),
    "tasks.comments.list": ("task_id", "page", "limit", "on_behalf_of",),
    "tasks.complete": ("task_id", "resolution", "time_spent_minutes", "outcomes", "if_version", "on_behalf_of",),
    "tasks.create": ("title", "description", "assignee", "due_date", "priority", "tags", "context", "idempotency_key", "on_behalf_of",),
    "tasks.delete": ("task_id", "if_version", "on_behalf_of",),
    "tasks.get": ("task_id", "on_behalf_of",),
    "tasks.history": ("task_id", "on_behalf_of",),
    "tasks.list": ("status", "assignee", "priority", "due_before", "due_after", "tags", "q", "overdue", "page", "limit", "sort", "order", "on_behalf_of",),
    "tasks.unwatch": ("task_id", "user_id", "on_behalf_of",),
    "tasks.update": ("task_id", "title", "description", "status", "priority", "assignee", "due_date", "tags", "context", "progress", "time_spent_minutes", "if_version", "on_behalf_of",),
    "tasks.watch": ("task_id", "user_id", "on_behalf_of",),
    "users.get": ("user_id", "on_behalf_of",),
    "users.list": ("role", "page", "limit", "on_behalf_of",),
    "users.upsert": ("user_id", "name", "avatar_url", "email", "role", "on_behalf_of",),
}


class _AuthTokensMethods(_Namespace):
    """The ``auth.tokens.*`` methods; other ``auth.tokens.`` names still work as dynamic calls."""

    __slots__ = ()

    def create(
        self,
        user_id: str,
        *,
        label: Optional[str] = UNSET,
        expires_at: Optional[Union[str, datetime, float]] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Issue a bearer token (admins only).

        ``auth.tokens.create``. Creates a token for an existing user and returns it once: only its
        SHA-256 hash is stored. The token is `tw_` and 43 base64url characters (32 random bytes).

        Rate limit: admin.

        Params:

        * ``user_id`` (str, required)
        * ``label`` (str)
        * ``expires_at`` (RFC 3339 time or datetime or number): RFC 3339 or Unix epoch seconds; must be
          in the future. Absent: never expires.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "auth.tokens.create", {"user_id": user_id, "label": label, "expires_at": expires_at, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def list(
        self,
        *,
        user_id: Optional[str] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """List tokens (never their text).

        ``auth.tokens.list``. The tokens of `user_id` with their status. Without user_id: every token
        for an admin, one's own for anyone else. Only admins may list other users' tokens.

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``user_id`` (str)
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "auth.tokens.list", {"user_id": user_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def revoke(
        self,
        token_id: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Revoke a token.

        ``auth.tokens.revoke``. Stops the token at once, also on connections already logged in with it
        (their next call gets 401). Admins may revoke any token, everyone else their own. Revoking a
        revoked token changes nothing.

        Rate limit: admin. Destructive, idempotent.

        Params:

        * ``token_id`` (str, required)
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "auth.tokens.revoke", {"token_id": token_id, "on_behalf_of": on_behalf_of}, (), timeout
        )


class _TasksAttachmentsMethods(_Namespace):
    """The ``tasks.attachments.*`` methods; other ``tasks.attachments.`` names still work as dynamic calls."""

    __slots__ = ()

    def delete(
        self,
        attachment_id: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Delete an attachment.

        ``tasks.attachments.delete``. Removes the attachment. The reply comes once the deletion is
        durable and, when no other attachment has the same bytes, the bytes are gone from the data
        directory. attachments_count falls by one. Records an attachment_deleted event.

        Rate limit: attach. Destructive, idempotent.

        Params:

        * ``attachment_id`` (str, required): The attachment's id.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.attachments.delete", {"attachment_id": attachment_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def get(
        self,
        attachment_id: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Get an attachment and its bytes.

        ``tasks.attachments.get``. The attachment's metadata and its bytes in content_base64.

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``attachment_id`` (str, required): The attachment's id.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.attachments.get", {"attachment_id": attachment_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def list(
        self,
        task_id: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """List a task's attachments.

        ``tasks.attachments.list``. The metadata of every attachment of the task, oldest first.

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.attachments.list", {"task_id": task_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def upload(
        self,
        task_id: str,
        filename: str,
        content_base64: str,
        *,
        mime_type: Optional[str] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Attach a file to a task.

        ``tasks.attachments.upload``. Stores the decoded bytes in the data directory under their SHA-256
        (identical bytes are stored once), durably, before the metadata is recorded. The MIME type is
        detected from the content when not given. attachments_count grows by one; version and updated_at
        do not change. Records an attachment_added event.

        Rate limit: attach.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``filename`` (str, required): 1-255 bytes of UTF-8 without control characters; metadata only.
        * ``content_base64`` (str, required): The bytes in canonical, padded base64 (RFC 4648) without
          whitespace.
        * ``mime_type`` (str): type/subtype; detected from the content when absent.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.attachments.upload", {"task_id": task_id, "filename": filename, "content_base64": content_base64, "mime_type": mime_type, "on_behalf_of": on_behalf_of}, (), timeout
        )


class _TasksCommentsMethods(_Namespace):
    """The ``tasks.comments.*`` methods; other ``tasks.comments.`` names still work as dynamic calls."""

    __slots__ = ()

    def add(
        self,
        task_id: str,
        text: str,
        *,
        mentions: Optional[List[str]] = UNSET,
        attachments: Optional[List[str]] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Add a comment to a task.

        ``tasks.comments.add``. Adds a comment by the caller. The task's comments_count grows by one;
        its version and updated_at do not change. Records a comment_added event.

        Rate limit: comment.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``text`` (str, required): The comment; not blank, at most 10,000 characters.
        * ``mentions`` (list): User ids mentioned; duplicates are dropped.
        * ``attachments`` (list): Ids of attachments of the same task.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.comments.add", {"task_id": task_id, "text": text, "mentions": mentions, "attachments": attachments, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def list(
        self,
        task_id: str,
        *,
        page: Optional[int] = UNSET,
        limit: Optional[int] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """List a task's comments.

        ``tasks.comments.list``. A page of the task's comments, oldest first, with the author expanded
        to {user_id, name}.

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``page`` (int): Page number, from 1.
        * ``limit`` (int): Comments per page.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.comments.list", {"task_id": task_id, "page": page, "limit": limit, "on_behalf_of": on_behalf_of}, (), timeout
        )


class _AuthMethods(_Namespace):
    """The ``auth.*`` methods; other ``auth.`` names still work as dynamic calls."""

    __slots__ = ()

    @property
    def tokens(self) -> "_AuthTokensMethods":
        """The ``auth.tokens.*`` methods."""
        return _AuthTokensMethods(self._client, "auth.tokens")

    def login(
        self,
        token: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Log this connection in with a bearer token.

        ``auth.login``. Binds the connection to the token's user until it logs in again or the
        connection ends; a stdio connection may switch from its --stdio-user this way. Any invalid,
        expired or revoked token is the same 401. After 5 failed logins on a connection, each further
        failure locks logins for 1 s, 2 s, 4 s, ... (up to 300 s); attempts while locked get 429 with
        data.retry_after_seconds. Open before login.

        Rate limit: none. Open before login.

        Params:

        * ``token`` (str, required): The bearer token from auth.tokens.create or `taskwire token
          create`.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "auth.login", {"token": token, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def whoami(
        self,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Who this connection is.

        ``auth.whoami``. The connection's user, its role, how it authenticated (`stdio` or `token`), the
        token id, and with on_behalf_of the member acted for (`acting_for`).

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "auth.whoami", {"on_behalf_of": on_behalf_of}, (), timeout
        )


class _RpcMethods(_Namespace):
    """The ``rpc.*`` methods; other ``rpc.`` names still work as dynamic calls."""

    __slots__ = ()

    def discover(
        self,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Any:
        """Returns this OpenRPC document.

        ``rpc.discover``. OpenRPC service discovery. Takes no params.

        Rate limit: none. Open before login, read-only, idempotent.

        Params:

        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "rpc.discover", {"on_behalf_of": on_behalf_of}, (), timeout
        )


class _ServerMethods(_Namespace):
    """The ``server.*`` methods; other ``server.`` names still work as dynamic calls."""

    __slots__ = ()

    def info(
        self,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Describes the running server and this connection.

        ``server.info``. Name, version, uptime, transports, the framing of the calling connection, where
        data lives, the durability mode and the limits in force. Later versions add members (for example
        counts); clients must ignore members they do not know.

        Rate limit: none. Open before login, read-only, idempotent.

        Params:

        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "server.info", {"on_behalf_of": on_behalf_of}, (), timeout
        )


class _TasksMethods(_Namespace):
    """The ``tasks.*`` methods; other ``tasks.`` names still work as dynamic calls."""

    __slots__ = ()

    @property
    def attachments(self) -> "_TasksAttachmentsMethods":
        """The ``tasks.attachments.*`` methods."""
        return _TasksAttachmentsMethods(self._client, "tasks.attachments")

    @property
    def comments(self) -> "_TasksCommentsMethods":
        """The ``tasks.comments.*`` methods."""
        return _TasksCommentsMethods(self._client, "tasks.comments")

    def complete(
        self,
        task_id: str,
        *,
        resolution: Optional[str] = UNSET,
        time_spent_minutes: Optional[int] = UNSET,
        outcomes: Optional[List[str]] = UNSET,
        if_version: Optional[int] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Complete an in-progress task.

        ``tasks.complete``. Only an in_progress task can be completed (anything else is 409
        invalid_transition). Sets completed_at, completed_by (the caller) and progress 100, ADDS
        time_spent_minutes to the task's total, and stores resolution and outcomes.

        Rate limit: update. Idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``resolution`` (str)
        * ``time_spent_minutes`` (int): Added to the total.
        * ``outcomes`` (list)
        * ``if_version`` (int): Apply only if the task is at this version; otherwise 409
          version_conflict and nothing changes.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.complete", {"task_id": task_id, "resolution": resolution, "time_spent_minutes": time_spent_minutes, "outcomes": outcomes, "if_version": if_version, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def create(
        self,
        title: str,
        *,
        description: Optional[str] = UNSET,
        assignee: Optional[str] = UNSET,
        due_date: Optional[Union[str, datetime, float]] = UNSET,
        priority: Optional[Literal['low', 'medium', 'high', 'critical']] = UNSET,
        tags: Optional[List[str]] = UNSET,
        context: Optional[Dict[str, Any]] = UNSET,
        idempotency_key: Optional[str] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Create a task.

        ``tasks.create``. Creates a task in status pending and returns the whole task (as tasks.get)
        plus `replayed`. With `idempotency_key`, a retry with the same key and the same params returns
        the original task (`replayed: true`, nothing new is written); the same key with different params
        is 409 already_exists. Keys are per creating user and kept forever.

        Rate limit: create.

        Params:

        * ``title`` (str, required): Not blank; at most 500 characters.
        * ``description`` (str)
        * ``assignee`` (str): User id of the assignee.
        * ``due_date`` (RFC 3339 time or datetime or epoch seconds): Must be in the future
          (invalid_due_date: "Due date must be in the future").
        * ``priority`` ("low" | "medium" | "high" | "critical"): Default medium; anything else is
          invalid_priority.
        * ``tags`` (list)
        * ``context`` (object)
        * ``idempotency_key`` (str)
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.create", {"title": title, "description": description, "assignee": assignee, "due_date": due_date, "priority": priority, "tags": tags, "context": context, "idempotency_key": idempotency_key, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def delete(
        self,
        task_id: str,
        *,
        if_version: Optional[int] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Delete a task.

        ``tasks.delete``. Removes the task from tasks.get and tasks.list (both answer as if it never
        existed); tasks.history still answers.

        Rate limit: update. Destructive, idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``if_version`` (int): Apply only if the task is at this version; otherwise 409
          version_conflict and nothing changes.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.delete", {"task_id": task_id, "if_version": if_version, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def get(
        self,
        task_id: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Get one task.

        ``tasks.get``. Returns every field of a live task. `assignee` is expanded to `{user_id, name,
        avatar_url}` through the user directory; a user the directory does not know is `{user_id}`.
        Deleted tasks are not found.

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.get", {"task_id": task_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def history(
        self,
        task_id: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Every change of a task.

        ``tasks.history``. Every committed change of the task, oldest first, each with its global seq,
        time, actor and {field: {old, new}} changes. Answers for deleted tasks too (with deleted: true).

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.history", {"task_id": task_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def list(
        self,
        *,
        status: Optional[Union[str, List[str]]] = UNSET,
        assignee: Optional[str] = UNSET,
        priority: Optional[Union[str, List[str]]] = UNSET,
        due_before: Optional[Union[str, datetime, float]] = UNSET,
        due_after: Optional[Union[str, datetime, float]] = UNSET,
        tags: Optional[Union[str, List[str]]] = UNSET,
        q: Optional[str] = UNSET,
        overdue: Optional[bool] = UNSET,
        page: Optional[int] = UNSET,
        limit: Optional[int] = UNSET,
        sort: Optional[Literal['created_at', 'due_date', 'priority', 'updated_at']] = UNSET,
        order: Optional[Literal['asc', 'desc']] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """List tasks with filters, sorting and paging.

        ``tasks.list``. Filters combine with AND. `status` and `priority` take one value, a
        comma-separated list or an array (any of them); `tags` means all of them;
        `due_before`/`due_after` are strict and exclude tasks without a due date; `q` is a
        case-insensitive substring of title or description; `overdue: true` keeps open tasks whose due
        date has passed. Default order: desc for created_at, updated_at and priority, asc for due_date.
        Tasks without a due date sort last in both orders; ties are broken by task_id in the same
        direction. `total` counts every match.

        Rate limit: list. Read-only, idempotent.

        Params:

        * ``status`` (str or list)
        * ``assignee`` (str)
        * ``priority`` (str or list)
        * ``due_before`` (RFC 3339 time or datetime or epoch seconds)
        * ``due_after`` (RFC 3339 time or datetime or epoch seconds)
        * ``tags`` (str or list)
        * ``q`` (str)
        * ``overdue`` (bool)
        * ``page`` (int)
        * ``limit`` (int)
        * ``sort`` ("created_at" | "due_date" | "priority" | "updated_at")
        * ``order`` ("asc" | "desc")
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.list", {"status": status, "assignee": assignee, "priority": priority, "due_before": due_before, "due_after": due_after, "tags": tags, "q": q, "overdue": overdue, "page": page, "limit": limit, "sort": sort, "order": order, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def unwatch(
        self,
        task_id: str,
        *,
        user_id: Optional[str] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Stop watching a task.

        ``tasks.unwatch``. Removes the caller, or user_id, from the task's watchers. Only an
        administrator may remove another user. Unwatching a task one does not watch changes nothing
        (changed: false). Records a watcher_removed event.

        Rate limit: update. Idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``user_id`` (str): The user to remove; the caller when absent.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.unwatch", {"task_id": task_id, "user_id": user_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def update(
        self,
        task_id: str,
        *,
        title: Optional[str] = UNSET,
        description: Optional[str] = UNSET,
        status: Optional[Literal['pending', 'in_progress', 'completed', 'cancelled']] = UNSET,
        priority: Optional[Literal['low', 'medium', 'high', 'critical']] = UNSET,
        assignee: Optional[str] = UNSET,
        due_date: Optional[Union[str, datetime, float]] = UNSET,
        tags: Optional[List[str]] = UNSET,
        context: Optional[Dict[str, Any]] = UNSET,
        progress: Optional[int] = UNSET,
        time_spent_minutes: Optional[int] = UNSET,
        if_version: Optional[int] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Change fields of a task.

        ``tasks.update``. Sets the given fields; `null` clears description, assignee, due_date, tags and
        context. Status moves: pending -> in_progress -> completed, pending/in_progress -> cancelled,
        completed/cancelled -> pending/in_progress (reopen, clears completed_at and completed_by).
        Moving to completed sets completed_at, completed_by and progress 100. `updated_fields` lists the
        fields that actually changed, in request order; when nothing changed, `updated` is false and no
        version is used.

        Rate limit: update. Idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``title`` (str)
        * ``description`` (str or null)
        * ``status`` ("pending" | "in_progress" | "completed" | "cancelled")
        * ``priority`` ("low" | "medium" | "high" | "critical")
        * ``assignee`` (str or null)
        * ``due_date`` (RFC 3339 time or datetime or epoch seconds or null): Must be in the future; null
          clears it.
        * ``tags`` (list or null)
        * ``context`` (object or null)
        * ``progress`` (int)
        * ``time_spent_minutes`` (int): Sets the total.
        * ``if_version`` (int): Apply only if the task is at this version; otherwise 409
          version_conflict and nothing changes.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``, except that it sends null (clearing the
        field) for ``description``, ``assignee``, ``due_date``, ``tags``, ``context``.
        """
        return self._client._call_typed(
            "tasks.update", {"task_id": task_id, "title": title, "description": description, "status": status, "priority": priority, "assignee": assignee, "due_date": due_date, "tags": tags, "context": context, "progress": progress, "time_spent_minutes": time_spent_minutes, "if_version": if_version, "on_behalf_of": on_behalf_of}, ('description', 'assignee', 'due_date', 'tags', 'context'), timeout
        )

    def watch(
        self,
        task_id: str,
        *,
        user_id: Optional[str] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Watch a task.

        ``tasks.watch``. Adds the caller, or user_id, to the task's watchers. Only an administrator may
        add another user. Watching twice changes nothing (changed: false). Records a watcher_added
        event; version and updated_at do not change.

        Rate limit: update. Idempotent.

        Params:

        * ``task_id`` (str, required): The task's id.
        * ``user_id`` (str): The user to add; the caller when absent.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "tasks.watch", {"task_id": task_id, "user_id": user_id, "on_behalf_of": on_behalf_of}, (), timeout
        )


class _UsersMethods(_Namespace):
    """The ``users.*`` methods; other ``users.`` names still work as dynamic calls."""

    __slots__ = ()

    def get(
        self,
        user_id: str,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Get one user.

        ``users.get``. Returns a user of the directory. `system` always exists.

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``user_id`` (str, required)
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "users.get", {"user_id": user_id, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def list(
        self,
        *,
        role: Optional[Literal['admin', 'agent', 'member']] = UNSET,
        page: Optional[int] = UNSET,
        limit: Optional[int] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """List users.

        ``users.list``. Users sorted by user_id, `system` included, optionally only one role.

        Rate limit: read. Read-only, idempotent.

        Params:

        * ``role`` ("admin" | "agent" | "member")
        * ``page`` (int): Default 1.
        * ``limit`` (int): Default 20.
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "users.list", {"role": role, "page": page, "limit": limit, "on_behalf_of": on_behalf_of}, (), timeout
        )

    def upsert(
        self,
        user_id: str,
        name: str,
        role: Literal['admin', 'agent', 'member'],
        *,
        avatar_url: Optional[str] = UNSET,
        email: Optional[str] = UNSET,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Create or change a user.

        ``users.upsert``. Creates the user or replaces its name, avatar_url, email and role (an absent
        avatar_url or email clears it). Fields equal to their current value are not changes; when
        nothing changes nothing is recorded. Admins may do anything; an agent may create and change
        members (not admins or agents, and no promotions); everyone may change their own profile without
        changing their role. The built-in `system` user always stays an admin.

        Rate limit: admin. Idempotent.

        Params:

        * ``user_id`` (str, required)
        * ``name`` (str, required): Not blank; at most 200 characters.
        * ``avatar_url`` (str): An http or https URL.
        * ``email`` (str): Shaped like name@example.com.
        * ``role`` ("admin" | "agent" | "member", required)
        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "users.upsert", {"user_id": user_id, "name": name, "avatar_url": avatar_url, "email": email, "role": role, "on_behalf_of": on_behalf_of}, (), timeout
        )


class _GeneratedClientMethods:
    """The schema's namespaces as attributes of the client, and its methods without a namespace."""

    __slots__ = ()

    @property
    def _client(self) -> "Client":
        return self  # type: ignore[return-value]

    @property
    def auth(self) -> "_AuthMethods":
        """The ``auth.*`` methods."""
        return _AuthMethods(self._client, "auth")

    @property
    def rpc(self) -> "_RpcMethods":
        """The ``rpc.*`` methods."""
        return _RpcMethods(self._client, "rpc")

    @property
    def server(self) -> "_ServerMethods":
        """The ``server.*`` methods."""
        return _ServerMethods(self._client, "server")

    @property
    def tasks(self) -> "_TasksMethods":
        """The ``tasks.*`` methods."""
        return _TasksMethods(self._client, "tasks")

    @property
    def users(self) -> "_UsersMethods":
        """The ``users.*`` methods."""
        return _UsersMethods(self._client, "users")

    def ping(
        self,
        *,
        on_behalf_of: Optional[str] = UNSET,
        timeout: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Checks that the server answers.

        ``ping``. Takes no params and returns an empty object. Useful as a liveness probe and to measure
        round trips.

        Rate limit: none. Open before login, read-only, idempotent.

        Params:

        * ``on_behalf_of`` (str): Agents only: make the call as this member, who is then checked and
          rate-limited; history records the agent too (docs/security.md).

        Optional params left out are not sent; so is ``None``.
        """
        return self._client._call_typed(
            "ping", {"on_behalf_of": on_behalf_of}, (), timeout
        )
# END GENERATED


class Client(_GeneratedClientMethods):
    """A connection to one taskwire server: over a spawned child's stdio, or over a socket.

    Create one with :meth:`spawn`, :meth:`connect_unix` or :meth:`from_socket`. Thread-safe. Use it as a
    context manager, or call :meth:`close`, so the server child is always reaped.
    """

    def __init__(
        self,
        channel: _Channel,
        framing: str = NDJSON,
        *,
        on_notification: Optional[NotificationCallback] = None,
        timeout: Optional[float] = None,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        close_timeout: float = 5.0,
        parse_times: bool = False,
    ) -> None:
        """Wraps an open channel; prefer the ``spawn``/``connect_unix``/``from_socket`` constructors.

        ``timeout`` is the default per-call timeout in seconds (``None``: wait until the reply or the end of
        the connection). ``max_frame_bytes`` refuses larger requests locally with ``TooLarge``; match the
        server's ``--max-frame-bytes``. ``close_timeout`` bounds how long ``close()`` waits for the server.
        ``parse_times=True`` turns the time members of results and notifications (``TIME_FIELDS``) into aware
        UTC ``datetime`` values; by default results are the raw JSON.
        """
        self.timeout = timeout
        self._core = _Core(channel, framing, on_notification, max_frame_bytes, close_timeout)
        self._core.parse_times = parse_times
        _live_cores.add(self._core)
        # Closes the connection when the client is garbage collected without close().
        self._finalizer = weakref.finalize(self, _close_core_quietly, self._core)

    # -- constructors ---------------------------------------------------------------------------

    @classmethod
    def spawn(
        cls,
        binary: str = "taskwire",
        args: Iterable[str] = (),
        framing: str = NDJSON,
        env: Optional[Dict[str, str]] = None,
        stderr: Any = None,
        *,
        cwd: Optional[str] = None,
        on_notification: Optional[NotificationCallback] = None,
        timeout: Optional[float] = None,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        close_timeout: float = 5.0,
        parse_times: bool = False,
    ) -> "Client":
        """Starts ``binary args...`` as a child process and talks to it over its stdin/stdout.

        ``framing`` is ``"ndjson"`` (one JSON message per line) or ``"lsp"`` (``Content-Length`` headers);
        the server detects it from the first byte. ``env`` replaces the child's environment (``None``:
        inherit). ``stderr`` is where the server's log goes: ``None`` inherits this process's stderr, or pass
        ``subprocess.DEVNULL``, a file, or ``subprocess.PIPE`` to forward each line to the ``taskwire.server``
        logger at INFO level.
        """
        if framing not in FRAMINGS:
            raise ValueError("unknown framing %r (expected 'ndjson' or 'lsp')" % (framing,))
        process = subprocess.Popen(
            [binary, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=cwd,
            bufsize=0,
            close_fds=True,
        )
        if stderr == subprocess.PIPE and process.stderr is not None:
            threading.Thread(
                target=_forward_stderr, args=(process.stderr, process.pid), name="taskwire-stderr", daemon=True
            ).start()
        try:
            return cls(
                _ProcessChannel(process),
                framing,
                on_notification=on_notification,
                timeout=timeout,
                max_frame_bytes=max_frame_bytes,
                close_timeout=close_timeout,
                parse_times=parse_times,
            )
        except BaseException:
            process.kill()
            process.wait()
            raise

    @classmethod
    def connect_unix(
        cls,
        path: str,
        framing: str = NDJSON,
        *,
        wait: float = 0.0,
        on_notification: Optional[NotificationCallback] = None,
        timeout: Optional[float] = None,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        parse_times: bool = False,
    ) -> "Client":
        """Connects to ``taskwire --socket PATH``.

        ``wait`` > 0 keeps retrying for that many seconds while the socket file is missing or refuses
        connections (a server that is still starting), then raises the last ``OSError``. A socket
        connection starts unauthenticated: call ``client.auth.login(token=...)`` before other methods.
        """
        deadline = time.monotonic() + wait
        delay = 0.005
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if time.monotonic() >= deadline:
                    raise
                # No event tells us when a server starts listening; back off briefly, bounded by `wait`.
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 0.1)
            except BaseException:
                sock.close()
                raise
        return cls.from_socket(
            sock,
            framing,
            on_notification=on_notification,
            timeout=timeout,
            max_frame_bytes=max_frame_bytes,
            parse_times=parse_times,
        )

    @classmethod
    def from_socket(
        cls,
        sock: socket.socket,
        framing: str = NDJSON,
        *,
        on_notification: Optional[NotificationCallback] = None,
        timeout: Optional[float] = None,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        parse_times: bool = False,
    ) -> "Client":
        """Speaks JSON-RPC over an already connected stream socket; the client owns and closes it."""
        return cls(
            _SocketChannel(sock),
            framing,
            on_notification=on_notification,
            timeout=timeout,
            max_frame_bytes=max_frame_bytes,
            parse_times=parse_times,
        )

    # -- calls ----------------------------------------------------------------------------------

    def call(self, method: str, params: Params = None, *, timeout: Optional[float] = None, **named: Any) -> Any:
        """Calls ``method`` and returns its result, or raises the error reply as a ``TaskwireError`` subclass.

        Params are the dict (or list) ``params`` merged with the keyword arguments; a param whose name clashes
        with ``method``/``params``/``timeout`` goes in the dict. ``timeout`` (seconds, default the client's)
        raises ``TaskwireTimeout`` and sends ``$/cancelRequest`` for the call. ``ConnectionClosed`` if the
        server goes away first.
        """
        request_id, future = self._send_request(method, _merge_params(params, named))
        return self._core.wait(request_id, future, self.timeout if timeout is None else timeout)

    def call_async(self, method: str, params: Params = None, **named: Any) -> concurrent.futures.Future:
        """Sends a call now and returns a ``concurrent.futures.Future`` for its result (or its error).

        The request is on the wire when this returns. ``future.result(timeout)`` waits; unlike ``call``, a
        timeout there neither cancels the request on the server nor forgets it.
        """
        return self._send_request(method, _merge_params(params, named))[1]

    def _send_request(self, method: str, params: Params) -> Tuple[int, concurrent.futures.Future]:
        core = self._core
        request_id = core.next_id()
        message = _request(request_id, method, params)
        future = core.register(request_id)
        try:
            core.send(message, (request_id,))
        except BaseException:
            core.forget(request_id)
            raise
        return request_id, future

    def notify(self, method: str, params: Params = None, **named: Any) -> None:
        """Sends a notification: no id, no reply, no error report (the server answers nothing, ever)."""
        self._core.send(_request(None, method, _merge_params(params, named)))

    def batch(self, *, timeout: Optional[float] = None) -> "Batch":
        """Starts a batch: calls and notifications collected in a ``with`` block go out as one frame.

        ``b.call(...)`` returns a ``concurrent.futures.Future``; leaving the block sends the batch and waits
        for every reply (up to ``timeout``), so each future's ``result()`` is ready afterwards and returns the
        result or raises the call's error.
        """
        return Batch(self, self.timeout if timeout is None else timeout)

    def call_batch(
        self, calls: Iterable[Tuple[str, Params]], *, timeout: Optional[float] = None
    ) -> List[Union[Any, TaskwireError]]:
        """Sends ``[(method, params), ...]`` as one batch; returns each result or its exception, in order."""
        futures = []
        with self.batch(timeout=timeout) as batch:
            for method, params in calls:
                futures.append(batch.call(method, params))
        outcomes: List[Union[Any, TaskwireError]] = []
        for future in futures:
            error = future.exception()
            outcomes.append(error if error is not None else future.result())
        return outcomes

    def _call_typed(self, method: str, params: Dict[str, Any], nullable: Tuple[str, ...], timeout: Optional[float]) -> Any:
        """The call behind a typed helper: drops params left ``UNSET``, and ``None`` where null is not allowed."""
        sent = {
            name: value
            for name, value in params.items()
            if value is not UNSET and (value is not None or name in nullable)
        }
        return self.call(method, sent, timeout=timeout)

    def __getattr__(self, name: str) -> _MethodPath:
        """``client.x.y(...)`` calls ``x.y`` for names the schema does not have (yet): a newer server's methods."""
        if name.startswith("_"):
            raise AttributeError(name)
        return _MethodPath(self, name)

    # -- notifications --------------------------------------------------------------------------

    def notifications(self, methods: Optional[Iterable[str]] = None, *, maxsize: int = 10000) -> NotificationStream:
        """Opens a stream of the notifications the server pushes from now on (only ``methods``, if given).

        ``for note in client.notifications(): ...`` blocks for each ``Notification(method, params)`` and ends
        when the connection closes; ``stream.get(timeout)`` waits at most ``timeout`` seconds. Close the
        stream (or use it as a context manager) when done, so it stops buffering. Works beside
        ``on_notification``, which still sees every notification.
        """
        return NotificationStream(self._core, methods, maxsize)

    def events(self, *, maxsize: int = 10000) -> EventStream:
        """Opens the events feed: the params of each pushed ``events.event`` notification, one per change.

        The stream remembers the ``cursor`` of the last event it returned. Resuming from that cursor after a
        reconnect needs the server's ``events.subscribe``, which is coming; until then the stream sees the
        events the server pushes to this connection.
        """
        return EventStream(self._core, maxsize)

    # -- the spec's BASIC keywords --------------------------------------------------------------

    def create_task(self, title: str, assignee: Optional[str] = None, **fields: Any) -> str:
        """``CREATE TASK title, assignee``: creates a task and returns its id. See :func:`create_task`."""
        return create_task(self, title, assignee, **fields)

    def set_task_priority(self, task_id: str, priority: str) -> Dict[str, Any]:
        """``SET TASK PRIORITY id, priority``. See :func:`set_task_priority`."""
        return set_task_priority(self, task_id, priority)

    def set_task_due_date(self, task_id: str, when: Union[float, datetime, str, None]) -> Dict[str, Any]:
        """``SET TASK DUE DATE id, when``. See :func:`set_task_due_date`."""
        return set_task_due_date(self, task_id, when)

    def set_task_assignee(self, task_id: str, assignee: Optional[str]) -> Dict[str, Any]:
        """``SET TASK ASSIGNEE id, user``. See :func:`set_task_assignee`."""
        return set_task_assignee(self, task_id, assignee)

    def set_task_progress(self, task_id: str, progress: int) -> Dict[str, Any]:
        """``SET TASK PROGRESS id, percent``. See :func:`set_task_progress`."""
        return set_task_progress(self, task_id, progress)

    def get_task_status(self, task_id: str) -> str:
        """``GET TASK STATUS id``. See :func:`get_task_status`."""
        return get_task_status(self, task_id)

    def add_task_comment(self, task_id: str, text: str) -> str:
        """``ADD TASK COMMENT id, text``. See :func:`add_task_comment`."""
        return add_task_comment(self, task_id, text)

    def set_task_status(self, task_id: str, status: str) -> Dict[str, Any]:
        """``SET TASK STATUS id, status``. See :func:`set_task_status`."""
        return set_task_status(self, task_id, status)

    def complete_task(self, task_id: str, resolution: Optional[str] = None) -> Dict[str, Any]:
        """``COMPLETE TASK id, resolution``. See :func:`complete_task`."""
        return complete_task(self, task_id, resolution)

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the connection is gone (closed by us, or the server went away)."""
        return self._core.closed

    @property
    def framing(self) -> str:
        """The framing this connection speaks: ``"ndjson"`` or ``"lsp"``."""
        return self._core.framing

    @property
    def process(self) -> Optional[subprocess.Popen]:
        """The spawned server process, or ``None`` for socket connections."""
        channel = self._core.channel
        return channel.process if isinstance(channel, _ProcessChannel) else None

    @property
    def on_notification(self) -> Optional[NotificationCallback]:
        """The callback receiving server notifications as ``(method, params)`` on the reader thread."""
        return self._core.on_notification

    @on_notification.setter
    def on_notification(self, callback: Optional[NotificationCallback]) -> None:
        self._core.on_notification = callback

    def close(self) -> None:
        """Ends the connection. For a spawned server: closes its stdin (it exits on end of input), waits up
        to ``close_timeout``, then terminates and finally kills it. Pending calls fail with
        ``ConnectionClosed``. Safe to call twice, from any thread except the notification callback."""
        _live_cores.discard(self._core)
        self._finalizer.detach()
        self._core.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return "<taskwire.Client %s %s %s>" % (self._core.channel.describe(), self._core.framing, state)


class Batch:
    """Collects calls and notifications for one JSON-RPC batch frame; see :meth:`Client.batch`."""

    def __init__(self, client: Client, timeout: Optional[float]) -> None:
        self._core = client._core
        self._timeout = timeout
        self._messages: List[Dict[str, Any]] = []
        self._futures: List[Tuple[int, concurrent.futures.Future]] = []
        self._sent = False

    def call(self, method: str, params: Params = None, **named: Any) -> concurrent.futures.Future:
        """Adds a call; its future is resolved once the batch reply arrives after the ``with`` block."""
        self._check_open()
        request_id = self._core.next_id()
        self._messages.append(_request(request_id, method, _merge_params(params, named)))
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._futures.append((request_id, future))
        return future

    def notify(self, method: str, params: Params = None, **named: Any) -> None:
        """Adds a notification (no reply)."""
        self._check_open()
        self._messages.append(_request(None, method, _merge_params(params, named)))

    def _check_open(self) -> None:
        if self._sent:
            raise RuntimeError("this batch was already sent")

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._sent = True
        if exc_type is not None or not self._messages:
            for _, future in self._futures:
                future.cancel()
            return
        self._send_and_wait()

    def _send_and_wait(self) -> None:
        core = self._core
        registered: List[Tuple[int, concurrent.futures.Future, concurrent.futures.Future]] = []
        try:
            for request_id, future in self._futures:
                registered.append((request_id, core.register(request_id), future))
            core.send(self._messages, [request_id for request_id, _, _ in registered])
        except TaskwireError as exc:
            for request_id, _, future in registered:
                core.forget(request_id)
            for _, future in self._futures:
                if not future.done():
                    future.set_exception(exc)
            return
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        for request_id, inner, future in registered:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                future.set_result(core.wait(request_id, inner, remaining))
            except TaskwireTimeout:
                future.set_exception(
                    TaskwireTimeout("no reply to batch request %d within %gs" % (request_id, self._timeout), request_id)
                )
            except TaskwireError as exc:
                future.set_exception(exc)


def _forward_stderr(stream: Any, pid: int) -> None:
    server_log = logging.getLogger("taskwire.server")
    try:
        for line in iter(stream.readline, b""):
            server_log.info("[%d] %s", pid, line.decode("utf-8", "replace").rstrip())
    except (OSError, ValueError):
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


# --------------------------------------------------------------------------------------------------
# The spec's BASIC keywords (tasks-api.md, "Integration with BASIC")
# --------------------------------------------------------------------------------------------------


def now() -> float:
    """BASIC's ``NOW()``: the current time in Unix epoch seconds, so ``now() + 24 * 3600`` is a day from now."""
    return time.time()


def create_task(client: Client, title: str, assignee: Optional[str] = None, **fields: Any) -> str:
    """``task_id = CREATE TASK title, assignee``: creates a task and returns its id.

    ``fields`` are any other ``tasks.create`` params (``priority``, ``due_date``, ``tags``, ...).
    """
    return client.tasks.create(title, assignee=assignee, **fields)["task_id"]


def set_task_priority(client: Client, task_id: str, priority: str) -> Dict[str, Any]:
    """``SET TASK PRIORITY task_id, priority`` (``low``, ``medium``, ``high``, ``critical``); the update result."""
    return client.tasks.update(task_id, priority=priority)  # type: ignore[arg-type]


def set_task_due_date(client: Client, task_id: str, when: Union[float, datetime, str, None]) -> Dict[str, Any]:
    """``SET TASK DUE DATE task_id, when``: ``when`` is epoch seconds (``now() + 24 * 3600``), a ``datetime``
    (naive means UTC) or an RFC 3339 string; ``None`` clears the due date. Returns the update result."""
    return client.call("tasks.update", {"task_id": task_id, "due_date": when})


def set_task_assignee(client: Client, task_id: str, assignee: Optional[str]) -> Dict[str, Any]:
    """``SET TASK ASSIGNEE task_id, user``: a user id, or ``None`` to unassign. Returns the update result."""
    return client.call("tasks.update", {"task_id": task_id, "assignee": assignee})


def set_task_progress(client: Client, task_id: str, progress: int) -> Dict[str, Any]:
    """``SET TASK PROGRESS task_id, percent`` (0-100). Returns the update result."""
    return client.tasks.update(task_id, progress=progress)


def get_task_status(client: Client, task_id: str) -> str:
    """``status = GET TASK STATUS task_id``: ``pending``, ``in_progress``, ``completed`` or ``cancelled``."""
    return client.tasks.get(task_id)["status"]


def add_task_comment(client: Client, task_id: str, text: str) -> str:
    """``ADD TASK COMMENT task_id, text``: adds a comment and returns its id."""
    return client.tasks.comments.add(task_id, text)["comment_id"]


def set_task_status(client: Client, task_id: str, status: str) -> Dict[str, Any]:
    """``SET TASK STATUS task_id, status`` (``pending``, ``in_progress``, ``completed``, ``cancelled``)."""
    return client.tasks.update(task_id, status=status)  # type: ignore[arg-type]


def complete_task(client: Client, task_id: str, resolution: Optional[str] = None) -> Dict[str, Any]:
    """``COMPLETE TASK task_id, resolution``: completes the task; returns ``{task_id, status, completed_at, ...}``.

    The server completes only a task in progress. A script rarely tracks that, so a task still ``pending``
    is first moved to ``in_progress`` (a write of its own, in the task's history), then completed.
    """
    try:
        return client.tasks.complete(task_id, resolution=resolution)
    except Conflict as error:
        if error.error != "invalid_transition" or client.tasks.get(task_id)["status"] != "pending":
            raise
    client.tasks.update(task_id, status="in_progress")
    return client.tasks.complete(task_id, resolution=resolution)


# --------------------------------------------------------------------------------------------------
# Command line: taskwire-client, python3 -m taskwire
# --------------------------------------------------------------------------------------------------

#: The exit status of the command line for each kind of failure (docs/clients.md lists them).
EXIT_CODES: Dict[type, int] = {
    TaskwireError: 1,
    InternalError: 1,
    ConnectionClosed: 3,
    TaskwireTimeout: 4,
    MethodNotFound: 5,
    InvalidParams: 6,
    ParseError: 6,
    InvalidRequest: 6,
    Unauthorized: 7,
    PermissionDenied: 8,
    NotFound: 9,
    Conflict: 10,
    TooLarge: 11,
    RateLimited: 12,
    Unavailable: 13,
    RequestCancelled: 14,
}
EXIT_USAGE = 2

_CLI_USAGE = """\
usage: taskwire-client [--socket PATH [--token TOKEN] | --spawn CMD] [--framing ndjson|lsp]
                       [--timeout SECONDS] [--raw] METHOD [key=value ...]

Calls one method of a taskwire server and prints its JSON result.

  --socket PATH   connect to `taskwire --socket PATH` (default: $TASKWIRE_SOCKET)
  --token TOKEN   log in with this token first (default: $TASKWIRE_TOKEN)
  --spawn CMD     start this server command and talk to it over stdio (default: `taskwire`)
  --framing F     ndjson (default) or lsp
  --timeout S     seconds to wait for the reply (default 30)
  --raw           print the result as one compact line
  key=value       a param; the value is parsed as JSON when it parses, else taken as a string

Exit status: 0 ok, 1 other server error, 2 usage, 3 connection failed or closed, 4 timeout,
5 method not found, 6 invalid params, 7 unauthorized, 8 permission denied, 9 not found, 10 conflict,
11 too large, 12 rate limited, 13 unavailable, 14 cancelled.
"""


class _UsageError(Exception):
    pass


def _parse_cli(argv: Sequence[str]) -> Dict[str, Any]:
    options: Dict[str, Any] = {
        "socket": os.environ.get("TASKWIRE_SOCKET") or None,
        "token": os.environ.get("TASKWIRE_TOKEN") or None,
        "spawn": None,
        "framing": NDJSON,
        "timeout": 30.0,
        "raw": False,
        "help": False,
        "method": None,
        "params": {},
    }
    args = list(argv)
    while args:
        word = args.pop(0)
        if options["method"] is None and word.startswith("-"):
            name, _, inline = word.partition("=")
            if name in ("-h", "--help"):
                options["help"] = True
                continue
            if name == "--raw":
                options["raw"] = True
                continue
            if name not in ("--socket", "--token", "--spawn", "--framing", "--timeout"):
                raise _UsageError("unknown option %s" % name)
            if not inline:
                if not args:
                    raise _UsageError("%s needs a value" % name)
                inline = args.pop(0)
            key = name[2:]
            if key == "framing" and inline not in FRAMINGS:
                raise _UsageError("--framing must be ndjson or lsp")
            if key == "timeout":
                try:
                    options[key] = float(inline)
                except ValueError:
                    raise _UsageError("--timeout needs a number of seconds") from None
            else:
                options[key] = inline
            if key == "spawn":
                options["socket"] = None
            continue
        if options["method"] is None:
            options["method"] = word
            continue
        if word in ("-h", "--help"):
            options["help"] = True
            continue
        key, sep, text = word.partition("=")
        if not sep or not key:
            raise _UsageError("params are key=value, got %r" % word)
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        options["params"][key] = value
    return options


def _cli_connect(options: Dict[str, Any], server_log: Any = subprocess.DEVNULL) -> Client:
    if options["socket"]:
        client = Client.connect_unix(options["socket"], options["framing"], timeout=options["timeout"])
        if options["token"]:
            try:
                client.auth.login(options["token"])
            except BaseException:
                client.close()
                raise
        return client
    import shlex

    command = shlex.split(options["spawn"] or "taskwire")
    if not command:
        raise _UsageError("--spawn needs a command")
    return Client.spawn(
        command[0], args=command[1:], framing=options["framing"], timeout=options["timeout"], stderr=server_log
    )


def _cli_help(options: Dict[str, Any], out: Any) -> int:
    out.write(_CLI_USAGE)
    try:
        with _cli_connect(options) as client:
            document = client.call("rpc.discover")
    except (TaskwireError, OSError, _UsageError) as error:
        out.write("\n(could not list the server's methods: %s)\n" % error)
        return 0
    methods = document.get("methods", []) if isinstance(document, dict) else []
    out.write("\nMethods of this server (rpc.discover):\n")
    width = max([len(method.get("name", "")) for method in methods] + [0])
    for method in sorted(methods, key=lambda m: m.get("name", "")):
        params = " ".join(
            ("%s=" if param.get("required") else "[%s=]") % param["name"]
            for param in method.get("params", [])
            if param.get("name") != "on_behalf_of"
        )
        out.write("  %-*s  %s\n" % (width, method.get("name", ""), method.get("summary", "")))
        if params:
            out.write("  %-*s    %s\n" % (width, "", params))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The ``taskwire-client`` command line: calls one method and prints its JSON result; see ``--help``."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        options = _parse_cli(argv)
    except _UsageError as error:
        sys.stderr.write("taskwire-client: %s\n\n%s" % (error, _CLI_USAGE))
        return EXIT_USAGE
    if options["help"]:
        return _cli_help(options, sys.stdout)
    if options["method"] is None:
        sys.stderr.write("taskwire-client: no METHOD given\n\n%s" % _CLI_USAGE)
        return EXIT_USAGE
    import tempfile

    # A spawned server's log is kept aside and shown only when the connection fails (say, a locked data
    # directory), so a successful call prints nothing but its result.
    with tempfile.TemporaryFile() as server_log:
        try:
            with _cli_connect(options, server_log) as client:
                result = client.call(options["method"], options["params"])
        except _UsageError as error:
            sys.stderr.write("taskwire-client: %s\n" % error)
            return EXIT_USAGE
        except (TaskwireError, OSError) as error:
            if isinstance(error, (ConnectionClosed, OSError)):
                server_log.seek(0)
                sys.stderr.write(server_log.read()[-4000:].decode("utf-8", "replace"))
            if isinstance(error, TaskwireError):
                sys.stderr.write("taskwire-client: %s\n" % error)
                if error.data is not None:
                    sys.stderr.write("%s\n" % json.dumps(error.data, ensure_ascii=False, sort_keys=True))
                return EXIT_CODES.get(type(error), 1)
            sys.stderr.write("taskwire-client: cannot reach the server: %s\n" % error)
            return EXIT_CODES[ConnectionClosed]
    if options["raw"]:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
