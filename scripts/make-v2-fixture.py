#!/usr/bin/env python3
"""Writes the data directory that the release before notifications produces (snapshot format 2), for the
compatibility tests.

That release wrote version 2 snapshots (kind-tagged lines) and had templates, workflows and automations but
no notifications and no reminders. Run this once with its binary; the result is kept under
Tests/Fixtures/datadir-v2 with that binary's own `export` of it (datadir-v2-export.json). Later releases must
open the directory unchanged and export exactly the same document. Usage:

    python3 scripts/make-v2-fixture.py PATH/TO/previous/taskwire Tests/Fixtures/datadir-v2
"""
import importlib.util
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients", "python"))
from taskwire import Client  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "make_v1_fixture", os.path.join(os.path.dirname(__file__), "make-v1-fixture.py"))
_v1 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_v1)


def populate(client, prefix):
    """Everything the version 1 fixture holds, plus a template, a workflow and automations."""
    _v1.populate(client, prefix)
    call = client.call
    template = call("templates.create", name="Follow-up " + prefix, template_id="tpl_followup_" + prefix,
                    title_template="Follow up {{title}}", default_priority="high", checklist=["Call", "Write"])
    call("tasks.create_from_template", template_id=template["template_id"], variables={"title": "order"})
    workflow = call("workflows.create", name="Onboarding " + prefix, steps=[
        {"name": "collect", "duration_hours": 2},
        {"name": "review", "depends_on": ["collect"], "duration_hours": 1},
    ])
    tasks = call("tasks.list", limit=200)["tasks"]
    first = next(task for task in tasks
                 if task.get("workflow_id") == workflow["workflow_id"] and task.get("step") == "collect")
    call("tasks.update", task_id=first["task_id"], status="in_progress")
    call("tasks.complete", task_id=first["task_id"])
    call("automations.create", name="Escalate " + prefix,
         trigger={"type": "task_event", "event": "task_completed", "conditions": {"priority": "critical"}},
         action={"type": "create_task", "template": template["template_id"]})
    call("automations.create", name="Tagged " + prefix, enabled=False,
         trigger={"type": "conversation_tag", "value": "refund"},
         action={"type": "create_task", "template": template["template_id"]})


def main():
    binary, target = sys.argv[1], sys.argv[2]
    scratch = target + ".scratch"
    for path in (target, scratch):
        shutil.rmtree(path, ignore_errors=True)
    # As for version 1: a journal turned into the snapshot of a fresh directory, then more journal after it.
    with Client.spawn(binary, args=["--data-dir", scratch], timeout=30) as client:
        populate(client, "s")
    exported = subprocess.run([binary, "export", "--data-dir", scratch], check=True, capture_output=True).stdout
    subprocess.run([binary, "import", "-", "--data-dir", target], input=exported, check=True)
    shutil.rmtree(scratch)
    with Client.spawn(binary, args=["--data-dir", target], timeout=30) as client:
        populate(client, "j")
    with open(os.path.join(os.path.dirname(target), os.path.basename(target) + "-export.json"), "wb") as out:
        out.write(subprocess.run([binary, "export", "--data-dir", target], check=True, capture_output=True).stdout)
    print(subprocess.run([binary, "check", "--data-dir", target], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
