"""``basic.run`` on the real binary: the spec's BASIC snippet verbatim, and each keyword doing what its client
helper does (tasks-api.md, "Integration with BASIC"; docs/basic.md)."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict

import pytest

import taskwire

# The spec's snippet, byte for byte.
SPEC_SNIPPET = """\
' Create task from conversation
task_id = CREATE TASK "Follow up with customer", "user456"
SET TASK PRIORITY task_id, "high"
SET TASK DUE DATE task_id, NOW() + 24 * 3600
' Check task status
status = GET TASK STATUS task_id
IF status = "completed" THEN
TALK "Task has been completed"
END IF
"""


def test_the_spec_snippet_runs_verbatim(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    client.users.upsert(user_id="user456", name="Jane Smith", role="member")
    before = time.time()
    reply = client.basic.run(SPEC_SNIPPET)
    assert reply["talk"] == []
    task_id = reply["variables"]["task_id"]
    assert reply["variables"] == {"task_id": task_id, "status": "pending"}
    task = client.tasks.get(task_id)
    assert task["title"] == "Follow up with customer" and task["priority"] == "high"
    assert task["assignee"]["user_id"] == "user456"
    due = taskwire.parse_time(task["due_date"]).timestamp()
    assert before + 86400 <= due <= time.time() + 86400

    # Once the task is completed, the snippet's IF branch talks.
    taskwire.complete_task(client, task_id)
    again = client.basic.run(SPEC_SNIPPET.replace("task_id = CREATE TASK", "other = CREATE TASK"), variables={"task_id": task_id})
    assert again["talk"] == ["Task has been completed"]


def fields(task: Dict[str, Any]) -> Dict[str, Any]:
    assignee = task["assignee"]["user_id"] if task["assignee"] else None
    return {
        "title": task["title"], "priority": task["priority"], "progress": task["progress"], "status": task["status"],
        "assignee": assignee, "due_date": task["due_date"], "resolution": task.get("resolution"),
        "comments_count": task["comments_count"],
    }


def test_every_keyword_does_what_its_client_helper_does(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    client.users.upsert(user_id="user789", name="Sam", role="member")
    by_helpers = taskwire.create_task(client, "Call back", "user789")
    taskwire.set_task_priority(client, by_helpers, "critical")
    taskwire.set_task_due_date(client, by_helpers, "2031-01-01T09:00:00Z")
    taskwire.set_task_progress(client, by_helpers, 40)
    taskwire.set_task_assignee(client, by_helpers, None)
    taskwire.add_task_comment(client, by_helpers, "Left a voicemail")
    taskwire.complete_task(client, by_helpers, "Reached them")
    assert taskwire.get_task_status(client, by_helpers) == "completed"

    reply = client.basic.run(
        """
        id = CREATE TASK "Call back", "user789"
        SET TASK PRIORITY id, "critical"
        SET TASK DUE DATE id, "2031-01-01T09:00:00Z"
        SET TASK PROGRESS id, 40
        SET TASK ASSIGNEE id, NULL
        comment_id = ADD TASK COMMENT id, "Left a voicemail"
        COMPLETE TASK id, "Reached them"
        status = GET TASK STATUS id
        """
    )
    by_keywords = reply["variables"]["id"]
    assert reply["variables"]["status"] == "completed"
    assert reply["variables"]["comment_id"].startswith("cmt_")
    assert fields(client.tasks.get(by_keywords)) == fields(client.tasks.get(by_helpers))


def test_a_syntax_error_names_line_and_column(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    with pytest.raises(taskwire.InvalidParams) as raised:
        client.basic.run('x = 1\nIF x = 1\nTALK "one"\nEND IF\n')
    assert raised.value.error == "basic_syntax_error"
    assert (raised.value.data["line"], raised.value.data["column"]) == (2, 9)
    assert raised.value.message == "line 2, column 9: expected THEN, found end of line"
    assert client.tasks.list()["tasks"] == []


def test_a_failed_call_is_a_runtime_error_with_the_servers_error(spawn: Callable[..., taskwire.Client]) -> None:
    client = spawn(timeout=10)
    with pytest.raises(taskwire.InvalidParams) as raised:
        client.basic.run('id = CREATE TASK "x"\nSET TASK PRIORITY id, "urgent"\n')
    data = raised.value.data
    assert raised.value.error == "basic_runtime_error"
    assert (data["line"], data["column"], data["method"]) == (2, 1, "tasks.update")
    assert data["cause"]["code"] == -32602 and data["cause"]["data"]["error"] == "invalid_priority"
    # The statement before the error took effect.
    assert len(client.tasks.list()["tasks"]) == 1
