"""The examples in the client's docstring and in docs/clients.md name real methods and params, and run."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import taskwire
from conftest import REPO

CLIENTS_DOC = REPO / "docs" / "clients.md"
# Keyword arguments the client consumes itself, or that every method accepts.
CLIENT_KEYWORDS = {"timeout", "on_behalf_of"}
# Receivers whose `.call`/`.notify`/`.call_async` take a method name first.
CALLERS = {"client", "batch"}


def schema_params() -> Dict[str, Set[str]]:
    document = json.loads((REPO / "schema" / "openrpc.json").read_text())
    return {method["name"]: {param["name"] for param in method.get("params", [])} for method in document["methods"]}


def docstring_example() -> str:
    """The first ``::`` block of the module docstring (the stdio example), dedented."""
    doc = taskwire.__doc__ or ""
    lines: List[str] = []
    for line in doc.split("::\n\n", 1)[1].splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    return "\n".join(lines)


def doc_blocks() -> List[str]:
    return re.findall(r"```python\n(.*?)```", CLIENTS_DOC.read_text(), re.S)


def calls_in(code: str) -> Iterator[Tuple[str, Set[str]]]:
    """Every JSON-RPC call the code makes: ``(method, keyword names)``."""
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        keywords = {kw.arg for kw in node.keywords if kw.arg is not None}
        parts: List[str] = []
        target: Any = node.func
        while isinstance(target, ast.Attribute):
            parts.insert(0, target.attr)
            target = target.value
        if not isinstance(target, ast.Name) or target.id not in CALLERS:
            continue
        if parts[0] in ("call", "notify", "call_async", "call_batch") and node.args:
            first = node.args[0]
            if parts[0] == "call_batch" and isinstance(first, ast.List):
                for item in first.elts:
                    if isinstance(item, ast.Tuple) and isinstance(item.elts[0], ast.Constant):
                        yield item.elts[0].value, set()
            elif isinstance(first, ast.Constant) and isinstance(first.value, str):
                dict_keys = set()
                if len(node.args) > 1 and isinstance(node.args[1], ast.Dict):
                    dict_keys = {k.value for k in node.args[1].keys if isinstance(k, ast.Constant)}
                yield first.value, keywords | dict_keys
        elif ".".join(parts) in schema_params() or not is_client_helper(parts):
            yield ".".join(parts), keywords


def is_client_helper(parts: List[str]) -> bool:
    """``client.create_task(...)``, ``client.notifications()``: the client's own methods, not JSON-RPC calls."""
    name = parts[0]
    own = hasattr(taskwire.Client, name) and not hasattr(taskwire._GeneratedClientMethods, name)
    # ``client.notifications()`` called itself opens the push stream; its attributes are JSON-RPC calls.
    stream = len(parts) == 1 and name == "notifications"
    return own or stream or name in ("batch", "close", "call", "notify", "call_async", "call_batch")


def wrong_names(code: str) -> List[str]:
    params = schema_params()
    problems = []
    for method, keywords in calls_in(code):
        if method.startswith("no."):
            continue  # the examples call an unknown method on purpose, to show MethodNotFound
        if method not in params:
            problems.append("unknown method %s" % method)
            continue
        unknown = keywords - params[method] - CLIENT_KEYWORDS
        if unknown:
            problems.append("%s has no param %s" % (method, sorted(unknown)))
    return problems


def test_the_checker_catches_wrong_names() -> None:
    # Guards the checker itself: one that found no calls would pass every example.
    code = (
        'client.tasks.comments.add(task_id="t", content="x")\nclient.notify("events.publish", tag="x")\n'
        'client.create_task("t")\nclient.taks.create(title="x")'
    )
    assert wrong_names(code) == [
        "tasks.comments.add has no param ['content']",
        "events.publish has no param ['tag']",
        "unknown method taks.create",
    ]


def test_docstring_example_uses_real_methods_and_params() -> None:
    code = docstring_example()
    assert "tasks.comments.add" in code
    assert wrong_names(code) == []


def test_docs_examples_use_real_methods_and_params() -> None:
    blocks = doc_blocks()
    assert len(blocks) >= 4
    problems = [problem for block in blocks for problem in wrong_names(block)]
    assert problems == []


def run_example(code: str, taskwire_bin: str, data_dir: Path) -> str:
    """Runs an example against the real binary in a fresh data directory; returns what it printed."""
    code = code.replace('"taskwire", args=["--data-dir", "/var/lib/mybot/tasks"]', "BIN, args=ARGS")
    assert "BIN, args=ARGS" in code
    code = code.replace('Client.spawn(BIN, args=ARGS)', "Client.spawn(BIN, args=ARGS, stderr=subprocess.DEVNULL)")
    namespace: Dict[str, Any] = {"BIN": taskwire_bin, "ARGS": ["--data-dir", str(data_dir)], "subprocess": subprocess}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<example>", "exec"), namespace)  # noqa: S102 - our own documentation
    return out.getvalue()


def test_docstring_example_runs_against_the_server(taskwire_bin: str, tmp_path: Path) -> None:
    printed = run_example(docstring_example(), taskwire_bin, tmp_path / "data").splitlines()
    assert printed[0] == "404 task_not_found Task tsk_missing not found"
    assert printed[1]  # server.info's version


def test_docs_usage_example_runs_against_the_server(taskwire_bin: str, tmp_path: Path) -> None:
    usage = doc_blocks()[0]
    printed = run_example(usage, taskwire_bin, tmp_path / "data").splitlines()
    assert printed == ["404 task_not_found Task tsk_missing not found"]
    with taskwire.Client.spawn(taskwire_bin, args=["--data-dir", str(tmp_path / "data")]) as client:
        tasks = client.tasks.list(timeout=10)["tasks"]
        comments = client.tasks.comments.list(task_id=tasks[0]["task_id"], timeout=10)["comments"]
    assert [t["title"] for t in tasks] == ["Review customer complaint"]
    assert [c["text"] for c in comments] == ["Looking into it"]

