"""`tasks.analytics` against the real binary, over stdio and over a Unix socket after login.

The data set is an export document written here with explicit times (tasks created over the past weeks,
completed after known durations, due dates well in the past or well in the future), loaded with
`taskwire import`; every figure the server answers is computed here again, independently, from that data
set, and again after live changes and a restart.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import jsonschema
import pytest

import taskwire
from conftest import REPO, WAIT
from test_identity import token_create

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ASSIGNEES = ["ann", "bob", "cy", None]
NAMES = {"ann": "Ann Lee", "bob": "Bob Stone"}
BOTS = ["support_bot", "sales_bot", None]
TAGS = ["billing", "urgent", "vip"]
PRIORITIES = ["low", "medium", "high", "critical"]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def task_id(moment: datetime, counter: int) -> str:
    raw = (int(moment.timestamp() * 1000) << 16) | counter
    return "tsk_" + "".join(ALPHABET[(raw >> (5 * index)) & 0x1F] for index in range(12, -1, -1))


def build_tasks(now: datetime, count: int = 90, seed: int = 7) -> List[Dict[str, Any]]:
    """Tasks with their whole life decided up front: creation, start, completion, cancellation, deletion."""
    rng = random.Random(seed)
    base = now - timedelta(days=40)
    tasks = []
    for index in range(count):
        created = base + timedelta(minutes=37 * index, microseconds=index)
        task: Dict[str, Any] = {
            "task_id": task_id(created, index),
            "title": "Task %d" % index,
            "priority": rng.choice(PRIORITIES),
            "assignee": rng.choice(ASSIGNEES),
            "bot_id": rng.choice(BOTS),
            "tags": [tag for tag in TAGS if rng.random() < 0.4],
            "created_at": created,
            # Due well in the past (overdue while open) or well in the future.
            "due_date": rng.choice([None, created + timedelta(hours=2), now + timedelta(days=30)]),
            "fate": rng.choice(["pending", "in_progress", "completed", "completed", "cancelled", "deleted"]),
        }
        if task["fate"] in ("in_progress", "completed"):
            task["started_at"] = created + timedelta(minutes=rng.randint(1, 30))
        if task["fate"] == "completed":
            took = timedelta(minutes=rng.randint(5, 3000), seconds=rng.randint(0, 59))
            task["completed_at"] = task["started_at"] + took
        if task["fate"] in ("cancelled", "deleted"):
            task["ended_at"] = created + timedelta(minutes=rng.randint(1, 30))
        tasks.append(task)
    return tasks


def export_document(tasks: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The export document whose events make exactly these tasks, in time order."""
    planned = []
    for order, task in enumerate(tasks):
        planned.append((task["created_at"], order, 0, task, "create"))
        if "started_at" in task:
            planned.append((task["started_at"], order, 1, task, "start"))
        if "completed_at" in task:
            planned.append((task["completed_at"], order, 2, task, "complete"))
        if "ended_at" in task:
            planned.append((task["ended_at"], order, 1, task, "cancel" if task["fate"] == "cancelled" else "delete"))
    planned.sort(key=lambda entry: entry[:3])
    events = []
    rows: Dict[str, Dict[str, Any]] = {}
    for seq, (moment, _, _, task, step) in enumerate(planned, start=1):
        at = rfc3339(moment)
        identifier = task["task_id"]
        if step == "create":
            context = {"bot_id": task["bot_id"]} if task["bot_id"] else {}
            due = rfc3339(task["due_date"]) if task["due_date"] else None
            changes = {
                "title": {"old": None, "new": task["title"]},
                "status": {"old": None, "new": "pending"},
                "priority": {"old": None, "new": task["priority"]},
                "assignee": {"old": None, "new": task["assignee"]},
                "due_date": {"old": None, "new": due},
                "tags": {"old": None, "new": task["tags"]},
                "context": {"old": None, "new": context},
                "progress": {"old": None, "new": 0},
                "time_spent_minutes": {"old": None, "new": 0},
            }
            kind = "task_created"
            rows[identifier] = {
                "task_id": identifier, "title": task["title"], "description": None, "status": "pending",
                "priority": task["priority"], "assignee": task["assignee"], "due_date": due, "tags": task["tags"],
                "context": context, "progress": 0, "time_spent_minutes": 0, "created_at": at, "created_by": "system",
                "updated_at": at, "completed_at": None, "completed_by": None, "resolution": None, "outcomes": [],
                "comments_count": 0, "attachments_count": 0, "watchers": [], "version": 0, "deleted": False,
            }
        elif step == "start":
            changes, kind = {"status": {"old": "pending", "new": "in_progress"}}, "task_updated"
            rows[identifier]["status"] = "in_progress"
        elif step == "complete":
            changes = {
                "status": {"old": "in_progress", "new": "completed"},
                "progress": {"old": 0, "new": 100},
                "completed_at": {"old": None, "new": at},
                "completed_by": {"old": None, "new": "system"},
            }
            kind = "task_completed"
            rows[identifier].update(status="completed", progress=100, completed_at=at, completed_by="system")
        elif step == "cancel":
            changes, kind = {"status": {"old": "pending", "new": "cancelled"}}, "task_updated"
            rows[identifier]["status"] = "cancelled"
        else:
            changes, kind = {}, "task_deleted"
            rows[identifier]["deleted"] = True
        rows[identifier]["version"] += 1
        rows[identifier]["updated_at"] = at
        events.append({
            "v": 1, "seq": seq, "type": kind, "at": at, "actor": "system", "task_id": identifier,
            "version": rows[identifier]["version"], "changes": changes,
        })
    return {
        "format": "taskwire-export", "version": 1, "last_seq": len(events), "last_event_at": events[-1]["at"],
        "last_task_id": tasks[-1]["task_id"], "tasks": [rows[task["task_id"]] for task in tasks], "events": events,
        "idempotency_keys": [], "users": [], "tokens": [], "comments": [], "attachments": [],
    }


