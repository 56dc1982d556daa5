"""taskwire as an MCP server (docs/mcp.md): the official MCP Python SDK, unmodified, spawning the real binary over
stdio through its own stdio client, and raw JSON for what the SDK hides (discovery, -32022, `_meta`, pagination,
cancellation, authentication on a socket).

The SDK tests need the `mcp` package; `scripts/test` runs this file once with the interpreter of a private venv
holding `mcp` 2.x (which speaks the stateless 2026-07-28 revision) and once with one holding the last 1.x
release (which speaks only `initialize`). Without `mcp` they are skipped and the raw tests still run.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import jsonschema
import pytest

from conftest import WAIT

try:
    MCP_VERSION: Optional[str] = metadata.version("mcp")
except metadata.PackageNotFoundError:
    MCP_VERSION = None

needs_sdk = pytest.mark.skipif(
    MCP_VERSION is None, reason="the MCP SDK is not installed here; scripts/test runs this file in each SDK's venv"
)

STATELESS = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": STATELESS,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": {"name": "raw-test", "version": "1"},
}
#: Methods of the schema that are deliberately not tools (docs/mcp.md).
NOT_TOOLS = {"rpc.discover", "ping", "auth.login", "events.subscribe", "events.unsubscribe"}


def schema_methods() -> List[str]:
    document = json.loads((Path(__file__).resolve().parents[3] / "schema" / "openrpc.json").read_text())
    return [method["name"] for method in document["methods"]]


# ---------------------------------------------------------------------------------------------------------------
# The SDK, unmodified, over its own stdio client.


class SDKSession:
    """The same few operations over either SDK line: 2.x's `Client` (discover first) or 1.x's `ClientSession`."""

    def __init__(self, session: Any, protocol_version: str) -> None:
        self.session = session
        self.protocol_version = protocol_version

    async def tools(self) -> List[Any]:
        tools: List[Any] = []
        cursor = None
        while True:
            if MAJOR >= 2:
                page = await self.session.list_tools(cursor=cursor)
            else:
                from mcp import types

                page = await self.session.list_tools(params=types.PaginatedRequestParams(cursor=cursor))
            tools += page.tools
            cursor = page.next_cursor if MAJOR >= 2 else page.nextCursor
            if cursor is None:
                return tools

    async def call(self, name: str, arguments: Dict[str, Any]) -> Tuple[bool, Any, str]:
        result = await self.session.call_tool(name, arguments)
        if MAJOR >= 2:
            return bool(result.is_error), result.structured_content, result.content[0].text
        return bool(result.isError), result.structuredContent, result.content[0].text


MAJOR = int(MCP_VERSION.split(".")[0]) if MCP_VERSION else 0


def run_with_sdk(taskwire_bin: str, data_dir: Path, scenario: Any) -> Any:
    """Runs `scenario(session)` against a taskwire the SDK spawns over stdio."""
    import anyio
    from mcp import StdioServerParameters

    params = StdioServerParameters(command=taskwire_bin, args=["--data-dir", str(data_dir), "--log-level", "error"])

    async def main() -> Any:
        if MAJOR >= 2:
            from mcp import Client

            async with Client(params) as client:
                return await scenario(SDKSession(client, client.protocol_version))
        from mcp import ClientSession
        from mcp.client.stdio import stdio_client

        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                initialized = await session.initialize()
                return await scenario(SDKSession(session, initialized.protocolVersion))

    return anyio.run(main)


@needs_sdk
def test_the_sdk_negotiates_its_newest_era(taskwire_bin: str, tmp_path: Path) -> None:
    async def scenario(session: SDKSession) -> str:
        return session.protocol_version

    version = run_with_sdk(taskwire_bin, tmp_path / "data", scenario)
    # 2.x probes server/discover and stays stateless; 1.x knows only initialize.
    assert version == (STATELESS if MAJOR >= 2 else "2025-11-25")


@needs_sdk
def test_the_sdk_lists_one_tool_per_user_facing_method(taskwire_bin: str, tmp_path: Path) -> None:
    async def scenario(session: SDKSession) -> List[Any]:
        return await session.tools()

    tools = run_with_sdk(taskwire_bin, tmp_path / "data", scenario)
    names = [tool.name for tool in tools]
    expected = sorted(name.replace(".", "_") for name in schema_methods() if name not in NOT_TOOLS)
    assert names == expected
    by_name = {tool.name: tool for tool in tools}
    create = by_name["tasks_create"]
    schema = create.input_schema if MAJOR >= 2 else create.inputSchema
    assert schema["type"] == "object" and schema["required"] == ["title"]
    annotations = create.annotations
    read_only = annotations.read_only_hint if MAJOR >= 2 else annotations.readOnlyHint
    assert read_only is False
    deleting = by_name["tasks_delete"].annotations
    assert (deleting.destructive_hint if MAJOR >= 2 else deleting.destructiveHint) is True
    status = by_name["workflows_status"].annotations
    assert (status.read_only_hint if MAJOR >= 2 else status.readOnlyHint) is True


@needs_sdk
def test_the_sdk_creates_completes_and_reads_a_workflow(taskwire_bin: str, tmp_path: Path) -> None:
    async def scenario(session: SDKSession) -> Dict[str, Any]:
        # call_tool validates every structuredContent against the tool's outputSchema.
        failed, task, text = await session.call("tasks_create", {"title": "Call the customer", "priority": "high"})
        assert not failed and json.loads(text) == task
        failed, _, _ = await session.call("tasks_update", {"task_id": task["task_id"], "status": "in_progress"})
        assert not failed
        failed, completed, _ = await session.call("tasks_complete", {"task_id": task["task_id"]})
        assert not failed and completed["status"] == "completed"
        failed, workflow, _ = await session.call(
            "workflows_create",
            {
                "name": "Onboarding",
                "steps": [{"name": "Account"}, {"name": "Training", "depends_on": ["Account"]}],
            },
        )
        assert not failed
        failed, status, _ = await session.call("workflows_status", {"workflow_id": workflow["workflow_id"]})
        assert not failed
        failed, got, _ = await session.call("tasks_get", {"task_id": task["task_id"]})
        return {"task": got, "status": status, "workflow": workflow}

    seen = run_with_sdk(taskwire_bin, tmp_path / "data", scenario)
    assert seen["task"]["status"] == "completed" and seen["task"]["completed_by"] == "system"
    assert seen["status"]["workflow_id"] == seen["workflow"]["workflow_id"]
    assert seen["status"]["total_steps"] == 2 and seen["status"]["completed_steps"] == 0


@needs_sdk
def test_the_sdk_gets_is_error_for_a_missing_task(taskwire_bin: str, tmp_path: Path) -> None:
    async def scenario(session: SDKSession) -> Tuple[bool, Any, str]:
        return await session.call("tasks_get", {"task_id": "tsk_0000000000000"})

    failed, structured, text = run_with_sdk(taskwire_bin, tmp_path / "data", scenario)
    assert failed is True and structured is None
    assert "404" in text and "task_not_found" in text and "tsk_0000000000000" in text


@needs_sdk
def test_the_sdk_sees_an_unknown_tool_as_a_protocol_error(taskwire_bin: str, tmp_path: Path) -> None:
    async def scenario(session: SDKSession) -> Any:
        try:
            return await session.call("tasks_frobnicate", {})
        except Exception as error:  # the SDK raises its own error type for a JSON-RPC error
            return error

    outcome = run_with_sdk(taskwire_bin, tmp_path / "data", scenario)
    assert isinstance(outcome, Exception) and "Unknown tool" in str(outcome)


# ---------------------------------------------------------------------------------------------------------------
# Raw JSON over stdio and a socket.


class Raw:
    """NDJSON over a spawned server's stdio or a socket, one message at a time, with full control of ids."""

    def __init__(self, reader: Any, writer: Any) -> None:
        self.reader = reader
        self.writer = writer

    def send(self, *messages: Dict[str, Any]) -> None:
        # One write: the server reads both lines together when a test sends two.
        self.writer.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
        self.writer.flush()

    def receive(self) -> Dict[str, Any]:
        line = self.reader.readline()
        assert line, "the server closed the connection"
        return json.loads(line)

    def request(self, id: Any, method: str, params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        message: Dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        reply = self.receive()
        assert reply.get("id") == id, reply
        return reply


@pytest.fixture
def raw(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Raw]:
    process = subprocess.Popen(
        [taskwire_bin, "--data-dir", str(tmp_path / "data")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=server_log,
    )
    try:
        yield Raw(process.stdout, process.stdin)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=WAIT) == 0


def test_discover_answers_at_once_with_every_stateless_field(raw: Raw) -> None:
    result = raw.request("d1", "server/discover", {"_meta": META})["result"]
    assert result["resultType"] == "complete"
    assert result["supportedVersions"] == [STATELESS]
    assert result["capabilities"]["tools"] == {"listChanged": False}
    assert result["ttlMs"] > 0 and result["cacheScope"] == "public"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "taskwire"


@pytest.mark.parametrize("method", ["server/discover", "tools/list", "tools/call"])
def test_an_unsupported_version_is_minus_32022_with_both_lists(raw: Raw, method: str) -> None:
    meta = dict(META, **{"io.modelcontextprotocol/protocolVersion": "1900-01-01"})
    params: Dict[str, Any] = {"_meta": meta}
    if method == "tools/call":
        params.update(name="tasks_list", arguments={})
    error = raw.request(1, method, params)["error"]
    assert error["code"] == -32022
    assert error["data"]["requested"] == "1900-01-01"
    assert STATELESS in error["data"]["supported"] and "2025-11-25" in error["data"]["supported"]


def test_a_request_without_its_meta_is_invalid_params_until_initialize(raw: Raw) -> None:
    error = raw.request(1, "tools/list", {})["error"]
    assert error["code"] == -32602 and error["data"]["field"] == "_meta"
    missing = {"_meta": {"io.modelcontextprotocol/protocolVersion": STATELESS}}
    assert raw.request(2, "tools/list", missing)["error"]["code"] == -32602
    initialized = raw.request(3, "initialize", {"protocolVersion": "2025-03-26", "capabilities": {}})["result"]
    assert initialized["protocolVersion"] == "2025-03-26"
    raw.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    listed = raw.request(4, "tools/list")["result"]
    assert "resultType" not in listed and listed["tools"]
    # A stateless request still works on the same connection: both eras are served side by side.
    assert raw.request(5, "tools/list", {"_meta": META})["result"]["resultType"] == "complete"
    assert raw.request(6, "ping")["result"] == {}


def test_tools_list_is_deterministic_and_refuses_a_foreign_cursor(raw: Raw) -> None:
    first = raw.request(1, "tools/list", {"_meta": META})["result"]
    second = raw.request(2, "tools/list", {"_meta": META})["result"]
    assert first["tools"] == second["tools"]
    # Every tool of today's schema fits on one page.
    assert "nextCursor" not in first
    for cursor in ["", "bogus", "t1.00"]:
        error = raw.request(3, "tools/list", {"cursor": cursor, "_meta": META})["error"]
        assert error["code"] == -32602 and error["data"]["error"] == "invalid_cursor"


def test_every_tool_schema_is_a_valid_json_schema_and_results_validate(raw: Raw) -> None:
    tools = raw.request(1, "tools/list", {"_meta": META})["result"]["tools"]
    for tool in tools:
        for key in ("inputSchema", "outputSchema"):
            # Checked standalone, as a host does: a $ref that did not resolve inside would fail validation below.
            jsonschema.Draft202012Validator.check_schema(tool[key])
            assert tool[key]["type"] == "object", tool["name"]
    by_name = {tool["name"]: tool for tool in tools}
    ids = iter(range(100, 1000))

    def call(name: str, arguments: Dict[str, Any]) -> Any:
        jsonschema.Draft202012Validator(by_name[name]["inputSchema"]).validate(arguments)
        params = {"name": name, "arguments": arguments, "_meta": META}
        result = raw.request(next(ids), "tools/call", params)["result"]
        assert result["isError"] is False, result
        # What the SDKs check on every call: the structured result against the tool's outputSchema.
        jsonschema.Draft202012Validator(by_name[name]["outputSchema"]).validate(result["structuredContent"])
        assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
        return result["structuredContent"]

    task = call("tasks_create", {"title": "A", "due_date": "2030-01-01T00:00:00Z", "tags": ["x"], "assignee": "u1"})
    tid = task["task_id"]
    call("tasks_get", {"task_id": tid})
    call("tasks_update", {"task_id": tid, "status": "in_progress", "progress": 10})
    call("tasks_list", {"q": "A"})
    call("tasks_history", {"task_id": tid})
    call("tasks_comments_add", {"task_id": tid, "text": "hi @u1", "mentions": ["u1"]})
    call("tasks_comments_list", {"task_id": tid})
    upload = {"task_id": tid, "filename": "a.txt", "content_base64": "aGVsbG8=", "mime_type": "text/plain"}
    attachment = call("tasks_attachments_upload", upload)["attachment_id"]
    call("tasks_attachments_list", {"task_id": tid})
    call("tasks_attachments_get", {"attachment_id": attachment})
    call("tasks_attachments_delete", {"attachment_id": attachment})
    call("tasks_watch", {"task_id": tid})
    call("tasks_unwatch", {"task_id": tid})
    template = call("templates_create", {"name": "T", "description_template": "Issue {{issue_id}}", "checklist": ["a"]})
    tpl = template["template_id"]
    call("templates_get", {"template_id": tpl})
    call("templates_list", {})
    call("templates_update", {"template_id": tpl, "name": "T2"})
    from_template = call("tasks_create_from_template", {"template_id": tpl, "variables": {"issue_id": "#1"}})
    steps = [{"name": "s1", "duration_hours": 1}, {"name": "s2", "depends_on": ["s1"]}]
    wf = call("workflows_create", {"name": "W", "steps": steps})["workflow_id"]
    call("workflows_get", {"workflow_id": wf})
    call("workflows_status", {"workflow_id": wf})
    call("workflows_list", {})
    call("workflows_update", {"workflow_id": wf, "add_steps": [{"name": "s3", "depends_on": ["s2"]}]})
    call("workflows_cancel", {"workflow_id": wf})
    trigger = {"type": "conversation_tag", "value": "urgent"}
    action = {"type": "create_task", "template": tpl, "priority": "critical"}
    automation = call("automations_create", {"name": "Au", "trigger": trigger, "action": action})["automation_id"]
    call("automations_get", {"automation_id": automation})
    call("automations_list", {})
    call("events_publish", {"type": "conversation_tag", "value": "urgent", "context": {"conversation_id": "c1"}})
    call("automations_update", {"automation_id": automation, "enabled": False})
    call("automations_delete", {"automation_id": automation})
    call("users_upsert", {"user_id": "u1", "name": "U", "role": "member"})
    call("users_get", {"user_id": "u1"})
    call("users_list", {})
    token = call("auth_tokens_create", {"user_id": "u1", "label": "l"})["token_id"]
    call("auth_tokens_list", {})
    call("auth_tokens_revoke", {"token_id": token})
    call("auth_whoami", {})
    call("server_info", {})
    call("events_since", {})
    call("tasks_update", {"task_id": from_template["task_id"], "status": "in_progress"})
    call("tasks_complete", {"task_id": from_template["task_id"], "resolution": "done"})
    call("templates_delete", {"template_id": tpl})
    call("tasks_delete", {"task_id": tid})


def test_notifications_cancelled_stops_a_call_before_it_writes(raw: Raw) -> None:
    call = {
        "jsonrpc": "2.0",
        "id": "c1",
        "method": "tools/call",
        "params": {"name": "tasks_create", "arguments": {"title": "never"}, "_meta": META},
    }
    cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "c1", "reason": "user"}}
    raw.send(call, cancel)
    reply = raw.receive()
    assert reply["id"] == "c1" and reply["error"]["code"] == -32800
    listed = raw.request(2, "tools/call", {"name": "tasks_list", "arguments": {}, "_meta": META})["result"]
    assert listed["structuredContent"]["total"] == 0
    # Unknown and malformed cancellations are ignored.
    raw.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 999}})
    raw.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {}})
    assert raw.request(3, "ping")["result"] == {}


