"""Every answered write was fsync'd before its answer left the server, checked on the system calls themselves.

Killing the process cannot show a missing fsync (the page cache survives a process kill), so these tests run
the real server under strace and check the order of its journal writes, its fdatasync calls and its replies:
for every reply that reports a new task, the journal record carrying that task id was written and a later
fdatasync of the journal completed before the reply was written.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from conftest import WAIT

#: Every test here reads the data directory's system calls or files.
pytestmark = pytest.mark.file_store

LINE = re.compile(r"^(\d+)\s+(.*)$")
TASK_ID = re.compile(r'tsk_[0-9A-Z]+')


def require_strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.fail("strace is needed for the fsync-order tests (scripts/test installs it)", pytrace=False)
    return path


def create(index: int, key: str = "", title: int = -1) -> str:
    params = {"title": "traced %d" % (index if title < 0 else title)}
    if key:
        params["idempotency_key"] = key
    return json.dumps({"jsonrpc": "2.0", "id": index, "method": "tasks.create", "params": params}) + "\n"


def run_traced(
    taskwire_bin: str, data_dir: Path, durability: str, log: Path, count: int, retries: bool = False
) -> List[dict]:
    """Sends `count` pipelined creates to a traced server and returns its replies.

    With `retries`, every odd request repeats the previous one with the same idempotency key, as a bot that
    did not see the first answer would: its answer (the original task, `replayed: true`) must wait for the
    original's record to be durable too.
    """
    requests = "".join(
        create(i, "key-%d" % (i // 2), title=i - i % 2) if retries else create(i) for i in range(count)
    )
    completed = subprocess.run(
        [require_strace(), "-f", "-s", "4000000", "-e", "trace=pwrite64,write,sendto,fdatasync,fsync", "-o", str(log),
         taskwire_bin, "--data-dir", str(data_dir), "--durability", durability, "--log-level", "error"],
        input=requests.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=WAIT * 3,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return [json.loads(line) for line in completed.stdout.decode().splitlines()]


def syscall_events(log: Path) -> List[Tuple[str, int, str]]:
    """(kind, fd, text) in completion order: 'journal' (pwrite64), 'sync' (fdatasync/fsync) or 'write'
    (write, or sendto on a socket)."""
    pending: Dict[str, Tuple[str, str]] = {}
    events: List[Tuple[str, int, str]] = []
    for raw in log.read_text(errors="replace").splitlines():
        match = LINE.match(raw)
        if not match:
            continue
        pid, rest = match.groups()
        if rest.endswith("<unfinished ...>"):
            call = rest.split("(", 1)[0]
            pending[pid] = (call, rest[: -len("<unfinished ...>")])
            continue
        resumed = re.match(r"^<\.\.\. (\w+) resumed>(.*)$", rest)
        if resumed:
            call, head = pending.pop(pid, (resumed.group(1), ""))
            rest = head + resumed.group(2)
        call_match = re.match(r"^(\w+)\((\d+)(.*)$", rest)
        if not call_match or not re.search(r"= \d+(\s*\(DELAYED\))?\s*$", rest):
            continue
        call, fd, tail = call_match.group(1), int(call_match.group(2)), call_match.group(3)
        kind = {"pwrite64": "journal", "fdatasync": "sync", "fsync": "sync", "write": "write", "sendto": "write"}[call]
        events.append((kind, fd, tail))
    return events


def check_order(events: List[Tuple[str, int, str]], replies: List[dict]) -> List[str]:
    """The task ids whose reply was written before a sync covering their journal record."""
    written_at: Dict[str, Tuple[int, int]] = {}
    synced_after: Dict[int, List[int]] = {}
    replied_at: Dict[str, List[int]] = {}
    for index, (kind, fd, text) in enumerate(events):
        if kind == "journal":
            for task_id in TASK_ID.findall(text):
                written_at.setdefault(task_id, (index, fd))
        elif kind == "sync":
            synced_after.setdefault(fd, []).append(index)
        elif kind == "write" and '\\"jsonrpc\\"' in text:
            for task_id in set(TASK_ID.findall(text)):
                replied_at.setdefault(task_id, []).append(index)
    answered = [reply["result"]["task_id"] for reply in replies if "result" in reply]
    unsafe = []
    for task_id in sorted(set(answered)):
        assert task_id in replied_at, "no reply write seen for %s" % task_id
        record = written_at.get(task_id)
        for reply_index in replied_at[task_id]:
            syncs = synced_after.get(record[1], []) if record else []
            if record is None or not any(record[0] < sync < reply_index for sync in syncs):
                unsafe.append(task_id)
    return unsafe


def test_every_reply_follows_the_fdatasync_of_its_record(taskwire_bin: str, tmp_path: Path) -> None:
    log = tmp_path / "strace.log"
    replies = run_traced(taskwire_bin, tmp_path / "data", "always", log, count=300)
    assert len(replies) == 300 and all("result" in reply for reply in replies)
    events = syscall_events(log)
    syncs = sum(1 for kind, _, _ in events if kind == "sync")
    assert check_order(events, replies) == []
    # Group commit: pipelined creates share fdatasync calls.
    assert 0 < syncs < 300


def test_an_idempotent_retry_is_answered_only_once_the_original_is_durable(taskwire_bin: str, tmp_path: Path) -> None:
    log = tmp_path / "strace.log"
    replies = run_traced(taskwire_bin, tmp_path / "data", "always", log, count=200, retries=True)
    # Replies may leave in another order than the requests (a retry of an already durable create is answered
    # at once): match them by id.
    replies.sort(key=lambda reply: reply["id"])
    assert [reply["result"]["replayed"] for reply in replies] == [False, True] * 100
    assert all(replies[i]["result"]["task_id"] == replies[i + 1]["result"]["task_id"] for i in range(0, 200, 2))
    assert check_order(syscall_events(log), replies) == []


def test_a_retry_on_another_connection_waits_for_the_original_to_be_durable(
    taskwire_bin: str, tmp_path: Path
) -> None:
    # Every fdatasync is held up for 300 ms, so the retry on the socket arrives while the original create
    # (sent first, on stdio) is still waiting for its sync. Whichever of the two the server saw first, both
    # answers name the same task and both must follow the sync of its record.
    import taskwire

    log = tmp_path / "strace.log"
    socket_path = str(tmp_path / "taskwire.sock")
    traced = [
        "-f", "-s", "4000000", "-e", "trace=pwrite64,write,sendto,fdatasync,fsync",
        "-e", "inject=fdatasync:delay_enter=300000", "-o", str(log), taskwire_bin,
        "--stdio", "--socket", socket_path, "--data-dir", str(tmp_path / "data"), "--log-level", "error",
    ]
    stdio = taskwire.Client.spawn(require_strace(), args=traced, timeout=WAIT * 3)
    try:
        token = stdio.call("auth.tokens.create", user_id="system")["token"]
        with taskwire.Client.connect_unix(socket_path, wait=WAIT, timeout=WAIT * 3) as remote:
            remote.call("auth.login", token=token)
            params = {"title": "retried", "idempotency_key": "retry-1"}
            first = stdio.call_async("tasks.create", params)
            second = remote.call_async("tasks.create", params)
            replies = [{"result": first.result(WAIT * 3)}, {"result": second.result(WAIT * 3)}]
    finally:
        stdio.close()
    assert replies[0]["result"]["task_id"] == replies[1]["result"]["task_id"]
    assert sorted(reply["result"]["replayed"] for reply in replies) == [False, True]
    assert check_order(syscall_events(log), replies) == []


def test_the_check_sees_replies_that_no_fsync_covered(taskwire_bin: str, tmp_path: Path) -> None:
    # With --durability none nothing is synced before answering: the same check must flag every reply,
    # which proves it can fail.
    log = tmp_path / "strace.log"
    replies = run_traced(taskwire_bin, tmp_path / "data", "none", log, count=50)
    unsafe = check_order(syscall_events(log), replies)
    assert len(unsafe) == 50


def test_a_failed_fdatasync_stops_the_server_and_loses_no_answered_write(taskwire_bin: str, tmp_path: Path) -> None:
    # The 4th fdatasync of the process fails with EIO. The store must not retry it (the kernel may have
    # dropped the dirty pages): writes stop, the waiting create gets 503 with in_doubt, the server exits 74,
    # and every create that was answered is in the directory afterwards.
    data_dir = tmp_path / "data"
    process = subprocess.Popen(
        [require_strace(), "-f", "-o", str(tmp_path / "strace.log"), "-e", "trace=fdatasync",
         "-e", "inject=fdatasync:error=EIO:when=4", taskwire_bin, "--data-dir", str(data_dir),
         "--log-level", "error"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        replies = []
        # One at a time: each answered create has had an fdatasync of its own (the first three succeed).
        for index in range(4):
            process.stdin.write(create(index).encode())
            process.stdin.flush()
            replies.append(json.loads(process.stdout.readline()))
        status = process.wait(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert status == 74, process.stderr.read().decode(errors="replace") if process.stderr else ""
    answered = [reply["result"]["task_id"] for reply in replies if "result" in reply]
    assert len(answered) == 3
    error = replies[3]["error"]
    assert error["code"] == 503 and error["data"]["error"] == "unavailable" and error["data"]["in_doubt"] is True

    export = subprocess.run(
        [taskwire_bin, "export", "--data-dir", str(data_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=WAIT,
    )
    assert export.returncode == 0, export.stderr.decode(errors="replace")
    stored = {task["task_id"] for task in json.loads(export.stdout)["tasks"]}
    assert set(answered) <= stored
