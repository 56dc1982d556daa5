#!/usr/bin/env python3
"""A seeded wire fuzzer for taskwire: hostile JSON-RPC over both framings, against the real binary.

It starts `taskwire --data-dir TMP --stdio --socket SOCK --rate-limit off`, makes an admin token over
stdio, and then, round after round, opens a socket connection in NDJSON or LSP framing, usually logs
in, and sends a mix of:

- every method of schema/openrpc.json with params that are valid, of the wrong type, missing, unknown,
  huge (long strings, long arrays, enormous numbers), deeply nested, or invalid UTF-8;
- broken envelopes (ids of every type, missing or wrong `jsonrpc`, non-string methods, odd batches);
- framing lies: a Content-Length longer or shorter than the body, negative, non-numeric or enormous
  lengths, endless headers, a line longer than the frame limit, garbage bytes, a connection cut mid-message.

Every reply must be one well-formed JSON-RPC message; every well-formed request with a unique id must be
answered exactly once; the server must never die, must answer `ping` on a fresh connection afterwards,
must stop cleanly on SIGTERM, and its data directory must pass `taskwire check`. The seed and the budget
make a run repeatable: `--seed 7 --messages 4000` sends the same messages every time.

Usage: scripts/fuzz-wire.py --bin .build/debug/taskwire [--seed N] [--messages N] [--verbose]
Exit status: 0 when nothing went wrong, 1 with a report of the first failures otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "openrpc.json"
# A string that never occurs in generated text; replaced by raw bytes after encoding (invalid UTF-8).
RAW = "\u0000raw-bytes\u0000"
RAW_BYTES = [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xe2\x82"]
MAX_FRAME = 1 << 20  # the server runs with --max-frame-bytes 1M, so frame-limit lies stay cheap
READ_TIMEOUT = 30.0


class Failure(Exception):
    """Something the server must never do."""


# MARK: - Value generation from the schema


class Generator:
    def __init__(self, rng: random.Random, schema: Dict[str, Any]) -> None:
        self.rng = rng
        self.components = schema.get("components", {}).get("schemas", {})
        self.methods = [m for m in schema["methods"]]
        self.ids = ["ann", "bob", "system", "tsk_01", "tpl_1", "wf_1", "aut_1", "ntf_1", "tok_1", ""]

    def resolve(self, schema: Dict[str, Any], depth: int = 0) -> Dict[str, Any]:
        while "$ref" in schema and depth < 10:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.components.get(name, {})
            depth += 1
        return schema

    def valid(self, schema: Dict[str, Any], depth: int = 0) -> Any:
        """A value that usually satisfies `schema` (good enough to get past the type checks)."""
        schema = self.resolve(schema)
        rng = self.rng
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return rng.choice(schema["enum"])
        for key in ("oneOf", "anyOf"):
            if key in schema and schema[key]:
                return self.valid(rng.choice(schema[key]), depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = rng.choice(kind)
        if kind == "string":
            if schema.get("format") == "date-time":
                return rng.choice(["2030-01-01T00:00:00Z", "2024-02-29T12:00:00+02:00", "yesterday"])
            return rng.choice(self.ids + ["a title", "Ünïcödé ✓", "x" * rng.randint(1, 40)])
        if kind == "integer":
            return rng.choice([0, 1, 2, 10, 100, schema.get("minimum", 1), schema.get("maximum", 5)])
        if kind == "number":
            return rng.choice([0, 1.5, 100])
        if kind == "boolean":
            return rng.choice([True, False])
        if kind == "null":
            return None
        if kind == "array":
            if depth > 3:
                return []
            item = schema.get("items", {})
            return [self.valid(item, depth + 1) for _ in range(rng.randint(0, 3))]
        if kind == "object" or "properties" in schema:
            if depth > 3:
                return {}
            result = {}
            for name, sub in schema.get("properties", {}).items():
                if name in schema.get("required", []) or rng.random() < 0.3:
                    result[name] = self.valid(sub, depth + 1)
            return result
        return self.wrong()

    def wrong(self) -> Any:
        """A value of an arbitrary type, often hostile."""
        rng = self.rng
        choice = rng.randrange(16)
        if choice == 0:
            return None
        if choice == 1:
            return rng.choice([True, False])
        if choice == 2:
            return rng.choice([-1, 0, 2**31, 2**63, -(2**63) - 1, 2**70, 10**40])
        if choice == 3:
            return rng.choice([1.5, -0.0, 1e308, 5e-324, 123456789.123456789])
        if choice == 4:
            return "x" * rng.choice([0, 1, 1000, 100_000, 700_000])
        if choice == 5:
            return RAW
        if choice == 6:
            return "\ud800" if rng.random() < 0.5 else "a\u0000b\u2028c"
        if choice == 7:
            return [self.wrong() for _ in range(rng.randint(0, 4))]
        if choice == 8:
            return {"k": self.wrong(), "": None}
        if choice == 9:
            return list(range(rng.choice([1000, 50_000])))
        if choice == 10:
            return "../../etc/passwd"
        if choice == 11:
            return rng.choice(["2030-13-45T99:99:99Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "-1"])
        if choice == 12:
            return rng.choice(self.ids)
        if choice == 13:
            return "\r\nSubject: injected\r\n"
        if choice == 14:
            return {"$ref": "#", "__proto__": {}, "constructor": 1}
        return "Ünïcödé ✓ " * rng.randint(1, 20)

    def params(self, method: Dict[str, Any]) -> Any:
        rng = self.rng
        declared = method.get("params", [])
        mode = rng.randrange(10)
        if mode == 0:
            return self.wrong()  # params of the wrong shape altogether
        if mode == 1:
            return [self.valid(p.get("schema", {})) for p in declared]  # by position
        params: Dict[str, Any] = {}
        for p in declared:
            if p.get("required") or rng.random() < 0.5:
                params[p["name"]] = self.valid(p.get("schema", {}))
        if declared and mode in (2, 3, 4, 5):
            victim = rng.choice(declared)["name"]
            params[victim] = self.wrong()  # one param of the wrong type, huge, nested or invalid
        if mode == 6 and declared:
            params.pop(rng.choice(declared)["name"], None)  # a required one missing
        if mode == 7:
            params[rng.choice(["bogus", "", "on_behalf_of", "_meta", "id\u0000"])] = self.wrong()
        return params


# MARK: - Messages


def nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


class Message:
    """One message body and whether the server owes it exactly one reply with `expect_id`."""

    def __init__(self, body: bytes, expect_id: Any = None, method: Optional[str] = None) -> None:
        self.body = body
        self.expect_id = expect_id
        self.method = method


def encode(value: Any, rng: random.Random) -> bytes:
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))
    body = text.encode("utf-8", "surrogatepass")
    marker = json.dumps(RAW, ensure_ascii=False)[1:-1].encode("utf-8")
    while marker in body:
        body = body.replace(marker, rng.choice(RAW_BYTES), 1)
    marker = json.dumps(RAW)[1:-1].encode()
    while marker in body:
        body = body.replace(marker, rng.choice(RAW_BYTES), 1)
    return body


class MessageMaker:
    def __init__(self, rng: random.Random, generator: Generator) -> None:
        self.rng = rng
        self.generator = generator
        self.next_id = 10  # framing lies use ids 1 and 2
        self.turn = 0
        self.coverage: Dict[str, int] = {}

    def fresh_id(self) -> Any:
        self.next_id += 1
        return self.next_id if self.rng.random() < 0.7 else f"s-{self.next_id}"

    def request(self) -> Message:
        """A well-formed envelope with fuzzed params, for each method in turn."""
        methods = self.generator.methods
        method = methods[self.turn % len(methods)] if self.rng.random() < 0.7 else self.rng.choice(methods)
        self.turn += 1
        name = method["name"]
        self.coverage[name] = self.coverage.get(name, 0) + 1
        ident = self.fresh_id()
        envelope: Dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": name}
        params = self.generator.params(method)
        if not (isinstance(params, dict) and not params and self.rng.random() < 0.5):
            envelope["params"] = params
        body = encode(envelope, self.rng)
        # Invalid UTF-8 may land in a string: the server answers -32700 with a null id then.
        # Invalid UTF-8 may land in a string (the server answers -32700 with a null id then), and a body
        # over the frame limit is refused as a whole: neither is owed a reply with its id.
        # The same goes for an escaped lone surrogate (`"\\ud800"`), which no JSON text may hold.
        hostile = len(body) > MAX_FRAME - 64 or b"\\ud800" in body or any(raw in body for raw in RAW_BYTES)
        return Message(body, None if hostile else ident, name)

    def hostile(self) -> Message:
        """A broken envelope, an odd batch or a hostile document; owed nothing definite.

        Its ids are negative, so they never collide with the ids of owed requests.
        """
        rng = self.rng
        choice = rng.randrange(14)
        if choice == 0:
            return Message(nested(rng.choice([100, 10_000, 200_000]), rng.choice(["array", "object"])))
        if choice == 1:
            return Message(b"[]")
        if choice == 2:
            batch = [{"jsonrpc": "2.0", "id": -rng.randint(1, 10**6), "method": "ping"} for _ in range(rng.randint(1, 60))]
            batch.insert(rng.randint(0, len(batch)), self.generator.wrong())
            return Message(encode(batch, rng))
        if choice == 3:
            ident = rng.choice([None, {}, [], -1.5, True, -(2**80), "", "x" * 10_000])
            return Message(encode({"jsonrpc": "2.0", "id": ident, "method": "ping"}, rng))
        if choice == 4:
            return Message(encode({"jsonrpc": rng.choice(["1.0", 2, None, "2.0 "]), "id": -1, "method": "ping"}, rng))
        if choice == 5:
            return Message(encode({"jsonrpc": "2.0", "id": -1, "method": self.generator.wrong()}, rng))
        if choice == 6:
            return Message(encode({"jsonrpc": "2.0", "method": "tasks.create", "params": {"title": "n"}}, rng))
        if choice == 7:
            return Message(rng.choice([b"{", b'{"jsonrpc":"2.0",', b"nul", b"1e99999", b'"\\ud800"', b"\xef\xbb\xbf{}"]))
        if choice == 8:
            return Message(bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))).replace(b"\n", b" "))
        if choice == 9:
            return Message(encode({"jsonrpc": "2.0", "id": -5, "method": "ping", "id ": -6, "extra": [1] * 10}, rng))
        if choice == 10:
            return Message(b'{"jsonrpc":"2.0","id":-1,"id":-2,"method":"ping"}')
        if choice == 11:
            return Message(encode({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": self.generator.wrong()}}, rng))
        if choice == 12:
            return Message(b'{"jsonrpc":"2.0","id":-1,"method":"ping","params":' + nested(5000, "array") + b"}")
        return Message(encode([[{"jsonrpc": "2.0", "id": -1, "method": "ping"}]], rng))


# MARK: - Connections


def frame(body: bytes, framing: str) -> bytes:
    if framing == "lsp":
        return b"Content-Length: %d\r\n\r\n" % len(body) + body
    return body.replace(b"\n", b" ") + b"\n"


class Wire:
    """A socket connection that splits the server's replies in the framing it uses."""

    def __init__(self, path: str, framing: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(READ_TIMEOUT)
        self.sock.connect(path)
        self.framing = framing
        self.buffer = b""
        self.closed = False

    def send(self, data: bytes) -> bool:
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    def read_message(self) -> Optional[bytes]:
        """The next message body, or None once the server closed the connection."""
        while True:
            body = self._split()
            if body is not None:
                return body
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                raise Failure(f"no reply within {READ_TIMEOUT:.0f} s")
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                return None
            self.buffer += chunk

    def _split(self) -> Optional[bytes]:
        if self.framing == "ndjson":
            end = self.buffer.find(b"\n")
            if end < 0:
                return None
            body, self.buffer = self.buffer[:end], self.buffer[end + 1 :]
            return body.rstrip(b"\r")
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        length = None
        for line in self.buffer[:end].split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            raise Failure(f"a reply header without Content-Length: {self.buffer[:end]!r}")
        if len(self.buffer) < end + 4 + length:
            return None
        body = self.buffer[end + 4 : end + 4 + length]
        self.buffer = self.buffer[end + 4 + length :]
        return body

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def check_reply(body: bytes) -> List[Dict[str, Any]]:
    """The responses in one reply body; raises Failure when it is not well-formed JSON-RPC."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Failure(f"a reply that is not JSON ({error}): {body[:200]!r}")
    members = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        raise Failure("an empty batch reply")
    responses = []
    for member in members:
        if not isinstance(member, dict) or member.get("jsonrpc") != "2.0":
            raise Failure(f"a reply member that is not JSON-RPC 2.0: {body[:200]!r}")
        if "method" in member and "id" not in member:
            continue  # a notification the server pushes (events, inbox)
        if "id" not in member or (("result" in member) == ("error" in member)):
            raise Failure(f"a response without an id or with neither/both result and error: {body[:200]!r}")
        if "error" in member:
            error = member["error"]
            if not (isinstance(error, dict) and isinstance(error.get("code"), int) and isinstance(error.get("message"), str)):
                raise Failure(f"a malformed error object: {body[:200]!r}")
        responses.append(member)
    return responses


# MARK: - The run


class Server:
    def __init__(self, binary: str, work: Path) -> None:
        self.binary = binary
        self.data = work / "data"
        self.socket_path = str(work / "s.sock")
        self.log = open(work / "server.log", "wb")
        self.process = subprocess.Popen(
            [
                binary, "--data-dir", str(self.data), "--stdio", "--socket", self.socket_path,
                "--rate-limit", "off", "--max-frame-bytes", str(MAX_FRAME),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.stdio_id = 0
        self.stdio_replies: "queue.Queue[Optional[Dict[str, Any]]]" = queue.Queue()
        self.stdio_failures: List[str] = []
        threading.Thread(target=self._drain_stdout, daemon=True).start()

    def _drain_stdout(self) -> None:
        """Reads every stdio reply as it comes (so the pipe never fills) and checks that it is well-formed."""
        assert self.process.stdout
        for line in self.process.stdout:
            try:
                for response in check_reply(line.rstrip(b"\n")):
                    self.stdio_replies.put(response)
            except Failure as failure:
                self.stdio_failures.append(f"stdio: {failure}")
        self.stdio_replies.put(None)

    def stdio_call(self, method: str, params: Dict[str, Any]) -> Dict[str, Any]:
        """One call as the stdio admin (NDJSON); other replies in between are skipped."""
        self.stdio_id += 1
        ident = f"admin-{self.stdio_id}"
        self.stdio_raw(json.dumps({"jsonrpc": "2.0", "id": ident, "method": method, "params": params}).encode())
        while True:
            try:
                reply = self.stdio_replies.get(timeout=READ_TIMEOUT)
            except queue.Empty:
                raise Failure(f"no stdio reply to {method} within {READ_TIMEOUT:.0f} s")
            if reply is None:
                raise Failure(f"the server closed stdio during {method}")
            if reply.get("id") == ident:
                if "error" in reply:
                    raise Failure(f"setup call {method} failed: {reply['error']}")
                return reply["result"]

    def stdio_raw(self, body: bytes) -> None:
        """A message body over stdio; its replies are checked by the drain."""
        assert self.process.stdin
        try:
            self.process.stdin.write(body.replace(b"\n", b" ") + b"\n")
            self.process.stdin.flush()
        except OSError as error:
            raise Failure(f"stdio write failed: {error}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise Failure("the server did not stop within 60 s of SIGTERM")
        finally:
            self.log.close()


def settle(wire: Wire, owed: Dict[Any, str], lie: bool) -> int:
    """Reads replies until every owed id was answered once; returns how many responses came.

    After a framing lie the server may answer with an error and close, or wait for bytes that never come:
    what it does send must still be well-formed, and the server must live on.
    """
    seen: set = set()
    count = 0
    while any(json.dumps(ident) not in seen for ident in owed):
        try:
            body = wire.read_message()
        except Failure as failure:
            missing = [f"{ident!r} ({method})" for ident, method in owed.items() if json.dumps(ident) not in seen]
            raise Failure(f"{failure}; unanswered: {', '.join(missing[:5])}")
        if body is None:
            break
        for response in check_reply(body):
            count += 1
            ident = response.get("id")
            key = json.dumps(ident)
            if ident in owed and not isinstance(ident, bool):
                if key in seen:
                    raise Failure(f"two replies to id {ident!r} ({owed[ident]})")
                seen.add(key)
    missing = [f"{ident!r} ({method})" for ident, method in owed.items() if json.dumps(ident) not in seen]
    if missing and not lie:
        raise Failure(f"the connection ended without a reply to {', '.join(missing[:5])}")
    if lie and not wire.closed:
        # Whatever the lie draws out must be well-formed too; the server may also just wait.
        wire.sock.settimeout(1.0)
        try:
            while (body := wire.read_message()) is not None:
                count += len(check_reply(body))
        except Failure:
            pass  # nothing more came
    return count


def framing_lie(rng: random.Random, framing: str) -> Tuple[bytes, str]:
    """Bytes that misframe a message, and a name for the report."""
    ping = b'{"jsonrpc":"2.0","id":1,"method":"ping"}'
    lies = [
        (b"Content-Length: 100\r\n\r\n" + ping, "length longer than the body, then a cut"),
        (b"Content-Length: 5\r\n\r\n" + ping, "length shorter than the body"),
        (b"Content-Length: -1\r\n\r\n" + ping, "negative length"),
        (b"Content-Length: 99999999999999999999\r\n\r\n", "enormous length"),
        (b"Content-Length: 0x10\r\n\r\n" + ping, "non-decimal length"),
        (b"Content-Length: %d\r\n\r\n" % (MAX_FRAME + 1), "length over the frame limit"),
        (b"X-Header: " + b"a" * 100_000 + b"\r\n", "endless header"),
        (b"Content-Type: text\r\n\r\n" + ping, "no Content-Length"),
        (b"Content-Length: 4\r\nContent-Length: 40\r\n\r\n" + ping, "two lengths"),
        (b"x" * (MAX_FRAME + 10) + b"\n", "a line over the frame limit"),
        (b"\x00\xff\xfe garbage \r\n\r\n\r\n", "garbage"),
        (b"\r\n\r\n\n\n", "empty headers"),
        (ping[:17], "a message cut in the middle"),
    ]
    if framing == "ndjson":
        lies.append((b'{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}\n', "two on a line"))
    data, name = rng.choice(lies)
    return data, name


def run(binary: str, seed: int, budget: int, verbose: bool) -> int:
    rng = random.Random(seed)
    schema = json.loads(SCHEMA.read_text())
    generator = Generator(rng, schema)
    maker = MessageMaker(rng, generator)
    work = Path(tempfile.mkdtemp(prefix="tw-fuzz-"))
    server = Server(binary, work)
    failures: List[str] = []
    sent = answered = rounds = lies = 0
    started = time.monotonic()
    try:
        server.stdio_call("users.upsert", {"user_id": "fuzz", "name": "Fuzz", "role": "admin"})
        token = server.stdio_call("auth.tokens.create", {"user_id": "fuzz", "label": "fuzz"})["token"]
        while sent < budget and len(failures) < 5:
            rounds += 1
            framing = rng.choice(["ndjson", "lsp"])
            wire = Wire(server.socket_path, framing)
            owed: Dict[Any, str] = {}
            try:
                if rng.random() < 0.9:
                    login_id = maker.fresh_id()
                    wire.send(frame(encode({"jsonrpc": "2.0", "id": login_id, "method": "auth.login", "params": {"token": token}}, rng), framing))
                    owed[login_id] = "auth.login"
                count = rng.randint(1, 40)
                for index in range(count):
                    # The first bytes of a connection choose its framing, so the first message is a request.
                    first = index == 0 and not owed
                    message = maker.request() if first or rng.random() < 0.8 else maker.hostile()
                    if not wire.send(frame(message.body, framing)):
                        break
                    sent += 1
                    if message.expect_id is not None:
                        owed[message.expect_id] = f"{message.method}: {message.body[:300]!r}"
                # One stdio message in a while, well framed but hostile inside.
                if rng.random() < 0.2:
                    message = maker.request() if rng.random() < 0.5 else maker.hostile()
                    if b"\n" not in message.body and len(message.body) < 100_000:
                        server.stdio_raw(message.body)
                        sent += 1
                lie = rng.random() < 0.15
                if lie:
                    data, name = framing_lie(rng, framing)
                    lies += 1
                    if verbose:
                        print(f"round {rounds}: framing lie: {name}", file=sys.stderr)
                # A closing ping proves the connection answered everything before it.
                closing = maker.fresh_id()
                if not lie:
                    wire.send(frame(encode({"jsonrpc": "2.0", "id": closing, "method": "ping"}, rng), framing))
                    owed[closing] = "ping"
                else:
                    wire.send(data)
                    if rng.random() < 0.5:
                        wire.sock.shutdown(socket.SHUT_WR)
                answered += settle(wire, owed, lie)
            except Failure as failure:
                failures.append(f"round {rounds} (seed {seed}, {framing}): {failure}")
            finally:
                wire.close()
            if not server.alive():
                failures.append(f"round {rounds}: the server died (exit {server.process.returncode})")
                break
        if server.alive():
            # Afterwards the server still answers, on a fresh connection and on stdio.
            wire = Wire(server.socket_path, "ndjson")
            wire.send(frame(b'{"jsonrpc":"2.0","id":"after","method":"ping"}', "ndjson"))
            reply = wire.read_message()
            wire.close()
            if reply is None or check_reply(reply)[0].get("result") != {}:
                failures.append(f"the server did not answer ping after the run: {reply!r}")
            server.stdio_call("ping", {})
            status = server.stop()
            if status != 0:
                failures.append(f"the server exited with {status} on SIGTERM")
            check = subprocess.run([binary, "check", "--data-dir", str(server.data)], capture_output=True, text=True)
            if check.returncode != 0:
                failures.append(f"taskwire check after the run exited {check.returncode}: {check.stdout}{check.stderr}")
    except Failure as failure:
        failures.append(str(failure))
    finally:
        failures.extend(server.stdio_failures)
        if server.alive():
            server.process.kill()
            server.process.wait()
        log = (work / "server.log").read_text(errors="replace")
        for marker in ("Fatal error", "fatal error", "Sanitizer", "Segmentation fault", "Illegal instruction"):
            if marker in log:
                failures.append(f"the server log holds {marker!r}")
        uncovered = [m["name"] for m in generator.methods if m["name"] not in maker.coverage]
        elapsed = time.monotonic() - started
        print(
            f"fuzz-wire: seed {seed}: {sent} messages in {rounds} rounds ({lies} framing lies), {answered} replies, "
            f"{len(maker.coverage)} of {len(generator.methods)} methods, {elapsed:.1f} s"
        )
        if uncovered and sent >= budget:
            failures.append(f"methods never sent (raise --messages): {', '.join(uncovered)}")
        if failures:
            print("fuzz-wire: FAILED", file=sys.stderr)
            for failure in failures:
                print(f"  {failure}", file=sys.stderr)
            print(f"  server log: {work / 'server.log'}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.environ.get("TASKWIRE_BIN", str(ROOT / ".build" / "debug" / "taskwire")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("TASKWIRE_FUZZ_SEED", "1")))
    parser.add_argument("--messages", type=int, default=3000, help="how many messages to send (default 3000)")
    parser.add_argument("--verbose", action="store_true")
    arguments = parser.parse_args()
    return run(arguments.bin, arguments.seed, arguments.messages, arguments.verbose)


if __name__ == "__main__":
    sys.exit(main())
