"""Comments, attachments and watchers against the real `taskwire` binary over stdio, across restarts."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

import taskwire
from conftest import REPO, WAIT, on_postgres

PNG = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + bytes(range(64))


@pytest.fixture
def server(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Any]:
    """Starts the real server over stdio on one data directory, as often as a test asks (one at a time)."""
    started: List[taskwire.Client] = []
    data_dir = tmp_path / "data"

    def start(*extra: str) -> taskwire.Client:
        client = taskwire.Client.spawn(
            taskwire_bin, args=["--data-dir", str(data_dir), *extra], stderr=server_log, timeout=WAIT
        )
        started.append(client)
        return client

    start.data_dir = data_dir  # type: ignore[attr-defined]
    yield start
    for client in started:
        client.close()


def blob_files(data_dir: Path) -> List[Path]:
    """The attachment byte files in the data directory (interrupted writes end in .tmp and do not count)."""
    root = data_dir / "blobs"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".tmp"))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def new_task(client: taskwire.Client, title: str = "Review customer complaint") -> str:
    return client.call("tasks.create", title=title)["task_id"]


def upload(client: taskwire.Client, task_id: str, data: bytes, filename: str = "file.bin", **extra: Any) -> Any:
    return client.call(
        "tasks.attachments.upload", task_id=task_id, filename=filename, content_base64=b64(data), **extra
    )


def test_comments_are_added_and_listed(server: Callable[..., taskwire.Client]) -> None:
    client = server()
    task_id = new_task(client)
    first = client.call(
        "tasks.comments.add", task_id=task_id, text="Contacted customer via email", mentions=["user123"]
    )
    assert first["comment_id"].startswith("cmt_")
    assert first["task_id"] == task_id
    assert first["text"] == "Contacted customer via email"
    assert first["author"] == "system"
    assert first["mentions"] == ["user123"]
    second = client.call("tasks.comments.add", task_id=task_id, text="Customer replied: «merci» ✓")
    assert second["comment_id"] > first["comment_id"]

    listed = client.call("tasks.comments.list", task_id=task_id)
    assert listed["total"] == 2 and listed["page"] == 1 and listed["limit"] == 20
    assert [c["comment_id"] for c in listed["comments"]] == [first["comment_id"], second["comment_id"]]
    assert listed["comments"][0]["author"] == {"user_id": "system", "name": "System"}
    assert listed["comments"][1]["text"] == "Customer replied: «merci» ✓"
    page = client.call("tasks.comments.list", task_id=task_id, page=2, limit=1)
    assert [c["comment_id"] for c in page["comments"]] == [second["comment_id"]]

    task = client.call("tasks.get", task_id=task_id)
    assert task["comments_count"] == 2
    assert task["version"] == 1, "comments do not change the task's version"

    with pytest.raises(taskwire.InvalidParams) as info:
        client.call("tasks.comments.add", task_id=task_id, text="   ")
    assert info.value.data["field"] == "text"
    with pytest.raises(taskwire.InvalidParams) as info:
        client.call("tasks.comments.add", task_id=task_id, text="x", mentions=[42])
    assert info.value.data["field"] == "mentions"
    with pytest.raises(taskwire.NotFound) as info:
        client.call("tasks.comments.add", task_id=task_id, text="x", attachments=["att_0000000000000"])
    assert info.value.error == "attachment_not_found"
    with pytest.raises(taskwire.NotFound) as info:
        client.call("tasks.comments.list", task_id="tsk_xyz789")
    assert info.value.error == "task_not_found"


def test_attachment_bytes_round_trip_exactly(server: Callable[..., taskwire.Client]) -> None:
    client = server()
    task_id = new_task(client)
    data = bytes(range(256)) * 257 + os.urandom(4099)
    uploaded = upload(client, task_id, data, filename="dump.bin")
    assert uploaded["attachment_id"].startswith("att_")
    assert uploaded["task_id"] == task_id
    assert uploaded["filename"] == "dump.bin"
    assert uploaded["size_bytes"] == len(data)
    assert uploaded["sha256"] == hashlib.sha256(data).hexdigest()
    assert uploaded["mime_type"] == "application/octet-stream"
    assert uploaded["uploaded_at"].endswith("Z")

    fetched = client.call("tasks.attachments.get", attachment_id=uploaded["attachment_id"])
    assert base64.b64decode(fetched["content_base64"], validate=True) == data
    assert {k: v for k, v in fetched.items() if k != "content_base64"} == uploaded

    listed = client.call("tasks.attachments.list", task_id=task_id)
    assert listed == {"task_id": task_id, "attachments": [uploaded], "total": 1}
    assert client.call("tasks.get", task_id=task_id)["attachments_count"] == 1

    comment = client.call(
        "tasks.comments.add", task_id=task_id, text="See the dump", attachments=[uploaded["attachment_id"]]
    )
    assert comment["attachments"] == [uploaded["attachment_id"]]


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


MIME_SAMPLES = [
    ("png", PNG, "image/png"),
    ("jpeg", bytes([0xFF, 0xD8, 0xFF, 0xE0]) + b"\x00\x10JFIF", "image/jpeg"),
    ("gif", b"GIF89a\x01\x00\x01\x00", "image/gif"),
    ("webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    ("zip", _zip_bytes(), "application/zip"),
    ("gzip", gzip.compress(b"hello"), "application/gzip"),
    ("json", json.dumps({"ok": True, "items": [1, 2]}).encode(), "application/json"),
    ("text", "Contacted customer\nvia e-mail: «ok»\n".encode(), "text/plain"),
    ("binary", b"\x00\x01\x02\x03", "application/octet-stream"),
]


@pytest.mark.parametrize("name,data,expected", MIME_SAMPLES, ids=[s[0] for s in MIME_SAMPLES])
def test_mime_type_is_detected_from_content(
    server: Callable[..., taskwire.Client], name: str, data: bytes, expected: str
) -> None:
    client = server()
    task_id = new_task(client)
    assert upload(client, task_id, data, filename="upload")["mime_type"] == expected
    given = upload(client, task_id, data, filename="upload", mime_type="application/x-custom")
    assert given["mime_type"] == "application/x-custom"


def test_uploads_over_max_attachment_bytes_are_too_large(server: Callable[..., taskwire.Client]) -> None:
    client = server("--max-attachment-bytes", "1K")
    task_id = new_task(client)
    assert upload(client, task_id, b"x" * 1024)["size_bytes"] == 1024
    with pytest.raises(taskwire.TooLarge) as info:
        upload(client, task_id, b"x" * 1025)
    assert info.value.code == 413
    assert info.value.error == "too_large"
    assert info.value.data["max_bytes"] == 1024
    assert client.call("tasks.get", task_id=task_id)["attachments_count"] == 1
    assert client.call("server.info")["limits"]["max_attachment_bytes"] == 1024


def test_invalid_base64_is_refused(server: Callable[..., taskwire.Client]) -> None:
    client = server()
    task_id = new_task(client)
    for text in ["aGVsbG8", "aGVs bG8=", "aGVsbG8=\n", "####"]:
        with pytest.raises(taskwire.InvalidParams) as info:
            client.call("tasks.attachments.upload", task_id=task_id, filename="a", content_base64=text)
        assert info.value.data["field"] == "content_base64", text
    assert blob_files(server.data_dir) == []  # type: ignore[attr-defined]


@pytest.mark.file_store
def test_identical_bytes_are_stored_once_and_reclaimed_after_the_last_delete(
    server: Callable[..., taskwire.Client],
) -> None:
    client = server()
    data_dir = server.data_dir  # type: ignore[attr-defined]
    first_task = new_task(client, "First")
    second_task = new_task(client, "Second")
    first = upload(client, first_task, PNG, filename="a.png")
    second = upload(client, second_task, PNG, filename="b.png")
    assert first["sha256"] == second["sha256"]
    files = blob_files(data_dir)
    assert len(files) == 1
    assert files[0].read_bytes() == PNG
    assert files[0].parent.name + files[0].name == first["sha256"]

    other = upload(client, first_task, b"other bytes")
    assert len(blob_files(data_dir)) == 2

    deleted = client.call("tasks.attachments.delete", attachment_id=first["attachment_id"])
    assert deleted == {"deleted": True, "attachment_id": first["attachment_id"], "task_id": first_task}
    assert len(blob_files(data_dir)) == 2, "the second attachment still uses the bytes"
    client.call("tasks.attachments.delete", attachment_id=second["attachment_id"])
    assert [p.read_bytes() for p in blob_files(data_dir)] == [b"other bytes"]
    with pytest.raises(taskwire.NotFound) as info:
        client.call("tasks.attachments.get", attachment_id=first["attachment_id"])
    assert info.value.error == "attachment_not_found"
    assert client.call("tasks.get", task_id=first_task)["attachments_count"] == 1
    assert client.call("tasks.attachments.get", attachment_id=other["attachment_id"])["size_bytes"] == 11


def test_watchers(server: Callable[..., taskwire.Client]) -> None:
    client = server()
    task_id = new_task(client)
    watched = client.call("tasks.watch", task_id=task_id)
    assert watched == {
        "task_id": task_id,
        "user_id": "system",
        "watching": True,
        "changed": True,
        "watchers": ["system"],
    }
    assert client.call("tasks.watch", task_id=task_id)["changed"] is False
    # The stdio principal is the built-in administrator, so it may add someone else.
    assert client.call("tasks.watch", task_id=task_id, user_id="user456")["watchers"] == ["system", "user456"]
    assert client.call("tasks.get", task_id=task_id)["watchers"] == ["system", "user456"]
    removed = client.call("tasks.unwatch", task_id=task_id)
    assert removed["watchers"] == ["user456"] and removed["watching"] is False
    assert client.call("tasks.unwatch", task_id=task_id)["changed"] is False
    actions = [entry["action"] for entry in client.call("tasks.history", task_id=task_id)["history"]]
    assert actions == ["task_created", "watcher_added", "watcher_added", "watcher_removed"]


def test_everything_survives_a_restart(server: Callable[..., taskwire.Client]) -> None:
    client = server()
    task_id = new_task(client)
    attachment = upload(client, task_id, PNG, filename="screenshot.png")
    dropped = upload(client, task_id, b"dropped")
    client.call("tasks.attachments.delete", attachment_id=dropped["attachment_id"])
    comment = client.call(
        "tasks.comments.add", task_id=task_id, text="See screenshot", attachments=[attachment["attachment_id"]]
    )
    client.call("tasks.watch", task_id=task_id)
    before = {
        "task": client.call("tasks.get", task_id=task_id),
        "comments": client.call("tasks.comments.list", task_id=task_id),
        "attachments": client.call("tasks.attachments.list", task_id=task_id),
        "history": client.call("tasks.history", task_id=task_id),
    }
    client.close()
    # Bytes no attachment uses (as a crash between a blob write and its commit leaves) go at start-up: in a
    # data directory they are files this test can plant (on PostgreSQL, rows: PostgresEndToEndTests).
    orphan_key = hashlib.sha256(b"orphan").hexdigest()
    orphan = server.data_dir / "blobs" / orphan_key[:2] / orphan_key[2:]  # type: ignore[attr-defined]
    if not on_postgres():
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"orphan")

    client = server()
    client.call("ping")  # answered only once start-up, and so the sweep, is over
    assert not orphan.exists()
    after = {
        "task": client.call("tasks.get", task_id=task_id),
        "comments": client.call("tasks.comments.list", task_id=task_id),
        "attachments": client.call("tasks.attachments.list", task_id=task_id),
        "history": client.call("tasks.history", task_id=task_id),
    }
    assert after == before
    assert after["task"]["comments_count"] == 1
    assert after["task"]["attachments_count"] == 1
    assert after["task"]["watchers"] == ["system"]
    assert after["comments"]["comments"][0]["comment_id"] == comment["comment_id"]
    fetched = client.call("tasks.attachments.get", attachment_id=attachment["attachment_id"])
    assert base64.b64decode(fetched["content_base64"]) == PNG
    actions = [entry["action"] for entry in after["history"]["history"]]
    assert actions == [
        "task_created",
        "attachment_added",
        "attachment_added",
        "attachment_deleted",
        "comment_added",
        "watcher_added",
    ]
    if not on_postgres():
        # Only the bytes still in use are kept.
        assert [p.read_bytes() for p in blob_files(server.data_dir)] == [PNG]  # type: ignore[attr-defined]
    # New writes continue after the restart.
    later = client.call("tasks.comments.add", task_id=task_id, text="Later")
    assert later["comment_id"] > comment["comment_id"]


def test_results_follow_the_openrpc_schema(server: Callable[..., taskwire.Client]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = json.loads((REPO / "schema" / "openrpc.json").read_text())
    methods = {method["name"]: method for method in document["methods"]}

    def check(method: str, result: Any) -> None:
        schema = {"components": document["components"], "allOf": [methods[method]["result"]["schema"]]}
        jsonschema.validate(result, schema)

    client = server()
    task_id = new_task(client)
    uploaded = upload(client, task_id, PNG, filename="a.png")
    check("tasks.attachments.upload", uploaded)
    check("tasks.attachments.list", client.call("tasks.attachments.list", task_id=task_id))
    check("tasks.attachments.get", client.call("tasks.attachments.get", attachment_id=uploaded["attachment_id"]))
    check("tasks.comments.add", client.call("tasks.comments.add", task_id=task_id, text="Hi", mentions=["u1"]))
    check("tasks.comments.list", client.call("tasks.comments.list", task_id=task_id))
    check("tasks.watch", client.call("tasks.watch", task_id=task_id))
    check("tasks.unwatch", client.call("tasks.unwatch", task_id=task_id))
    check("tasks.attachments.delete", client.call("tasks.attachments.delete", attachment_id=uploaded["attachment_id"]))
    check("tasks.history", client.call("tasks.history", task_id=task_id))
    check("tasks.get", client.call("tasks.get", task_id=task_id))
