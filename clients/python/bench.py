#!/usr/bin/env python3
"""Measures the Python client's ``ping`` calls per second against a raw socket loop, in the same run.

Starts ``taskwire --in-memory --stdio --socket PATH``, makes a login token over stdio, then alternates
rounds of:

* **client**: ``Client.connect_unix(PATH)``, ``auth.login``, then ``client.ping()`` in a loop;
* **raw**: a plain ``socket`` that logs in, then sends the same JSON-RPC ``ping`` line, reads up to the
  newline and parses the reply with ``json.loads`` (the least a Python caller can do);
* **baseline** (with ``--baseline FILE``): the client module in FILE (an older ``taskwire.py``), as
  **client**, to compare two versions of the client in one run.

Each round runs for ``--seconds``; rounds alternate so a noisy machine hits every side alike. The report
is Markdown: calls per second per round, the median per side and its ratio to the raw loop.

    python3 clients/python/bench.py --server .build/release/taskwire [--seconds 2] [--rounds 3]
        [--threads 1] [--baseline OLD_taskwire.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import taskwire  # noqa: E402 - the client next to this script


def load_module(path: str, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_threads(
    threads: int, seconds: float, make_worker: Callable[[], Callable[[float], int]]
) -> Tuple[float, float]:
    """Runs ``threads`` workers until the deadline; returns calls per second over all of them, and the
    CPU time this process spent per call (every thread of it, the client's reader included), in µs."""
    workers = [make_worker() for _ in range(threads)]
    counts: List[int] = [0] * threads
    barrier = threading.Barrier(threads + 1)

    def body(index: int) -> None:
        barrier.wait()
        counts[index] = workers[index](deadline[0])

    deadline = [0.0]
    pool = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    start = time.monotonic()
    cpu = time.process_time()
    deadline[0] = start + seconds
    barrier.wait()
    for thread in pool:
        thread.join()
    calls = sum(counts)
    return calls / (time.monotonic() - start), (time.process_time() - cpu) / calls * 1e6


def client_worker(module: Any, path: str, token: str, shared: List[Any]) -> Callable[[float], int]:
    if shared:
        client = shared[0]
    else:
        client = module.Client.connect_unix(path, wait=10)
        client.call("auth.login", token=token)
        shared.append(client)

    def work(deadline: float) -> int:
        count = 0
        ping = client.ping
        while True:
            for _ in range(100):
                ping()
            count += 100
            if time.monotonic() >= deadline:
                return count

    return work


def raw_worker(path: str, token: str) -> Callable[[float], int]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    buffer = bytearray()

    def roundtrip(line: bytes) -> Any:
        sock.sendall(line)
        while True:
            newline = buffer.find(b"\n")
            if newline >= 0:
                reply = json.loads(buffer[:newline])
                del buffer[: newline + 1]
                return reply
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("the server closed the raw connection")
            buffer.extend(chunk)

    login = {"jsonrpc": "2.0", "id": 0, "method": "auth.login", "params": {"token": token}}
    if "result" not in roundtrip(json.dumps(login).encode() + b"\n"):
        raise SystemExit("raw login failed")

    def work(deadline: float) -> int:
        count = 0
        request_id = 1
        while True:
            for _ in range(100):
                line = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "ping"}).encode() + b"\n"
                reply = roundtrip(line)
                if reply.get("id") != request_id:
                    raise SystemExit("raw loop: reply to the wrong id")
                request_id += 1
            count += 100
            if time.monotonic() >= deadline:
                return count

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("TASKWIRE_BIN", "taskwire"))
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="threads sharing one client (raw: one socket each)")
    parser.add_argument("--baseline", help="another taskwire.py to measure beside this one")
    options = parser.parse_args()

    sides: Dict[str, Any] = {"client": taskwire}
    if options.baseline:
        sides["baseline"] = load_module(options.baseline, "taskwire_baseline")
    work = tempfile.mkdtemp(prefix="twpb")
    path = os.path.join(work, "s.sock")
    system = taskwire.Client.spawn(
        options.server, ["--in-memory", "--stdio", "--socket", path, "--log-level", "error", "--rate-limit", "off"]
    )
    try:
        system.call("users.upsert", user_id="bench", name="Benchmark", role="admin")
        token = system.call("auth.tokens.create", user_id="bench")["token"]
        rates: Dict[str, List[float]] = {name: [] for name in list(sides) + ["raw"]}
        cpus: Dict[str, List[float]] = {name: [] for name in list(sides) + ["raw"]}
        clients: Dict[str, List[Any]] = {name: [] for name in sides}
        for _ in range(options.rounds):
            for name, module in sides.items():
                shared = clients[name]
                rate, cpu = run_threads(
                    options.threads, options.seconds, lambda: client_worker(module, path, token, shared)
                )
                rates[name].append(rate)
                cpus[name].append(cpu)
            rate, cpu = run_threads(options.threads, options.seconds, lambda: raw_worker(path, token))
            rates["raw"].append(rate)
            cpus["raw"].append(cpu)
        for shared in clients.values():
            for client in shared:
                client.close()
    finally:
        system.close()
        try:
            os.rmdir(work)
        except OSError:
            pass

    raw = statistics.median(rates["raw"])
    load = os.getloadavg()
    print("`python3 clients/python/bench.py %s`" % " ".join(sys.argv[1:]))
    print()
    print("load average before the report: %.2f %.2f %.2f; Python %s" % (load + (sys.version.split()[0],)))
    print()
    print("| side | threads | pings/s per round | median | ratio to raw | client CPU per call (µs, median) |")
    print("|---|---|---|---|---|---|")
    for name, values in rates.items():
        median = statistics.median(values)
        print(
            "| %s | %d | %s | %.0f | %.2f× | %.1f |"
            % (
                name,
                options.threads,
                ", ".join("%.0f" % v for v in values),
                median,
                median / raw,
                statistics.median(cpus[name]),
            )
        )


if __name__ == "__main__":
    main()
