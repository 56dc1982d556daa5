"""Validation of OpenRPC documents against the OpenRPC 1.4 meta-schema, offline."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, List

import pytest

from conftest import REPO

# The meta-schema is not part of the repository: CI keeps it in shared/schemas/ beside the checkout, and
# TASKWIRE_OPENRPC_META_SCHEMA may name a copy anywhere else. A plain clone has neither, so the checks that
# need it are skipped with the reason printed; TASKWIRE_REQUIRE_META_SCHEMA=1 (set by CI) makes that a failure.
META_SCHEMA = Path(
    os.environ.get("TASKWIRE_OPENRPC_META_SCHEMA")
    or REPO.parent / "shared" / "schemas" / "openrpc-1.4.schema.json"
)
# The meta-schema's `$schema` and two `$ref`s name this draft-07 JSON Schema meta-schema by URL.
JSON_SCHEMA_TOOLS = "https://meta.json-schema.tools"


def require_jsonschema() -> None:
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        pytest.fail("the OpenRPC checks need the jsonschema package: pip install jsonschema", pytrace=False)


def load_meta_schema() -> Any:
    if not META_SCHEMA.is_file():
        reason = (
            "OpenRPC meta-schema not found at %s: put shared/schemas/ beside the clone or set "
            "TASKWIRE_OPENRPC_META_SCHEMA to the openrpc-1.4.schema.json file" % META_SCHEMA
        )
        if os.environ.get("TASKWIRE_REQUIRE_META_SCHEMA"):
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
