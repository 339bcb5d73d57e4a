"""Validate JSON against the Confluence v2 spec subset (tests/specs/), strictly.

The spec has no `additionalProperties`, which makes its `oneOf` bodies ambiguous and lets an
invented field through; here every object with `properties` is closed, and OpenAPI 3.0's
`nullable` becomes a JSON Schema null type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SPEC_FILE = Path(__file__).parent / "specs" / "confluence-cloud-v2.sprintsync-subset.json"


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _strict(v) for k, v in node.items()}
    if node.get("nullable") and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


SPEC = _strict(json.loads(SPEC_FILE.read_text(encoding="utf-8")))
REQUEST = "#/components/requestBodies/{}/content/application~1json/schema"
RESPONSE = "#/paths/{}/{}/responses/200/content/application~1json/schema"


def errors(instance: Any, pointer: str) -> list[str]:
    """The spec violations of `instance` against the schema at `pointer` (empty = valid)."""
    schema = {"$ref": pointer, "components": SPEC["components"], "paths": SPEC["paths"]}
    validator = Draft202012Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def request_schema(name: str) -> str:
    """Pointer to a request body schema, e.g. "PageCreateRequest"."""
    return REQUEST.format(name)


def response_schema(path: str, method: str) -> str:
    """Pointer to a 200 response schema, e.g. ("/pages/{id}", "get")."""
    return RESPONSE.format(path.replace("/", "~1"), method)