def hundredths(numerator: int, denominator: int) -> Optional[float]:
    """numerator / denominator rounded half up to two decimals, exactly; None when the denominator is 0."""
    if denominator == 0:
        return None
    scaled = Fraction(numerator * 100, denominator)
    return int(scaled + Fraction(1, 2)) / 100


def expected(rows: List[Dict[str, Any]], now: datetime, **filters: Any) -> Dict[str, Any]:
    """The figures computed from task rows as tasks.get returns them, by the definitions in docs/analytics.md."""
    selected = []
    for row in rows:
        created = parse(row["created_at"])
        if "from_" in filters and created < parse(filters["from_"]):
            continue
        if "to" in filters and created >= parse(filters["to"]):
            continue
        assignee = row["assignee"]["user_id"] if isinstance(row["assignee"], dict) else row["assignee"]
        if "assignee" in filters and assignee != filters["assignee"]:
            continue
        if "bot_id" in filters and row["context"].get("bot_id") != filters["bot_id"]:
            continue
        if "tags" in filters and not set(filters["tags"]) <= set(row["tags"]):
            continue
        selected.append((row, assignee))
    completed = [(row, who) for row, who in selected if row["status"] == "completed"]

    def micros(row: Dict[str, Any]) -> int:
        delta = parse(row["completed_at"]) - parse(row["created_at"])
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

    hour = 3_600_000_000
    people: Dict[str, List[int]] = {}
    for row, who in selected:
        if who is not None:
            people.setdefault(who, [])
            if row["status"] == "completed":
                people[who].append(micros(row))
    by_assignee = [
        {
            "user_id": who,
            "name": NAMES.get(who),
            "tasks_completed": len(times),
            "average_time_hours": hundredths(sum(times), len(times) * hour),
        }
        for who, times in people.items()
    ]
    by_assignee.sort(key=lambda entry: (-entry["tasks_completed"], entry["user_id"]))
    overdue = sum(
        1
        for row, _ in selected
        if row["status"] in ("pending", "in_progress") and row["due_date"] and parse(row["due_date"]) < now
    )
    return {
        "summary": {
            "total_tasks": len(selected),
            "completed": len(completed),
            "in_progress": sum(1 for row, _ in selected if row["status"] == "in_progress"),
            "overdue": overdue,
            "completion_rate": hundredths(len(completed), len(selected)),
            "average_completion_time_hours": hundredths(
                sum(micros(row) for row, _ in completed), len(completed) * hour
            ),
        },
        "by_priority": {
            level: {
                "total": sum(1 for row, _ in selected if row["priority"] == level),
                "completed": sum(1 for row, _ in completed if row["priority"] == level),
            }
            for level in ["critical", "high", "medium", "low"]
        },
        "by_assignee": by_assignee,
    }


