#!/usr/bin/env python3
"""Writes the data directory that release 0.1.0 (persistence format 1) produces, for the compatibility tests.

Run it once with a 0.1.0 binary; the result is kept in the repository under Tests/Fixtures/datadir-v1 with
the binary's own `export` of it (export.json) and `check` report (check.txt). Later releases must open that
directory unchanged and export exactly the same document. Usage:

    python3 scripts/make-v1-fixture.py PATH/TO/taskwire-0.1.0 Tests/Fixtures/datadir-v1
"""
import base64
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients", "python"))
from taskwire import Client  # noqa: E402


def populate(client, prefix):
    """Writes one of everything: users, tokens, tasks in every state, comments, attachments, watchers."""
    tasks = client.tasks
    client.users.upsert(user_id=prefix + "alice", name="Alice " + prefix, role="member",
                        email=prefix + "alice@example.com", avatar_url="https://example.com/a.png")
    client.users.upsert(user_id=prefix + "bot", name="Bot " + prefix, role="agent")
    client.users.upsert(user_id=prefix + "alice", name="Alice Renamed " + prefix, role="member",
                        email=prefix + "alice@example.com")
    token = client.auth.tokens.create(user_id=prefix + "alice", label="laptop")
    revoked = client.auth.tokens.create(user_id=prefix + "bot", label="old", expires_at="2031-01-01T00:00:00Z")
    client.auth.tokens.revoke(token_id=revoked["token_id"])
    first = tasks.create(title="Review complaint " + prefix, assignee=prefix + "alice", priority="high",
                         tags=["support", "urgent"], due_date="2031-01-20T17:00:00Z",
                         context={"conversation_id": "conv_" + prefix, "bot_id": "bot_1"},
                         idempotency_key="key-" + prefix)
    second = tasks.create(title="Plain task " + prefix, description="Just a description")
    third = tasks.create(title="Doomed task " + prefix, tags=["temp"])
    tasks.update(task_id=first["task_id"], status="in_progress", progress=40)
    tasks.update(task_id=first["task_id"], assignee=prefix + "bot", priority="critical")
    tasks.complete(task_id=first["task_id"], resolution="Refunded", time_spent_minutes=25, outcomes=["refund"])
    tasks.update(task_id=second["task_id"], status="cancelled")
    tasks.update(task_id=second["task_id"], status="pending", description=None)
    client.tasks.comments.add(task_id=first["task_id"], text="Called the customer @" + prefix + "alice",
                              mentions=[prefix + "alice"])
    client.tasks.comments.add(task_id=third["task_id"], text="This one goes away")
    kept = client.tasks.attachments.upload(task_id=first["task_id"], filename="notes.txt",
                                           content_base64=base64.b64encode(b"notes " + prefix.encode()).decode())
    gone = client.tasks.attachments.upload(task_id=second["task_id"], filename="pixel.png",
                                           content_base64=base64.b64encode(
                                               b"\x89PNG\r\n\x1a\n" + prefix.encode() * 8).decode())
    client.tasks.attachments.delete(attachment_id=gone["attachment_id"])
    client.tasks.attachments.upload(task_id=third["task_id"], filename="third.txt",
                                    content_base64=base64.b64encode(b"third " + prefix.encode()).decode())
    client.tasks.watch(task_id=first["task_id"], user_id=prefix + "alice")
    client.tasks.watch(task_id=second["task_id"], user_id=prefix + "bot")
    client.tasks.unwatch(task_id=second["task_id"], user_id=prefix + "bot")
    tasks.delete(task_id=third["task_id"])
    return token, kept


def main():
    binary, target = sys.argv[1], sys.argv[2]
    scratch = target + ".scratch"
    for path in (target, scratch):
        shutil.rmtree(path, ignore_errors=True)
    # Phase 1 writes a journal; export and import turn it into the snapshot of a fresh directory; phase 2 then
    # journals more of everything after that snapshot.
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
