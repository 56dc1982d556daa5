"""docs/methods.md is generated from schema/openrpc.json and must not drift from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent.parent


def test_the_methods_page_matches_the_schema() -> None:
    spec = importlib.util.spec_from_file_location("methods_doc", REPO / "scripts" / "methods-doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import json

    expected = module.render(json.loads((REPO / "schema" / "openrpc.json").read_text()))
    actual = (REPO / "docs" / "methods.md").read_text()
    assert actual == expected, "docs/methods.md is stale: run python3 scripts/methods-doc.py"
    for method in json.loads((REPO / "schema" / "openrpc.json").read_text())["methods"]:
        assert "## `%s`" % method["name"] in actual
