"""The repository's `schema/openrpc.json` (what `rpc.discover` serves) is a valid OpenRPC 1.4 document."""

from __future__ import annotations

import json

from conftest import REPO
from schema_check import openrpc_errors


def test_schema_file_is_valid_openrpc() -> None:
    path = REPO / "schema" / "openrpc.json"
    document = json.loads(path.read_text())
    errors = openrpc_errors(document)
    assert not errors, "schema/openrpc.json breaks the OpenRPC 1.4 meta-schema:\n" + "\n".join(errors)


def test_meta_schema_check_catches_a_broken_document() -> None:
    # Guards the validator set-up itself: a check that accepts everything would pass the test above.
    broken = {"openrpc": "1.4.0", "info": {"title": "x"}, "methods": [{"params": [], "result": {}}]}
    errors = openrpc_errors(broken)
    assert "info: 'version' is a required property" in errors
    assert any(e.startswith("methods/0:") for e in errors), "a method without a name must be rejected"


def test_json_schema_references_resolve() -> None:
    valid = {
        "openrpc": "1.4.0",
        "info": {"title": "x", "version": "1"},
        "methods": [
            {
                "name": "ping",
                "params": [{"name": "n", "schema": {"type": "integer", "minimum": 0}}],
                "result": {"name": "pong", "schema": {"$ref": "#/components/schemas/Pong"}},
            }
        ],
        "components": {"schemas": {"Pong": {"type": "object"}}},
    }
    assert openrpc_errors(valid) == []
    valid["methods"][0]["params"][0]["schema"] = {"type": 12}
    assert openrpc_errors(valid), "a param schema that is not a JSON Schema must be rejected"


def test_rpc_discover_serves_exactly_the_schema_file(spawn) -> None:  # type: ignore[no-untyped-def]
    # The binary embeds schema/openrpc.json at build time; a stale build would serve an older document.
    import json
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent.parent.parent
    served = spawn().call("rpc.discover")
    assert served == json.loads((repo / "schema" / "openrpc.json").read_text())