def queries(tasks: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """No filter, each filter alone (running tallies), windows, and combinations (visits)."""
    middle = rfc3339(tasks[len(tasks) // 2]["created_at"])
    late = rfc3339(tasks[len(tasks) * 3 // 4]["created_at"])
    found: List[Dict[str, Any]] = [{}]
    found += [{"assignee": who} for who in ASSIGNEES]
    found += [{"bot_id": bot} for bot in ["support_bot", "sales_bot", "nobody_bot"]]
    found += [{"tags": [tag]} for tag in TAGS] + [{"tags": ["billing", "urgent"]}]
    found += [{"from_": middle}, {"to": middle}, {"from_": middle, "to": late}, {"from_": late, "assignee": "bob"}]
    found += [{"to": late, "bot_id": "support_bot", "tags": ["vip"]}, {"assignee": None, "tags": ["urgent"]}]
    return found


def all_rows(client: taskwire.Client) -> List[Dict[str, Any]]:
    """Every live task as tasks.get returns it, found through tasks.list."""
    rows, page = [], 1
    while True:
        listed = client.call("tasks.list", limit=200, page=page, sort="created_at", order="asc")
        rows += [client.call("tasks.get", task_id=task["task_id"]) for task in listed["tasks"]]
        if page * 200 >= listed["total"]:
            return rows
        page += 1


def result_schema() -> Dict[str, Any]:
    """The result schema of tasks.analytics in schema/openrpc.json, its references resolvable."""
    document = json.loads((REPO / "schema" / "openrpc.json").read_text())
    method = next(method for method in document["methods"] if method["name"] == "tasks.analytics")
    return dict(method["result"]["schema"], components=document["components"])


def check_all(client: taskwire.Client, tasks: List[Dict[str, Any]]) -> None:
    rows = all_rows(client)
    now = datetime.now(timezone.utc)
    assert rows and any(row["status"] == "completed" for row in rows)
    schema = result_schema()
    for filters in queries(tasks):
        answer = client.tasks.analytics(**filters)
        jsonschema.validate(answer, schema)
        assert answer == expected(rows, now, **filters), filters


@pytest.fixture
def world(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Dict[str, Any]]:
    """An imported data set, a server on it over stdio and a socket, and member `ann` able to log in."""
    now = datetime.now(timezone.utc)
    tasks = build_tasks(now)
    document = tmp_path / "export.json"
    document.write_text(json.dumps(export_document(tasks)))
    data_dir = tmp_path / "data"
    done = subprocess.run(
        [taskwire_bin, "import", str(document), "--data-dir", str(data_dir)], capture_output=True, timeout=WAIT
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    token = token_create(taskwire_bin, data_dir, "ann", "member")
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    clients: List[taskwire.Client] = []

    def start() -> taskwire.Client:
        admin = taskwire.Client.spawn(
            taskwire_bin, args=["--data-dir", str(data_dir), "--stdio", "--socket", path], stderr=server_log,
            timeout=WAIT,
        )
        clients.append(admin)
        admin.ping()
        return admin

    def connect() -> taskwire.Client:
        client = taskwire.Client.connect_unix(path, timeout=WAIT)
        clients.append(client)
        client.call("auth.login", token=token)
        return client

    admin = start()
    for user, name in NAMES.items():
        admin.call("users.upsert", user_id=user, name=name, role="member")
    try:
        yield {"admin": admin, "start": start, "connect": connect, "tasks": tasks}
    finally:
        for client in reversed(clients):
            client.close()
        shutil.rmtree(short, ignore_errors=True)


def test_figures_over_stdio_match_an_independent_count(world: Dict[str, Any]) -> None:
    check_all(world["admin"], world["tasks"])


def test_a_member_over_a_socket_sees_the_same_figures(world: Dict[str, Any]) -> None:
    ann = world["connect"]()
    admin = world["admin"]
    for filters in queries(world["tasks"]):
        assert ann.tasks.analytics(**filters) == admin.tasks.analytics(**filters), filters
    check_all(ann, world["tasks"])


def test_live_changes_and_a_restart_keep_the_figures_right(world: Dict[str, Any]) -> None:
    admin = world["admin"]
    rows = all_rows(admin)
    pending = [row for row in rows if row["status"] == "pending"]
    started = [row for row in rows if row["status"] == "in_progress"]
    admin.call("tasks.complete", task_id=started[0]["task_id"])
    admin.call("tasks.update", task_id=pending[0]["task_id"], assignee="cy", tags=["vip"], priority="critical")
    admin.call("tasks.update", task_id=pending[1]["task_id"], status="cancelled")
    admin.call("tasks.delete", task_id=rows[0]["task_id"])
    created = admin.call("tasks.create", title="Fresh", assignee="bob", context={"bot_id": "support_bot"})
    admin.call("tasks.update", task_id=created["task_id"], status="in_progress")
    admin.call("tasks.complete", task_id=created["task_id"])
    check_all(admin, world["tasks"])
    before = {json.dumps(filters): admin.tasks.analytics(**filters) for filters in queries(world["tasks"])}
    admin.close()
    restarted = world["start"]()
    for filters in queries(world["tasks"]):
        assert restarted.tasks.analytics(**filters) == before[json.dumps(filters)], filters


def test_bad_params_name_their_field(world: Dict[str, Any]) -> None:
    admin = world["admin"]
    for params, field in [
        ({"from": "last week"}, "from"),
        ({"from": "2024-01-02T00:00:00Z", "to": "2024-01-01T00:00:00Z"}, "to"),
        ({"tags": [""]}, "tags"),
        ({"bot_id": 3}, "bot_id"),
        ({"colour": "red"}, "colour"),
    ]:
        with pytest.raises(taskwire.InvalidParams) as caught:
            admin.call("tasks.analytics", params)
        assert caught.value.data["field"] == field
        assert caught.value.data["error"] == "invalid_params"


def test_epoch_seconds_and_offsets_name_the_same_window(world: Dict[str, Any]) -> None:
    admin = world["admin"]
    tasks = world["tasks"]
    start = tasks[20]["created_at"]
    end = tasks[60]["created_at"]
    as_text = admin.tasks.analytics(from_=rfc3339(start), to=rfc3339(end))
    as_epoch = admin.tasks.analytics(from_=start.timestamp(), to=end.timestamp())
    offset = timezone(timedelta(hours=5, minutes=30))
    as_offset = admin.tasks.analytics(from_=start.astimezone(offset).isoformat(), to=end.astimezone(offset).isoformat())
    assert as_text == as_offset
    assert as_text["summary"]["total_tasks"] == sum(1 for task in tasks[20:60] if task["fate"] != "deleted")
    # Epoch seconds name the instants to within a microsecond; no task was created that close to either bound.
    assert as_epoch == as_text
