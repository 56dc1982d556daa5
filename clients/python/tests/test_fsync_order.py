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

LINE = re.compile(r"^(\d+)\s+(.*)$")
TASK_ID = re.compile(r'tsk_[0-9A-Z]+')


def require_strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.fail("strace is needed for the fsync-order tests (scripts/test installs it)", pytrace=False)
    return path


def run_traced(taskwire_bin: str, data_dir: Path, durability: str, log: Path, count: int) -> List[dict]:
    """Sends `count` pipelined creates to a traced server and returns its replies."""
    requests = "".join(
        json.dumps({"jsonrpc": "2.0", "id": i, "method": "tasks.create", "params": {"title": "traced %d" % i}}) + "\n"
        for i in range(count)
    )
    completed = subprocess.run(
        [require_strace(), "-f", "-s", "4000000", "-e", "trace=pwrite64,write,fdatasync,fsync", "-o", str(log),
         taskwire_bin, "--data-dir", str(data_dir), "--durability", durability, "--log-level", "error"],
        input=requests.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=WAIT * 3,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return [json.loads(line) for line in completed.stdout.decode().splitlines()]


def syscall_events(log: Path) -> List[Tuple[str, int, str]]:
    """(kind, fd, text) in completion order: kind is 'journal' (pwrite64), 'sync' (fdatasync/fsync) or 'write'."""
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
        if not call_match or not re.search(r"= \d+\s*$", rest):
            continue
        call, fd, tail = call_match.group(1), int(call_match.group(2)), call_match.group(3)
        kind = {"pwrite64": "journal", "fdatasync": "sync", "fsync": "sync", "write": "write"}[call]
        events.append((kind, fd, tail))
    return events


def check_order(events: List[Tuple[str, int, str]], replies: List[dict]) -> List[str]:
    """The task ids whose reply was written before a sync covering their journal record."""
    written_at: Dict[str, Tuple[int, int]] = {}
    synced_after: Dict[int, List[int]] = {}
    replied_at: Dict[str, int] = {}
    for index, (kind, fd, text) in enumerate(events):
        if kind == "journal":
            for task_id in TASK_ID.findall(text):
                written_at.setdefault(task_id, (index, fd))
        elif kind == "sync":
            synced_after.setdefault(fd, []).append(index)
        elif kind == "write" and '\\"jsonrpc\\"' in text:
            for task_id in TASK_ID.findall(text):
                replied_at.setdefault(task_id, index)
    answered = [reply["result"]["task_id"] for reply in replies if "result" in reply]
    unsafe = []
    for task_id in answered:
        assert task_id in replied_at, "no reply write seen for %s" % task_id
        record = written_at.get(task_id)
        reply_index = replied_at[task_id]
        if record is None or not any(record[0] < sync < reply_index for sync in synced_after.get(record[1], [])):
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


def test_the_check_sees_replies_that_no_fsync_covered(taskwire_bin: str, tmp_path: Path) -> None:
    # With --durability none nothing is synced before answering: the same check must flag every reply,
    # which proves it can fail.
    log = tmp_path / "strace.log"
    replies = run_traced(taskwire_bin, tmp_path / "data", "none", log, count=50)
    unsafe = check_order(syscall_events(log), replies)
    assert len(unsafe) == 50
