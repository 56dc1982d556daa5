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
import socket
import subprocess
import threading
import time
import weakref
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

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
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
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
            future.set_result(message["result"])
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
        callback = self.on_notification
        if callback is None or not isinstance(method, str):
            return
        try:
            callback(method, params)
        except Exception:  # noqa: BLE001 - a bad callback must never stop replies from being matched
            log.exception("on_notification callback raised for %r", method)

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
            self._pending.clear()
            self._frames.clear()
            self._frame_of.clear()
            reason = self._close_reason
        for future in pending:
            if not future.done():
                future.set_exception(ConnectionClosed(reason))

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


class Client:
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
    ) -> None:
        """Wraps an open channel; prefer the ``spawn``/``connect_unix``/``from_socket`` constructors.

        ``timeout`` is the default per-call timeout in seconds (``None``: wait until the reply or the end of
        the connection). ``max_frame_bytes`` refuses larger requests locally with ``TooLarge``; match the
        server's ``--max-frame-bytes``. ``close_timeout`` bounds how long ``close()`` waits for the server.
        """
        self.timeout = timeout
        self._core = _Core(channel, framing, on_notification, max_frame_bytes, close_timeout)
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
            sock, framing, on_notification=on_notification, timeout=timeout, max_frame_bytes=max_frame_bytes
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
    ) -> "Client":
        """Speaks JSON-RPC over an already connected stream socket; the client owns and closes it."""
        return cls(
            _SocketChannel(sock),
            framing,
            on_notification=on_notification,
            timeout=timeout,
            max_frame_bytes=max_frame_bytes,
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

    def __getattr__(self, name: str) -> _MethodPath:
        """``client.tasks.create(...)`` calls ``tasks.create``; any dotted method is reachable this way."""
        if name.startswith("_"):
            raise AttributeError(name)
        return _MethodPath(self, name)

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
