"""The typed helpers match schema/openrpc.json exactly: the same methods, the same params, nothing extra."""

from __future__ import annotations

import importlib.util
import inspect
import json
import keyword
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Tuple

import pytest

import taskwire
from conftest import REPO, echo_handler

SCHEMA = json.loads((REPO / "schema" / "openrpc.json").read_text())


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("clients_gen", REPO / "scripts" / "clients-gen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def helpers(client: taskwire.Client) -> Dict[str, Callable[..., Any]]:
    """Every typed helper reachable from a client, by the method name it calls."""
    found: Dict[str, Callable[..., Any]] = {}

    def walk(owner: Any, cls: type, prefix: str) -> None:
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            if isinstance(member, property):
                namespace = getattr(owner, name)
                assert isinstance(namespace, taskwire._Namespace), name
                walk(namespace, type(namespace), namespace._name + ".")
            elif inspect.isfunction(member):
                found[prefix + name] = getattr(owner, name)

    walk(client, taskwire._GeneratedClientMethods, "")
    return found


def test_the_generated_code_is_up_to_date() -> None:
    generator = load_generator()
    stale = [str(path.relative_to(REPO)) for path, text in generator.outputs(SCHEMA).items() if path.read_text() != text]
    assert stale == [], "stale generated code in %s: run python3 scripts/clients-gen.py" % stale


def test_every_schema_method_has_a_helper_and_no_helper_lacks_one(fake: Any) -> None:
    _, client = fake(echo_handler)
    assert sorted(helpers(client)) == sorted(method["name"] for method in SCHEMA["methods"])
    assert list(taskwire.METHODS) == sorted(method["name"] for method in SCHEMA["methods"])


@pytest.mark.parametrize("method", SCHEMA["methods"], ids=lambda method: method["name"])
def test_helper_signature_follows_the_schema(fake: Any, method: Dict[str, Any]) -> None:
    _, client = fake(echo_handler)
    helper = helpers(client)[method["name"]]
    signature = inspect.signature(helper)
    names = [name for name in signature.parameters if name != "timeout"]
    params = method.get("params", [])
    # A param named like a Python keyword (`from`) is `from_` in Python and keeps its own name on the wire.
    python = {p["name"]: p["name"] + "_" if keyword.iskeyword(p["name"]) else p["name"] for p in params}
    required = [p["name"] for p in params if p.get("required")]
    optional = [p["name"] for p in params if not p.get("required")]
    assert names == [python[name] for name in required + optional]
    assert taskwire.METHODS[method["name"]] == tuple(p["name"] for p in params)
    for name in required:
        parameter = signature.parameters[python[name]]
        assert parameter.default is inspect.Parameter.empty
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    for name in optional:
        parameter = signature.parameters[python[name]]
        assert parameter.default is taskwire.UNSET and parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert signature.parameters["timeout"].default is None
    assert helper.__doc__ and method["name"] in helper.__doc__
    # Calling it with every required param sends exactly those, by name.
    values = {name: "v_%s" % name for name in required}
    assert helper(**{python[name]: value for name, value in values.items()}) == {
        "method": method["name"],
        "params": values,
    }
    # And each optional one under its wire name.
    for name in optional:
        sent = helper(**{python[name]: value for name, value in values.items()}, **{python[name]: "x"})
        assert sent["params"] == dict(values, **{name: "x"})


def test_a_typo_fails_before_anything_is_sent(fake: Any) -> None:
    server, client = fake(echo_handler)
    with pytest.raises(TypeError):
        client.tasks.create(titel="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        client.tasks.get()  # type: ignore[call-arg]
    assert server.received.empty()


def test_none_clears_nullable_params_and_omits_the_others(fake: Any) -> None:
    _, client = fake(echo_handler)
    sent = client.tasks.update("tsk_1", description=None, priority=None, progress=5)["params"]
    assert sent == {"task_id": "tsk_1", "description": None, "progress": 5}
    assert client.tasks.list()["params"] == {}
    assert client.tasks.list(status=["pending"], limit=5)["params"] == {"status": ["pending"], "limit": 5}
    assert client.ping()["method"] == "ping" and client.server.info()["method"] == "server.info"


def test_datetimes_go_out_as_rfc3339_utc(fake: Any) -> None:
    _, client = fake(echo_handler)
    paris = timezone(timedelta(hours=1))
    sent = client.tasks.create("t", due_date=datetime(2030, 1, 20, 18, 0, tzinfo=paris))["params"]
    assert sent["due_date"] == "2030-01-20T17:00:00Z"
    naive = client.call("tasks.list", due_before=datetime(2030, 1, 2, 3, 4, 5, 600))["params"]
    assert naive["due_before"] == "2030-01-02T03:04:05.000600Z"


def test_typed_helpers_against_the_server(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    when = datetime.now(timezone(timedelta(hours=-5))).replace(microsecond=0) + timedelta(days=2)
    task = client.tasks.create("Typed", priority="high", due_date=when, tags=["a"])
    assert task["due_date"] == taskwire.format_time(when)
    updated = client.tasks.update(task["task_id"], description="d", status="in_progress", progress=40)
    assert updated["updated_fields"] == ["description", "status", "progress"]
    cleared = client.tasks.update(task["task_id"], description=None, assignee=None, tags=None)
    assert cleared["updated_fields"] == ["description", "tags"]
    client.tasks.comments.add(task["task_id"], "hello", mentions=[])
    assert client.tasks.comments.list(task["task_id"], limit=1)["total"] == 1
    assert client.tasks.list(due_after=when - timedelta(hours=1))["total"] == 1
    assert client.tasks.complete(task["task_id"], resolution="done")["status"] == "completed"


def test_parse_times_returns_datetimes(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10, parse_times=True)
    when = datetime(2040, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    task = client.tasks.create("Times", due_date=when)
    assert task["due_date"] == when and task["due_date"].tzinfo is not None
    assert isinstance(task["created_at"], datetime) and task["completed_at"] is None
    assert task["title"] == "Times"
    listed = client.tasks.list()["tasks"][0]
    assert listed["due_date"] == when and isinstance(listed["updated_at"], datetime)
    history: List[Dict[str, Any]] = client.tasks.history(task["task_id"])["history"]
    assert isinstance(history[0]["at"], datetime)


def test_time_fields_come_from_the_schema() -> None:
    assert {"created_at", "updated_at", "due_date", "completed_at", "at"} <= taskwire.TIME_FIELDS
    assert "title" not in taskwire.TIME_FIELDS


def format_and_parse_cases() -> List[Tuple[str, datetime]]:
    utc = timezone.utc
    return [
        ("2024-01-15T10:00:00Z", datetime(2024, 1, 15, 10, 0, tzinfo=utc)),
        ("2024-01-15T10:00:00.550666Z", datetime(2024, 1, 15, 10, 0, 0, 550666, tzinfo=utc)),
        ("2024-01-15T10:00:00.123456789Z", datetime(2024, 1, 15, 10, 0, 0, 123456, tzinfo=utc)),
        ("2024-01-15T10:00:00.5+02:00", datetime(2024, 1, 15, 8, 0, 0, 500000, tzinfo=utc)),
        ("2024-01-15t10:00:00-01:30", datetime(2024, 1, 15, 11, 30, tzinfo=utc)),
        ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, 0, 0, tzinfo=utc)),
    ]


@pytest.mark.parametrize("text,expected", format_and_parse_cases())
def test_parse_time(text: str, expected: datetime) -> None:
    assert taskwire.parse_time(text) == expected
    assert taskwire.parse_time(text).utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2024-01-15", "2024-01-15T10:00:00", "yesterday", "2024-01-15T10:00Z", ""])
def test_parse_time_refuses_what_is_not_rfc3339(text: str) -> None:
    with pytest.raises(ValueError):
        taskwire.parse_time(text)


def test_format_time() -> None:
    assert taskwire.format_time(datetime(2024, 1, 20, 17, 0)) == "2024-01-20T17:00:00Z"
    plus2 = timezone(timedelta(hours=2))
    assert taskwire.format_time(datetime(2024, 1, 20, 19, 0, 0, 5, tzinfo=plus2)) == "2024-01-20T17:00:00.000005Z"


def test_parse_times_walks_results() -> None:
    raw = {"tasks": [{"title": "2024-01-15T10:00:00Z", "due_date": None, "created_at": "2024-01-15T10:00:00Z"}],
           "updated_at": "not a time"}
    parsed = taskwire.parse_times(raw)
    assert parsed["tasks"][0]["created_at"] == datetime(2024, 1, 15, 10, tzinfo=timezone.utc)
    assert parsed["tasks"][0]["title"] == "2024-01-15T10:00:00Z" and parsed["tasks"][0]["due_date"] is None
    assert parsed["updated_at"] == "not a time"
    assert raw["tasks"][0]["created_at"] == "2024-01-15T10:00:00Z"  # the input is left alone
