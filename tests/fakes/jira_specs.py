"""Check requests and fake responses against the saved Jira specs (tests/specs/)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SPECS = Path(__file__).resolve().parent.parent / "specs"
PLATFORM = "jira-cloud-platform.sprintsync-subset.json"
AGILE = "jira-software-agile.sprintsync-subset.json"


@cache
def load(name: str) -> dict[str, Any]:
    """A saved spec file."""
    return json.loads((SPECS / name).read_text(encoding="utf-8"))


def schema_errors(name: str, instance: Any) -> list[str]:
    """Why `instance` does not match `#/components/schemas/{name}` of the platform spec."""
    root = {**load(PLATFORM), "$ref": f"#/components/schemas/{name}"}
    return [e.message for e in Draft7Validator(root).iter_errors(instance)]


def response_errors(path: str, method: str, instance: Any, *, spec: str = PLATFORM) -> list[str]:
    """Why `instance` does not match the 200 response schema of `method path`."""
    document = load(spec)
    response = document["paths"][path][method]["responses"]["200"]
    schema = response["content"]["application/json"]["schema"]
    root = {**document, **schema}
    return [e.message for e in Draft7Validator(root).iter_errors(instance)]


def example(path: str, method: str, *, spec: str = AGILE) -> Any:
    """The spec's own 200 example for `method path` (parsed)."""
    response = load(spec)["paths"][path][method]["responses"]["200"]
    return json.loads(response["content"]["application/json"]["example"])


def without_nulls(value: Any) -> Any:
    """`value` without null members: real changelog items carry nulls the spec cannot express."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
