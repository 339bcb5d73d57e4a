"""Cloud REST v2 routes of the fake Confluence (`/wiki/api/v2/spaces`, `/pages`, `/pages/{id}`)."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fakes.confluence import StoredPage, v2_error
from fakes.server import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from fakes.confluence import FakeConfluence

SITE = "https://acme.atlassian.net/wiki"  # what real Cloud puts in `_links.base`
PAGE_PATH = re.compile(r"^/wiki/api/v2/pages/(\d+)$")


def route_cloud(fake: FakeConfluence, request: FakeRequest) -> FakeResponse:
    """Answer one authenticated Cloud request."""
    path, method = request.path, request.method
    if path == "/wiki/api/v2/spaces" and method == "GET":
        return _spaces(fake, request)
    if path == "/wiki/api/v2/pages" and method == "GET":
        return _list_pages(fake, request)
    if path == "/wiki/api/v2/pages" and method == "POST":
        return _create(fake, request)
    match = PAGE_PATH.match(path)
    if match and match.group(1) in fake.pages:
        page = fake.pages[match.group(1)]
        if method == "GET":
            return FakeResponse(200, page_json(fake, page, request.arg("body-format")))
        if method == "PUT":
            return _update(fake, page, request)
    return v2_error(404, "Not Found", "NOT_FOUND")


def page_json(fake: FakeConfluence, page: StoredPage, body_format: str | None) -> dict[str, Any]:
    """A PageSingle/PageBulk as the spec shapes it."""
    version = page.current
    space_id = fake.spaces[page.space_key]
    result: dict[str, Any] = {
        "id": page.id,
        "status": "current",
        "title": page.title,
        "spaceId": space_id,
        "parentId": page.parent_id or "111111",
        "parentType": "page",
        "position": 1,
        "authorId": "5b10-sprintsync",
        "ownerId": "5b10-sprintsync",
        "lastOwnerId": None,
        "createdAt": "2025-01-24T09:00:00.000Z",
        "version": {
            "createdAt": "2025-01-24T09:00:00.000Z",
            "message": version.message,
            "number": version.number,
            "minorEdit": False,
            "authorId": version.author,
        },
        "body": {},
        "_links": {
            "webui": f"/spaces/{page.space_key}/pages/{page.id}",
            "editui": f"/pages/resumedraft.action?draftId={page.id}",
            "tinyui": "/x/AbCd",
            "base": SITE,
        },
    }
    if body_format == "storage":
        result["body"] = {"storage": {"representation": "storage", "value": version.body}}
    return result


def _spaces(fake: FakeConfluence, request: FakeRequest) -> FakeResponse:
    keys = [k for value in request.query.get("keys", []) for k in value.split(",") if k]
    results = [
        {
            "id": fake.spaces[key],
            "key": key,
            "name": key.title(),
            "type": "global",
            "status": "current",
            "authorId": "5b10-admin",
            "createdAt": "2020-01-01T00:00:00.000Z",
            "homepageId": "111111",
            "description": None,
            "icon": None,
            "_links": {"webui": f"/spaces/{key}"},
        }
        for key in keys
        if key in fake.spaces
    ]
    # An unknown key is not an error on Cloud: the list is just empty.
    return FakeResponse(200, {"results": results, "_links": {"base": SITE}})


def _list_pages(fake: FakeConfluence, request: FakeRequest) -> FakeResponse:
    space_ids = {v: k for k, v in fake.spaces.items()}
    space = space_ids.get(request.arg("space-id") or "")
    title = request.arg("title")
    statuses = (request.arg("status") or "current,archived").split(",")
    pages = [
        p
        for p in fake.pages.values()
        if p.space_key == space and (title is None or p.title == title) and "current" in statuses
    ]
    offset = _decode_cursor(request.arg("cursor"))
    if offset is None:
        return v2_error(400, "Invalid cursor", "INVALID_REQUEST_PARAMETER")
    limit = int(request.arg("limit") or "25")
    chunk, following = fake.paginate(pages, offset, limit)
    body: dict[str, Any] = {
        "results": [page_json(fake, p, request.arg("body-format")) for p in chunk],
        "_links": {"base": SITE},
    }
    headers: dict[str, str] = {}
    if following >= 0:
        query = {k: v[0] for k, v in request.query.items() if k != "cursor"}
        query["cursor"] = base64.urlsafe_b64encode(f"offset:{following}".encode()).decode()
        next_path = f"/wiki/api/v2/pages?{urlencode(query)}"
        body["_links"]["next"] = next_path
        headers["Link"] = f'<{next_path}>; rel="next", <{SITE}>; rel="base"'
    return FakeResponse(200, body, headers=headers)


def _decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except ValueError:
        return None
    return int(number) if kind == "offset" and number.isdigit() else None


def _create(fake: FakeConfluence, request: FakeRequest) -> FakeResponse:
    payload = request.json()
    space_ids = {v: k for k, v in fake.spaces.items()}
    space = space_ids.get(payload.get("spaceId"))
    if space is None:
        return v2_error(404, "Space not found", "NOT_FOUND")
    body = _body_value(payload)
    problem = None if body is not None else "body is required"
    problem = problem or (fake.invalid_storage(body) if body is not None else None)
    if not payload.get("title") or problem:
        return v2_error(400, problem or "title is required", "INVALID_REQUEST_PARAMETER")
    if fake.title_taken(space, payload["title"]):
        return v2_error(400, "A page with this title already exists", "INVALID_REQUEST_PARAMETER")
    page = fake.create(
        title=payload["title"], space=space, parent=payload.get("parentId"), body=body or ""
    )
    return FakeResponse(200, page_json(fake, page, None))


def _update(fake: FakeConfluence, page: StoredPage, request: FakeRequest) -> FakeResponse:
    fake.run_before_put(page)
    payload = request.json()
    missing = [k for k in ("id", "status", "title", "body", "version") if k not in payload]
    if missing:
        return v2_error(400, f"missing {', '.join(missing)}", "INVALID_REQUEST_PARAMETER")
    number = (payload.get("version") or {}).get("number")
    current = page.current.number
    if number != current + 1:
        title = (
            "Version must be incremented when updating a page. "
            f"Current Version: [{current}]. Provided version: [{number}]"
        )
        return v2_error(409, title, "CONFLICT")
    body = _body_value(payload) or ""
    problem = fake.invalid_storage(body)
    if problem:
        return v2_error(400, problem, "INVALID_REQUEST_PARAMETER")
    page.title = payload["title"]
    fake.update(page, number=number, body=body, message=payload["version"].get("message", ""))
    return FakeResponse(200, page_json(fake, page, None))


def _body_value(payload: dict[str, Any]) -> str | None:
    body = payload.get("body") or {}
    if body.get("representation") == "storage":
        return body.get("value")
    nested = body.get("storage") or {}
    return nested.get("value") if nested.get("representation") == "storage" else None
