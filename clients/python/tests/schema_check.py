"""Validation of OpenRPC documents against the OpenRPC 1.4 meta-schema, offline."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, List

import pytest

from conftest import REPO

META_SCHEMA = REPO.parent / "shared" / "schemas" / "openrpc-1.4.schema.json"
# The meta-schema's `$schema` and two `$ref`s name this draft-07 JSON Schema meta-schema by URL.
JSON_SCHEMA_TOOLS = "https://meta.json-schema.tools"


def require_jsonschema() -> None:
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        pytest.fail("the OpenRPC checks need the jsonschema package: pip install jsonschema", pytrace=False)


def load_meta_schema() -> Any:
    if not META_SCHEMA.is_file():
        reason = "OpenRPC meta-schema not found at %s (shared/ sits beside the clone in CI)" % META_SCHEMA
        # CI always has shared/ beside the clone, so there a missing file is a failure; a plain clone skips.
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return json.loads(META_SCHEMA.read_text())


def json_schema_meta() -> Any:
    """jsonschema's bundled draft-07 meta-schema, shaped to stand in for meta.json-schema.tools.

    The OpenRPC meta-schema points into it at `#/definitions/JSONSchemaObject/properties/$ref`, a name the
    draft-07 file does not use, so that definition is added; `$id` is dropped so its own `#` references
    resolve inside this copy instead of at json-schema.org.
    """
    require_jsonschema()
    from jsonschema import Draft7Validator

    meta = copy.deepcopy(Draft7Validator.META_SCHEMA)
    meta.pop("$id", None)
    meta.setdefault("definitions", {})["JSONSchemaObject"] = {"type": "object", "properties": meta["properties"]}
    return meta


def openrpc_errors(document: Any) -> List[str]:
    """Every violation of the OpenRPC 1.4 meta-schema in ``document``, as readable lines (empty: valid)."""
    require_jsonschema()
    from jsonschema import Draft7Validator

    meta_schema = load_meta_schema()
    stand_in = json_schema_meta()
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7

        resource = Resource.from_contents(stand_in, default_specification=DRAFT7)
        registry = Registry().with_resources(
            [(JSON_SCHEMA_TOOLS, resource), (JSON_SCHEMA_TOOLS + "/", resource)]
        )
        validator = Draft7Validator(meta_schema, registry=registry)
    except ImportError:  # jsonschema before 4.18 resolves references with RefResolver
        from jsonschema import RefResolver

        store = {JSON_SCHEMA_TOOLS: stand_in, JSON_SCHEMA_TOOLS + "/": stand_in}
        validator = Draft7Validator(meta_schema, resolver=RefResolver.from_schema(meta_schema, store=store))
    return [
        "%s: %s" % ("/".join(str(p) for p in error.absolute_path) or "(root)", error.message)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]
