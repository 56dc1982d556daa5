#!/usr/bin/env python3
"""Writes docs/methods.md from schema/openrpc.json, the single source of truth for the wire API.

Run `python3 scripts/methods-doc.py` after changing the schema; the Python suite fails while the page and
the schema disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def schema_type(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " + ".join(schema_type(part, components) for part in schema["allOf"])
    if "oneOf" in schema or "anyOf" in schema:
        return " or ".join(schema_type(option, components) for option in schema.get("oneOf", schema.get("anyOf")))
    if "enum" in schema:
        return " \\| ".join("`%s`" % value for value in schema["enum"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array" and "items" in schema:
        return "array of %s" % schema_type(schema["items"], components)
    if kind == "object" and schema.get("properties"):
        return "`{%s}`" % ", ".join(schema["properties"])
    return kind


def facts(method: dict) -> str:
    """One line with the method's declared facts, from its `x-` fields."""

    def yes_no(key: str) -> str:
        return "yes" if method.get(key) else "no"

    limit = method.get("x-rate-limit")
    return "Rate limit: %s. Open before login: %s. Runs long: %s. Read-only: %s. Destructive: %s. Idempotent: %s." % (
        "`%s`" % limit if limit else "none",
        yes_no("x-open-before-login"),
        yes_no("x-runs-long"),
        yes_no("x-read-only"),
        yes_no("x-destructive"),
        yes_no("x-idempotent"),
    )


def render(document: dict) -> str:
    components = document.get("components", {}).get("schemas", {})
    lines = [
        "# Methods",
        "",
        "Every method taskwire answers, generated from [schema/openrpc.json](../schema/openrpc.json) (which",
        "`rpc.discover` also serves) by `scripts/methods-doc.py`. Params are by name; unknown params are refused",
        "with -32602. Behaviour in depth: [tasks.md](tasks.md), [collaboration.md](collaboration.md),",
        "[security.md](security.md), [protocol.md](protocol.md).",
        "",
        "Each method also lists the facts the server declares for it (the schema's `x-` fields): the rate-limit",
        "operation it counts against ([security.md](security.md#rate-limits)), whether a socket may call it before",
        "`auth.login`, whether it runs long (its own task, interrupted by `$/cancelRequest`), and whether it only",
        "reads, destroys something for good, or may be repeated with no further effect.",
        "",
        "| method | summary |",
        "|---|---|",
    ]
    methods = sorted(document["methods"], key=lambda method: method["name"])
    for method in methods:
        anchor = method["name"].replace(".", "")
        lines.append("| [`%s`](#%s) | %s |" % (method["name"], anchor, method.get("summary", "")))
    for method in methods:
        lines += ["", "## `%s`" % method["name"], ""]
        if method.get("description"):
            lines += [method["description"], ""]
        lines += [facts(method), ""]
        params = method.get("params", [])
        if params:
            lines += ["| param | type | required | description |", "|---|---|---|---|"]
            for param in params:
                lines.append(
                    "| `%s` | %s | %s | %s |"
                    % (
                        param["name"],
                        schema_type(param.get("schema", {}), components),
                        "yes" if param.get("required") else "no",
                        param.get("description", "").replace("\n", " "),
                    )
                )
        else:
            lines.append("No params.")
        result = method.get("result", {})
        lines += ["", "Result: %s." % schema_type(result.get("schema", {}), components)]
        errors = method.get("errors", [])
        if errors:
            lines += ["", "Errors: " + "; ".join("%s %s" % (error["code"], error["message"]) for error in errors) + "."]
    lines += render_notifications(document.get("x-notifications", []), components)
    return "\n".join(lines) + "\n"


def render_notifications(notifications: list, components: dict) -> list:
    """The schema's top-level `x-notifications`: JSON-RPC notifications the server pushes on its own.

    OpenRPC has no notification object, so taskwire lists them beside `methods` with the same `name`,
    `summary`, `description` and `params` members; they take no reply and count against no limit.
    """
    if not notifications:
        return []
    lines = [
        "",
        "# Notifications the server sends",
        "",
        "Pushed by the server as JSON-RPC notifications (no `id`, no reply), listed in the schema's top-level",
        "`x-notifications` array. See [events.md](events.md).",
    ]
    for notification in sorted(notifications, key=lambda item: item["name"]):
        lines += ["", "## `%s`" % notification["name"], ""]
        if notification.get("description"):
            lines += [notification["description"], ""]
        lines += ["| param | type | description |", "|---|---|---|"]
        for param in notification.get("params", []):
            lines.append(
                "| `%s` | %s | %s |"
                % (
                    param["name"],
                    schema_type(param.get("schema", {}), components),
                    param.get("description", "").replace("\n", " "),
                )
            )
    return lines


def main() -> int:
    document = json.loads((REPO / "schema" / "openrpc.json").read_text())
    (REPO / "docs" / "methods.md").write_text(render(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
