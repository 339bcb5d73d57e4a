"""Data Center REST v1 routes of the fake Confluence (`/rest/api/content[/{id}]`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fakes.confluence import StoredPage, v1_error
from fakes.server import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from fakes.confluence import FakeConfluence

BASE = "https://confluence.acme.test"
CONTENT_PATH = re.compile(r"^/rest/api/content/(\d+)$")


def route_dc(fake: FakeConfluence, request: FakeRequest) -> FakeResponse:
    """Answer one authenticated Data Center request (no `/api/v2` here: 404)."""
    path, method = request.path, request.method
    if path == "/rest/api/content" and method == "GET":
        return _list(fake, request)
    if path == "/rest/api/content" and method == "POST":
        return _create(fake, request)
    match = CONTENT_PATH.match(path)
    if match and match.group(1) in fake.pages:
        page = fake.pages[match.group(1)]
        if method == "GET":
            return FakeResponse(200, content_json(page, request.arg("expand") or ""))
        if method == "PUT":
            return _update(fake, page, request)
    return v1_error(404, f"Could not find {path}")


def content_json(page: StoredPage, expand: str) -> dict[str, Any]:
    """A v1 content object; body and version only when expanded."""
    result: dict[str, Any] = {
        "id": page.id,
        "type": "page",
        "status": "current",
        "title": page.title,
        "_links": {"webui": f"/pages/viewpage.action?pageId={page.id}", "base": BASE},
    }
    parts = set(expand.split(","))
    if "version" in parts:
        version = page.current
        result["version"] = {"number": version.number, "message": version.message}
    if "body.storage" in parts:
        result["body"] = {"storage": {"value": page.current.body, "representation": "storage"}}
    return result


def _list(fake: FakeConfluence, request: FakeRequest) -> FakeResponse:
    space = request.arg("spaceKey")
    if space is not None and space not in fake.spaces:
        return v1_error(404, f"No space with key : {space}")
    title = request.arg("title")
    pages = [
        p
        for p in fake.pages.values()
        if (space is None or p.space_key == space) and (title is None or p.title == title)
    ]
    start = int(request.arg("start") or "0")
    limit = int(request.arg("limit") or "25")
    chunk, following = fake.paginate(pages, start, limit)
    expand = request.arg("expand") or ""
    links: dict[str, Any] = {"base": BASE, "context": ""}
    if following >= 0:
        query = {k: v[0] for k, v in request.query.items() if k != "start"}
        query["start"] = str(following)
        links["next"] = f"/rest/api/content?{urlencode(query)}"
    body = {
        "results": [content_json(p, expand) for p in chunk],
        "start": start,
        "limit": limit,
        "size": len(chunk),
        "_links": links,
    }
    return FakeResponse(200, body)


def _create(fake: FakeConfluence, request: FakeRequest) -> FakeResponse:
    payload = request.json()
    space = (payload.get("space") or {}).get("key")
    if space not in fake.spaces:
        return v1_error(404, f"No space with key : {space}")
    body = _body_value(payload)
    if payload.get("type") != "page" or not payload.get("title") or body is None:
        return v1_error(400, "type, title and body.storage are required")
    problem = fake.invalid_storage(body)
    if problem:
        return v1_error(400, problem)
    if fake.title_taken(space, payload["title"]):
        return v1_error(
            400,
            "A page with this title already exists: A page already exists with the title "
            f"{payload['title']} in the space with key {space}",
        )
    ancestors = payload.get("ancestors") or []
    parent = ancestors[-1]["id"] if ancestors else None
    page = fake.create(title=payload["title"], space=space, parent=parent, body=body)
    return FakeResponse(200, content_json(page, "body.storage,version"))


def _update(fake: FakeConfluence, page: StoredPage, request: FakeRequest) -> FakeResponse:
    fake.run_before_put(page)
    payload = request.json()
    if not payload.get("version") or not payload.get("type") or not payload.get("title"):
        return v1_error(400, "version, type and title are required")
    number = payload["version"].get("number")
    current = page.current.number
    if number != current + 1:
        return v1_error(
            409, f"Version must be incremented on update. Current version is: {current}"
        )
    body = _body_value(payload) or ""
    problem = fake.invalid_storage(body)
    if problem:
        return v1_error(400, problem)
    page.title = payload["title"]
    fake.update(page, number=number, body=body, message=payload["version"].get("message", ""))
    return FakeResponse(200, content_json(page, "body.storage,version"))


def _body_value(payload: dict[str, Any]) -> str | None:
    storage = (payload.get("body") or {}).get("storage") or {}
    return storage.get("value") if storage.get("representation") == "storage" else None
