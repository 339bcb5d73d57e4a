from __future__ import annotations

import json
from pathlib import Path

import httpx
import jsonschema
import pytest

from fakes.github_rest import FakeGitHubComments, secondary_rate_limit, serve_github

SPEC = json.loads(
    (Path(__file__).parent / "specs" / "github-rest-issue-comments.subset.openapi.json").read_text()
)
AUTH = {"Authorization": "Bearer ghs_fake_token", "Accept": "application/vnd.github+json"}
LIST = "/repos/acme/shop/issues/7/comments"


def to_json_schema(node):
    """OpenAPI 3.0 `nullable: true` as JSON Schema (`type: [X, "null"]`)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and "type" in node:
        converted["type"] = [node["type"], "null"]
    return converted


COMPONENTS = to_json_schema(SPEC["components"])


def schema(name: str, *, many: bool = False) -> dict:
    """A component schema of the spec subset (or an array of it), its $refs resolvable."""
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {**({"type": "array", "items": ref} if many else ref), "components": COMPONENTS}


@pytest.fixture
def github():
    """A fake GitHub with acme/shop#7, a client that talks to it with the right token."""
    fake = FakeGitHubComments()
    fake.add_issue("acme/shop", 7)
    with serve_github(fake) as server, httpx.Client(base_url=server.url, headers=AUTH) as client:
        yield fake, server, client


def test_create_answers_201_with_location_and_a_spec_shaped_comment(github):
    """POST answers 201, a Location header and an IssueComment valid against the spec."""
    _, _, client = github
    response = client.post(LIST, json={"body": "hello"})
    assert response.status_code == 201
    comment = response.json()
    jsonschema.validate(comment, schema("issue-comment"))
    assert response.headers["Location"] == comment["url"]
    assert comment["body"] == "hello"


def test_list_paginates_with_link_headers_in_ascending_id(github):
    """Default pages hold 30 comments, per_page caps at 100, Link names next and last."""
    fake, _, client = github
    for n in range(75):
        fake.seed("acme/shop", 7, f"c{n}")
    first = client.get(LIST)
    assert len(first.json()) == 30
    assert first.links["next"]["url"].endswith("per_page=30&page=2")
    assert first.links["last"]["url"].endswith("page=3")
    big = client.get(LIST, params={"per_page": 500})
    assert len(big.json()) == 75
    assert "next" not in big.links
    ids = [c["id"] for c in client.get(LIST, params={"per_page": 100}).json()]
    assert ids == sorted(ids)
    jsonschema.validate(first.json(), schema("issue-comment", many=True))


def test_edit_answers_200_and_delete_204(github):
    """PATCH edits the body (200) and DELETE removes the comment (204, then 404)."""
    fake, _, client = github
    comment = fake.seed("acme/shop", 7, "old")
    path = f"/repos/acme/shop/issues/comments/{comment['id']}"
    edited = client.patch(path, json={"body": "new"})
    assert (edited.status_code, edited.json()["body"]) == (200, "new")
    assert client.delete(path).status_code == 204
    assert client.delete(path).status_code == 404


def test_body_over_65536_characters_is_422_with_validation_envelope(github):
    """A body over 65,536 characters is refused with the validation-error envelope."""
    _, _, client = github
    response = client.post(LIST, json={"body": "x" * 65_537})
    assert response.status_code == 422
    jsonschema.validate(response.json(), schema("validation-error"))
    assert response.json()["errors"][0]["field"] == "body"
    assert client.post(LIST, json={"body": "x" * 65_536}).status_code == 201


def test_errors_401_404_and_injected_secondary_rate_limit(github):
    """Wrong token is 401 Bad credentials, unknown issue 404, injected 403 has retry-after."""
    fake, server, client = github
    assert client.get(LIST, headers={"Authorization": "Bearer nope"}).json()["message"] == (
        "Bad credentials"
    )
    missing = client.get("/repos/acme/shop/issues/8/comments")
    assert (missing.status_code, missing.json()["status"]) == (404, "404")
    fake.inject("GET", secondary_rate_limit(retry_after="30"))
    limited = client.get(LIST)
    assert (limited.status_code, limited.headers["retry-after"]) == (403, "30")
    assert "secondary rate limit" in limited.json()["message"]
    assert len(server.calls("GET", LIST)) == 2
