"""Email and webhook delivery against the real binary: the outbox folder, a sendmail stand-in, a signed webhook,
retries on a short schedule with the same delivery id, deliveries surviving a SIGKILL, and who receives what
on each channel, over stdio and over a socket with login.

Waits are on signals: a webhook request reaching the local receiver, a sendmail stand-in reporting its run
over a local socket. The worker takes pending deliveries oldest first, one at a time (docs/notifications.md),
so a webhook delivery of a later notification arriving means every earlier delivery was attempted."""

from __future__ import annotations

import email
import email.parser
import email.policy
import email.utils
import hashlib
import hmac
import http.server
import json
import queue
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import taskwire
from conftest import WAIT, on_postgres

PUSHED = "notifications.notification"
TITLE = "Réparer la connexion 🚀 修复登录错误 — Ñandú"
SHORT_RETRY = ["--delivery-retry", "0.2,0.5,50"]


def token_create(taskwire_bin: str, data_dir: Path, user: str, role: str) -> str:
    done = subprocess.run(
        [taskwire_bin, "token", "create", "--user", user, "--role", role, "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode().strip()


# MARK: a local webhook receiver


class Receiver:
    """An HTTP server on 127.0.0.1 (ephemeral port) taking webhook POSTs at ``/hook/<user>``.

    It answers with the statuses in ``answers`` in turn (the last one repeats), checks each request's
    signature with the secret registered for the path's user, and puts every request on ``requests``.
    """

    def __init__(self, answers: List[int]) -> None:
        self.answers = list(answers)
        self.secrets: Dict[str, str] = {}
        self.requests: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                user = self.path.rsplit("/", 1)[-1]
                status = receiver.next_answer()
                secret = receiver.secrets.get(user, "")
                expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                given = self.headers.get("X-Taskwire-Signature", "")
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.requests.put({
                    "user": user,
                    "status": status,
                    "headers": {key.lower(): value for key, value in self.headers.items()},
                    "body": body,
                    "json": json.loads(body),
                    "signed": hmac.compare_digest(expected, given),
                })

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, user: str) -> str:
        return "http://127.0.0.1:%d/hook/%s" % (self.server.server_address[1], user)

    def next_answer(self) -> int:
        with self._lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def answer_from_now(self, status: int) -> None:
        with self._lock:
            self.answers = [status]

    def next(self) -> Dict[str, Any]:
        try:
            return self.requests.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError("no webhook request arrived within %.0f s" % WAIT) from None

    def until(self, done: Any) -> List[Dict[str, Any]]:
        """Every request up to and including the first for which ``done(request)`` holds."""
        seen = []
        while True:
            request = self.next()
            seen.append(request)
            if done(request):
                return seen

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver([200])
    yield made
    made.close()


# MARK: a server with a socket and users that log in


class Deployment:
    """A data directory with users and tokens, and the server started on it (stdio as ``stdio_user``)."""

    def __init__(self, taskwire_bin: str, data_dir: Path, log: Any, users: Dict[str, str]) -> None:
        self.bin = taskwire_bin
        self.data_dir = data_dir
        self.log = log
        self.tokens = {user: token_create(taskwire_bin, data_dir, user, role) for user, role in users.items()}
        self.short = Path(tempfile.mkdtemp(prefix="tw-"))
        self.socket_path = str(self.short / "s.sock")
        self.clients: List[taskwire.Client] = []
        self.stdio: Optional[taskwire.Client] = None

    def start(self, *args: str, stdio_user: str = "system") -> taskwire.Client:
        self.stdio = taskwire.Client.spawn(
            self.bin,
            args=["--data-dir", str(self.data_dir), "--stdio", "--stdio-user", stdio_user,
                  "--socket", self.socket_path, *args],
            stderr=self.log,
            timeout=WAIT,
        )
        self.clients.append(self.stdio)
        self.stdio.ping()
        return self.stdio

    def start_another(self, *args: str) -> str:
        """A second server on the same data (on PostgreSQL: a read node of the same database), with a socket
        of its own, whose path it returns."""
        path = str(self.short / ("s%d.sock" % len(self.clients)))
        node = taskwire.Client.spawn(
            self.bin, args=["--data-dir", str(self.data_dir), "--stdio", "--socket", path, *args],
            stderr=self.log, timeout=WAIT)
        self.clients.append(node)
        node.ping()
        return path

    def connect(self, user: str, socket_path: Optional[str] = None) -> taskwire.Client:
        client = taskwire.Client.connect_unix(socket_path or self.socket_path, timeout=WAIT)
        self.clients.append(client)
        client.auth.login(token=self.tokens[user])
        return client

    def kill(self) -> None:
        """SIGKILL: nothing gets a chance to finish or flush."""
        assert self.stdio is not None and self.stdio.process is not None
        self.stdio.process.send_signal(signal.SIGKILL)
        self.stdio.process.wait(timeout=WAIT)
        for client in reversed(self.clients):
            client.close()
        self.clients = []

    def close(self) -> None:
        for client in reversed(self.clients):
            client.close()
        shutil.rmtree(self.short, ignore_errors=True)


@pytest.fixture
def deploy(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Any]:
    made: List[Deployment] = []

    def build(users: Dict[str, str]) -> Deployment:
        deployment = Deployment(taskwire_bin, tmp_path / ("data%d" % len(made)), server_log, users)
        made.append(deployment)
        return deployment

    yield build
    for deployment in made:
        deployment.close()


def people(admin: taskwire.Client, ann_role: str = "member") -> None:
    """Names and addresses in the directory for the mail tests."""
    admin.users.upsert(user_id="ann", name="Ann Lee", email="ann@example.com", role=ann_role)
    admin.users.upsert(user_id="bob", name="Björn Ødegård", email="bob@example.com", role="member")
    admin.users.upsert(user_id="cat", name="Cat Ng", email="cat@example.com", role="member")


def sentinel(admin: taskwire.Client, receiver: Receiver, user: str = "zed") -> None:
    """``user`` hears of every change of a task mentioning them by webhook: the signal that earlier
    deliveries were attempted (their ids sort first)."""
    configured = admin.notifications.configure(
        user_id=user, events=["task_created", "task_assigned", "comment_added", "task_updated", "task_completed"],
        channels=["webhook"], recipients=["mentioned"], webhook={"url": receiver.url(user)})
    receiver.secrets[user] = configured["webhook_secret"]


def parse_mail(raw: bytes) -> EmailMessage:
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def check_mail(message: EmailMessage, *, kind: str, task_id: str, sender: str) -> str:
    """The headers every notification email has; returns the decoded body."""
    assert message["From"] == sender
    assert message["To"].addresses[0].addr_spec == "bob@example.com"
    assert message["To"].addresses[0].display_name == "Björn Ødegård"
    subject = str(message["Subject"])
    assert "Ann Lee" in subject and TITLE in subject, subject
    assert email.utils.parsedate_to_datetime(str(message["Date"])).utcoffset() is not None
    delivery = str(message["X-Taskwire-Delivery"])
    assert delivery.startswith("dlv_") and delivery.endswith("_email")
    assert str(message["Message-ID"]).startswith("<%s@" % delivery)
    assert str(message["X-Taskwire-Event"]) == kind
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert TITLE in body and task_id in body and "Ann Lee" in body, body
    return body


# MARK: email


def test_email_lands_in_the_outbox_as_parseable_utf8_messages(deploy: Any, receiver: Receiver) -> None:
    site = deploy({"ann": "member", "bob": "member", "zed": "member"})
    admin = site.start("--mail-from", "Task Desk <desk@example.org>")
    people(admin)
    admin.notifications.configure(
        user_id="bob", events=["task_assigned", "comment_added"], channels=["email"], recipients=["assignee"])
    sentinel(admin, receiver)
    ann = site.connect("ann")
    task = ann.tasks.create(title=TITLE, assignee="bob", description="For @zed too")
    ann.tasks.comments.add(task_id=task["task_id"], text="Le café est prêt ☕")
    # zed's webhook of the comment comes after bob's email of the comment.
    receiver.until(lambda request: request["json"]["event_type"] == "comment_added")
    outbox = site.data_dir / "outbox"
    files = sorted(path for path in outbox.iterdir() if not path.name.startswith("."))
    assert [path.suffix for path in files] == [".eml", ".eml"]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assigned, commented = [parse_mail(path.read_bytes()) for path in files]
    sender = "Task Desk <desk@example.org>"
    body = check_mail(assigned, kind="task_assigned", task_id=task["task_id"], sender=sender)
    assert "assigned" in body
    body = check_mail(commented, kind="comment_added", task_id=task["task_id"], sender=sender)
    assert "Le café est prêt ☕" in body
    # Recorded once: the files are named by the delivery id, and nothing else was written.
    assert [path.name for path in files] == [str(m["X-Taskwire-Delivery"]) + ".eml" for m in (assigned, commented)]
    # An email-only user has no inbox; the actor heard nothing.
    assert ann.notifications.list()["total"] == 0


class SendmailStandIn:
    """A script standing in for sendmail: it stores its argv and stdin (one pair of files per run), fails
    with ``fail_first`` exit statuses on a delivery's first runs, and reports each run over a local
    socket, which is the test's signal."""

    def __init__(self, directory: Path, fail_first: int = 0, status: int = 75) -> None:
        self.directory = directory
        self.runs = directory / "runs"
        self.runs.mkdir(parents=True)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.reports: "queue.Queue[Tuple[str, int]]" = queue.Queue()
        self.script = directory / "sendmail-stand-in"
        self.script.write_text(
            "#!%s\n" % sys.executable
            + "import json, os, socket, sys\n"
            + "runs = %r\n" % str(self.runs)
            + "delivery = os.environ['TASKWIRE_DELIVERY_ID']\n"
            + "earlier = len([n for n in os.listdir(runs) if n.startswith(delivery) and n.endswith('.args')])\n"
            + "stem = os.path.join(runs, '%s.%d' % (delivery, earlier))\n"
            + "open(stem + '.args', 'w').write(json.dumps(sys.argv[1:]))\n"
            + "open(stem + '.eml', 'wb').write(sys.stdin.buffer.read())\n"
            + "status = %d if earlier < %d else 0\n" % (status, fail_first)
            + "if status: sys.stderr.write('relay down\\n')\n"
            + "with socket.create_connection(('127.0.0.1', %d)) as s:\n" % self.listener.getsockname()[1]
            + "    s.sendall(('%s %d' % (delivery, status)).encode())\n"
            + "sys.exit(status)\n"
        )
        self.script.chmod(0o755)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                delivery, status = connection.recv(1024).decode().split()
                self.reports.put((delivery, int(status)))

    def next(self) -> Tuple[str, int]:
        try:
            return self.reports.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError("the sendmail stand-in did not run within %.0f s" % WAIT) from None

    def run(self, delivery: str, index: int) -> Tuple[List[str], bytes]:
        stem = self.runs / ("%s.%d" % (delivery, index))
        return json.loads(Path(str(stem) + ".args").read_text()), Path(str(stem) + ".eml").read_bytes()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[Any]:
    made: List[SendmailStandIn] = []

    def build(**options: Any) -> SendmailStandIn:
        made.append(SendmailStandIn(tmp_path / ("sendmail%d" % len(made)), **options))
        return made[-1]

    yield build
    for one in made:
        one.close()


def test_sendmail_gets_one_message_per_recipient_and_event(deploy: Any, stand_in: Any) -> None:
    sendmail = stand_in()
    site = deploy({"ann": "admin", "bob": "member", "cat": "member"})
    admin = site.start("--sendmail", "%s -t -i" % sendmail.script)
    people(admin, ann_role="admin")
    for user in ["bob", "cat"]:
        admin.notifications.configure(
            user_id=user, events=["task_assigned", "comment_added"], channels=["email"],
            recipients=["assignee", "watchers"])
    ann = site.connect("ann")
    task = ann.tasks.create(title=TITLE, assignee="bob")
    ann.tasks.watch(task_id=task["task_id"], user_id="cat")
    ann.tasks.watch(task_id=task["task_id"], user_id="bob")
    ann.tasks.comments.add(task_id=task["task_id"], text="Voilà")
    # bob: the assignment and the comment (assignee and watcher: one message); cat: the comment.
    reports = [sendmail.next() for _ in range(3)]
    assert all(status == 0 for _, status in reports)
    deliveries = [delivery for delivery, _ in reports]
    assert len(set(deliveries)) == 3
    messages = []
    for delivery in deliveries:
        argv, raw = sendmail.run(delivery, 0)
        assert argv == ["-t", "-i"]
        assert b"\r\n" not in raw  # a sendmail command reads LF line endings
        messages.append(parse_mail(raw))
    to = sorted((m["To"].addresses[0].addr_spec, str(m["X-Taskwire-Event"])) for m in messages)
    assert to == [("bob@example.com", "comment_added"), ("bob@example.com", "task_assigned"),
                  ("cat@example.com", "comment_added")]
    bob_assigned = next(m for m in messages if str(m["X-Taskwire-Event"]) == "task_assigned")
    assert bob_assigned["From"].addresses[0].addr_spec.startswith("taskwire@")
    assert TITLE in str(bob_assigned["Subject"]) and "Ann Lee" in str(bob_assigned["Subject"])
    assert task["task_id"] in bob_assigned.get_content()
    # A later email (cat's assignment) runs after every earlier one: nothing was sent twice or more.
    ann.tasks.create(title="marker", assignee="cat")
    marker, status = sendmail.next()
    assert status == 0 and marker not in deliveries
    assert sorted(p.name for p in sendmail.runs.iterdir()) == sorted(
        "%s.0.%s" % (d, ext) for d in deliveries + [marker] for ext in ("args", "eml"))


@pytest.mark.skipif(not on_postgres(), reason="two servers share data only on PostgreSQL")
def test_two_servers_on_one_database_send_each_email_and_webhook_once(
    deploy: Any, stand_in: Any, receiver: Receiver
) -> None:
    sendmail = stand_in()
    site = deploy({"ann": "member", "bob": "member", "cat": "member"})
    mail = ("--sendmail", "%s -t -i" % sendmail.script)
    admin = site.start(*mail)
    read_node = site.start_another(*mail)
    people(admin)
    bob = site.connect("bob", read_node)
    configured = bob.notifications.configure(
        events=["task_assigned", "comment_added"], channels=["email", "webhook"], recipients=["assignee"],
        webhook={"url": receiver.url("bob")})
    receiver.secrets["bob"] = configured["webhook_secret"]
    admin.notifications.configure(user_id="cat", events=["task_assigned"], channels=["email"])
    # Writes on both nodes: the writer delivers, whichever node took the write.
    writer_ann, reader_ann = site.connect("ann"), site.connect("ann", read_node)
    for index in range(4):
        ann = writer_ann if index % 2 else reader_ann
        task = ann.tasks.create(title="%s %d" % (TITLE, index), assignee="bob")
        ann.tasks.comments.add(task_id=task["task_id"], text="note %d" % index)
    emails = [sendmail.next() for _ in range(8)]
    hooks = [receiver.next() for _ in range(8)]
    assert all(status == 0 for _, status in emails)
    assert len({delivery for delivery, _ in emails}) == 8
    assert len({hook["headers"]["x-taskwire-delivery"] for hook in hooks}) == 8 and all(h["signed"] for h in hooks)
    # A later email runs after every earlier one: no node sent anything twice.
    reader_ann.tasks.create(title="marker", assignee="cat")
    marker, status = sendmail.next()
    assert status == 0 and marker not in {delivery for delivery, _ in emails}
    assert all(name.split(".")[1] == "0" for name in (p.name for p in sendmail.runs.iterdir()))
    assert receiver.requests.empty()


def test_a_temporary_sendmail_failure_is_retried_with_the_same_delivery(deploy: Any, stand_in: Any) -> None:
    sendmail = stand_in(fail_first=2, status=75)
    site = deploy({"ann": "member", "bob": "member"})
    admin = site.start("--sendmail", "%s -t -i" % sendmail.script, *SHORT_RETRY)
    people(admin)
    admin.notifications.configure(user_id="bob", channels=["in_app", "email"])
    ann = site.connect("ann")
    bob = site.connect("bob")
    task = ann.tasks.create(title=TITLE, assignee="bob")
    runs = [sendmail.next() for _ in range(3)]
    assert [status for _, status in runs] == [75, 75, 0]
    assert len({delivery for delivery, _ in runs}) == 1
    delivery = runs[0][0]
    first, last = parse_mail(sendmail.run(delivery, 0)[1]), parse_mail(sendmail.run(delivery, 2)[1])
    assert first["Message-ID"] == last["Message-ID"] and first.get_content() == last.get_content()
    check_mail(last, kind="task_assigned", task_id=task["task_id"], sender=str(last["From"]))
    # The worker records an outcome before it attempts the next delivery: once the comment's email is tried,
    # the assignment's success is in the journal and the inbox shows it.
    ann.tasks.comments.add(task_id=task["task_id"], text="and one more")
    assert sendmail.next()[1] == 75
    inbox = bob.notifications.list()["notifications"]
    assigned = next(n for n in inbox if n["type"] == "task_assigned")
    assert assigned["deliveries"] == {"email": "delivered"}


def test_an_in_memory_server_gives_emails_up_and_says_why(
    taskwire_bin: str, server_log: Any, receiver: Receiver
) -> None:
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    admin = taskwire.Client.spawn(
        taskwire_bin, args=["--in-memory", "--stdio", "--socket", path], stderr=server_log, timeout=WAIT)
    bob: Optional[taskwire.Client] = None
    try:
        people(admin)
        admin.users.upsert(user_id="zed", name="Zed", role="member")
        sentinel(admin, receiver)
        bob = taskwire.Client.connect_unix(path, timeout=WAIT)
        bob.auth.login(token=admin.auth.tokens.create(user_id="bob")["token"])
        bob.notifications.configure(channels=["in_app", "email"])
        admin.tasks.create(title=TITLE, assignee="bob", description="cc @zed")
        receiver.next()  # zed's webhook: bob's email was attempted and its outcome recorded before it
        assert [n["deliveries"] for n in bob.notifications.list()["notifications"]] == [{"email": "failed"}]
    finally:
        if bob is not None:
            bob.close()
        admin.close()
        shutil.rmtree(short, ignore_errors=True)
    server_log.flush()
    log = Path(server_log.name).read_text(errors="replace")
    assert "delivery given up" in log and "--in-memory" in log


# MARK: webhook


def test_a_webhook_is_signed_and_a_500_is_retried_with_the_same_delivery_id(
    deploy: Any, receiver: Receiver, taskwire_bin: str
) -> None:
    receiver.answers = [500, 200]
    site = deploy({"ann": "member", "bob": "member"})
    admin = site.start(*SHORT_RETRY)
    people(admin)
    bob = site.connect("bob")
    configured = bob.notifications.configure(channels=["in_app", "webhook"], webhook={"url": receiver.url("bob")})
    receiver.secrets["bob"] = configured["webhook_secret"]
    assert configured["config"]["webhook"] == {"url": receiver.url("bob"), "secret_set": True}
    ann = site.connect("ann")
    task = ann.tasks.create(title=TITLE, assignee="bob")
    first, second = receiver.next(), receiver.next()
    assert [first["status"], second["status"]] == [500, 200]
    assert first["signed"] and second["signed"]
    assert first["body"] == second["body"]
    delivery = first["headers"]["x-taskwire-delivery"]
    assert second["headers"]["x-taskwire-delivery"] == delivery and delivery.endswith("_webhook")
    assert first["headers"]["x-taskwire-event"] == "task_assigned"
    assert first["headers"]["content-type"] == "application/json"
    version = subprocess.run([taskwire_bin, "--version"], capture_output=True, timeout=WAIT).stdout.decode().split()[1]
    assert first["headers"]["user-agent"] == "taskwire/" + version
    body = first["json"]
    assert set(body) == {"delivery_id", "event_type", "event_id", "occurred_at", "notification"}
    assert body["delivery_id"] == delivery and body["event_type"] == "task_assigned"
    notification = body["notification"]
    assert notification["task_id"] == task["task_id"] and notification["task_title"] == TITLE
    assert notification["actor"]["user_id"] == "ann" and notification["roles"] == ["assignee"]
    assert notification == bob.notifications.list()["notifications"][0] | {
        "deliveries": notification["deliveries"]}
    # The signature covers the exact body under this secret only.
    tampered = first["body"].replace(b"ann", b"eve", 1)
    assert "sha256=" + hmac.new(configured["webhook_secret"].encode(), tampered, hashlib.sha256).hexdigest() != (
        first["headers"]["x-taskwire-signature"])


def test_pending_and_failing_deliveries_survive_a_sigkill(deploy: Any, receiver: Receiver) -> None:
    receiver.answers = [503]
    site = deploy({"ann": "member", "bob": "member", "cat": "member"})
    admin = site.start(*SHORT_RETRY)
    people(admin)
    for user in ["bob", "cat"]:
        configured = admin.notifications.configure(
            user_id=user, events=["task_assigned", "comment_added"], channels=["webhook", "email"],
            recipients=["assignee", "watchers"], webhook={"url": receiver.url(user)})
        receiver.secrets[user] = configured["webhook_secret"]
    ann = site.connect("ann")
    made = []
    for n in range(3):
        task = ann.tasks.create(title="%s #%d" % (TITLE, n), assignee="bob" if n % 2 == 0 else "cat")
        ann.tasks.comments.add(task_id=task["task_id"], text="ping %d" % n)
        made.append(task["task_id"])
    # Six webhook deliveries; wait until each was answered 503 at least once, then kill the server.
    failing: Dict[str, int] = {}
    while len(failing) < 6:
        request = receiver.next()
        assert request["status"] == 503 and request["signed"]
        delivery = request["headers"]["x-taskwire-delivery"]
        failing[delivery] = failing.get(delivery, 0) + 1
    site.kill()
    while not receiver.requests.empty():  # attempts that were under way at the kill
        receiver.requests.get_nowait()
    outbox = site.data_dir / "outbox"
    emails_before = {p.name for p in outbox.iterdir() if not p.name.startswith(".")} if outbox.exists() else set()
    receiver.answer_from_now(200)
    admin = site.start(*SHORT_RETRY)
    ann = site.connect("ann")
    # A marker delivery after all the others: once it is answered, every earlier one was attempted.
    admin.users.upsert(user_id="zed", name="Zed", role="member")
    sentinel(admin, receiver)
    ann.tasks.create(title="marker", description="for @zed")
    answered: Dict[str, int] = {}
    for request in receiver.until(lambda r: r["user"] == "zed"):
        assert request["signed"]
        if request["status"] != 200:
            continue  # an attempt answered 503 just before the answers changed
        if request["user"] != "zed":
            delivery = request["headers"]["x-taskwire-delivery"]
            answered[delivery] = answered.get(delivery, 0) + 1
    assert answered == {delivery: 1 for delivery in failing}
    # The emails were written once each, before or after the kill, and never twice.
    emails = {p.name for p in outbox.iterdir() if not p.name.startswith(".")}
    assert emails >= emails_before and len(emails) == 6
    assert {name[: -len("_email.eml")] for name in emails} == {d[: -len("_webhook")] for d in failing}


# MARK: who receives what


EVENTS = ["task_created", "task_assigned", "task_updated", "task_completed", "comment_added"]
ROLES = ["assignee", "watchers", "creator", "mentioned"]


@pytest.mark.parametrize("transport", ["stdio", "socket"])
def test_each_event_reaches_exactly_the_configured_recipients(
    deploy: Any, receiver: Receiver, transport: str
) -> None:
    users = {"ann": "admin", "bob": "member", "cat": "member", "dan": "member", "eve": "member",
             "fay": "member", "zed": "member"}
    site = deploy(users)
    stdio = site.start(*SHORT_RETRY, stdio_user="ann" if transport == "stdio" else "system")
    ann = stdio if transport == "stdio" else site.connect("ann")
    configs = {
        "ann": {"events": EVENTS, "recipients": ROLES},  # the actor of every change: hears nothing
        "bob": {"events": EVENTS, "recipients": ROLES},  # assignee and watcher: one notification each time
        "cat": {"events": EVENTS, "recipients": ROLES},  # watcher, mentioned in the comment
        "dan": {"events": ["task_updated", "task_completed"], "recipients": ROLES},  # creator, no comments
        "eve": {"events": EVENTS, "recipients": ["mentioned"]},  # mentioned in the description
        "fay": {"events": EVENTS, "recipients": ["assignee"]},  # a watcher who only wants assignments
    }
    for user, config in configs.items():
        configured = ann.notifications.configure(
            user_id=user, channels=["in_app", "webhook"], webhook={"url": receiver.url(user)}, **config)
        receiver.secrets[user] = configured["webhook_secret"]
    sentinel(ann, receiver)
    bob = site.connect("bob")
    with bob.notifications([PUSHED]) as pushed:
        task = site.connect("dan").tasks.create(title=TITLE, assignee="bob", description="Ask @eve")
        assert pushed.get(timeout=WAIT).params["notification"]["type"] == "task_assigned"
    task_id = task["task_id"]
    for user in ["bob", "cat", "fay"]:
        ann.tasks.watch(task_id=task_id, user_id=user)
    ann.tasks.update(task_id=task_id, priority="high", status="in_progress")
    ann.tasks.comments.add(task_id=task_id, text="@cat can you look?")
    ann.tasks.complete(task_id=task_id)
    ann.tasks.create(title="marker", description="for @zed")
    expected = {
        "bob": [("task_assigned", ["assignee"]), ("task_updated", ["assignee", "watchers"]),
                ("comment_added", ["assignee", "watchers"]), ("task_completed", ["assignee", "watchers"])],
        "cat": [("task_updated", ["watchers"]), ("comment_added", ["watchers", "mentioned"]),
                ("task_completed", ["watchers"])],
        "dan": [("task_updated", ["creator"]), ("task_completed", ["creator"])],
        "eve": [("task_created", ["mentioned"]), ("task_updated", ["mentioned"]),
                ("comment_added", ["mentioned"]), ("task_completed", ["mentioned"])],
        "ann": [],
        "fay": [],
    }
    # in_app: every inbox is complete once the writes are answered (newest first).
    for user, wanted in expected.items():
        client = ann if user == "ann" else site.connect(user)
        listed = client.notifications.list()["notifications"]
        assert [(n["type"], n["roles"]) for n in reversed(listed)] == wanted, user
        assert all(n["task_id"] == task_id and n["actor"]["user_id"] != user for n in listed)
    # webhook: the same notifications, each once, before the marker's.
    got: Dict[str, List[Tuple[str, List[str]]]] = {user: [] for user in expected}
    ids = []
    for request in receiver.until(lambda r: r["user"] == "zed" and "marker" in r["json"]["notification"]["task_title"]):
        assert request["status"] == 200 and request["signed"]
        if request["user"] == "zed":
            continue
        notification = request["json"]["notification"]
        got[request["user"]].append((notification["type"], notification["roles"]))
        ids.append(request["headers"]["x-taskwire-delivery"])
    assert got == expected
    assert len(ids) == len(set(ids))


def test_an_outbox_that_cannot_be_written_is_retried_after_a_restart(deploy: Any, receiver: Receiver) -> None:
    site = deploy({"ann": "member", "bob": "member", "zed": "member"})
    site.data_dir.mkdir(parents=True, exist_ok=True)
    outbox = site.data_dir / "outbox"
    outbox.write_text("a file where the outbox folder belongs\n")
    admin = site.start(*SHORT_RETRY)
    people(admin)
    admin.notifications.configure(user_id="bob", channels=["in_app", "email"])
    sentinel(admin, receiver)
    ann = site.connect("ann")
    task = ann.tasks.create(title=TITLE, assignee="bob", description="cc @zed")
    # zed's webhook comes after bob's first attempt, which failed: the outbox path is a file.
    receiver.next()
    bob = site.connect("bob")
    assert [n["deliveries"] for n in bob.notifications.list()["notifications"]] == [{"email": "pending"}]
    site.kill()
    outbox.unlink()
    admin = site.start()
    ann = site.connect("ann")
    ann.tasks.create(title="marker", description="for @zed")
    receiver.until(lambda request: request["json"]["notification"]["task_title"] == "marker")
    files = [path for path in outbox.iterdir() if not path.name.startswith(".")]
    assert len(files) == 1
    check_mail(parse_mail(files[0].read_bytes()), kind="task_assigned", task_id=task["task_id"],
               sender=str(parse_mail(files[0].read_bytes())["From"]))
    bob = site.connect("bob")
    assert [n["deliveries"] for n in bob.notifications.list()["notifications"]] == [{"email": "delivered"}]