def test_a_domain_error_names_its_code_and_details(raw: Raw) -> None:
    result = raw.request(
        1, "tools/call", {"name": "tasks_update", "arguments": {"task_id": "tsk_0000000000000"}, "_meta": META}
    )["result"]
    assert result["isError"] is True and "structuredContent" not in result
    assert "task_not_found" in result["content"][0]["text"]
    malformed = raw.request(2, "tools/call", {"name": "tasks_list", "arguments": [1], "_meta": META})["error"]
    assert malformed["code"] == -32602 and malformed["data"]["field"] == "arguments"


@pytest.fixture
def socket_server(taskwire_bin: str, tmp_path: Path, server_log: Any) -> Iterator[Dict[str, Any]]:
    """A server on stdio and a socket, with a member's token made by the CLI."""
    data_dir = tmp_path / "data"
    made = subprocess.run(
        [taskwire_bin, "token", "create", "--user", "ann", "--role", "member", "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=WAIT,
        check=True,
    )
    token = made.stdout.decode().strip()
    short = Path(tempfile.mkdtemp(prefix="tw-"))
    path = str(short / "s.sock")
    process = subprocess.Popen(
        [taskwire_bin, "--data-dir", str(data_dir), "--stdio", "--socket", path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=server_log,
    )
    stdio = Raw(process.stdout, process.stdin)
    # The socket is bound before stdio is served, so one stdio answer means the socket is listening.
    assert stdio.request(0, "ping")["result"] == {}
    sockets: List[socket.socket] = []

    def connect() -> Raw:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(WAIT)
        connection.connect(path)
        sockets.append(connection)
        return Raw(connection.makefile("rb"), connection.makefile("wb"))

    try:
        yield {"connect": connect, "token": token}
    finally:
        for connection in sockets:
            connection.close()
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=WAIT)
        shutil.rmtree(short, ignore_errors=True)


def test_a_socket_client_lists_but_must_authenticate_to_call(socket_server: Dict[str, Any]) -> None:
    client = socket_server["connect"]()
    assert client.request(1, "server/discover", {"_meta": META})["result"]["resultType"] == "complete"
    assert client.request(2, "tools/list", {"_meta": META})["result"]["tools"]
    refused = client.request(3, "tools/call", {"name": "tasks_list", "arguments": {}, "_meta": META})["error"]
    assert refused["code"] == 401 and refused["data"]["error"] == "unauthorized"
    bad = dict(META, **{"dev.taskwire/token": "tw_not_a_token"})
    assert client.request(4, "tools/call", {"name": "tasks_list", "_meta": bad})["error"]["code"] == 401
    meta = dict(META, **{"dev.taskwire/token": socket_server["token"]})
    created = client.request(5, "tools/call", {"name": "tasks_create", "arguments": {"title": "Mine"}, "_meta": meta})
    assert created["result"]["structuredContent"]["created_by"] == "ann"
    # The token logged the connection in, as auth.login does.
    whoami = client.request(6, "tools/call", {"name": "auth_whoami", "_meta": META})["result"]["structuredContent"]
    assert whoami["user_id"] == "ann" and whoami["authenticated_via"] == "token"


def test_a_socket_session_logs_in_through_initialize_or_auth_login(socket_server: Dict[str, Any]) -> None:
    client = socket_server["connect"]()
    meta = {"dev.taskwire/token": socket_server["token"]}
    params = {"protocolVersion": "2025-11-25", "capabilities": {}, "_meta": meta}
    assert client.request(1, "initialize", params)["result"]["protocolVersion"] == "2025-11-25"
    whoami = client.request(2, "tools/call", {"name": "auth_whoami"})["result"]["structuredContent"]
    assert whoami["user_id"] == "ann"

    other = socket_server["connect"]()
    assert other.request(1, "initialize", {"protocolVersion": "2025-11-25"})["result"]
    assert other.request(2, "tools/call", {"name": "auth_whoami"})["error"]["code"] == 401
    assert other.request(3, "auth.login", {"token": socket_server["token"]})["result"]["user_id"] == "ann"
    upsert = {"name": "users_upsert", "arguments": {"user_id": "x", "name": "X", "role": "member"}}
    member = other.request(4, "tools/call", upsert)
    # Logged in as a member: the method's own rule answers, as a result the model can read.
    assert member["result"]["isError"] is True and "permission_denied" in member["result"]["content"][0]["text"]
