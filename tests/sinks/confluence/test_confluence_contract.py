"""Contract tests (pytest-httpx): the requests of API-NOTES §B, answers shaped like the spec."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from confluence_helpers import DAY2, TITLE, report_for
from spec_schema import errors, request_schema, response_schema
from sprintsync.errors import PublishError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sinks.confluence import ConfluenceSink
from sprintsync.sinks.confluence.body import build_page_body

CLOUD = "https://acme.atlassian.net/wiki"
DC = "https://confluence.acme.com"
SITE_LINKS = {"base": CLOUD}
REPORT = report_for(["A", "B"], DAY2)
PAGES_QUERY = "space-id=98765&title=Sprint+5+Daily+Status+Report&status=current&body-format=storage"
DC_QUERY = "spaceKey=ENG&title=Sprint+5+Daily+Status+Report&type=page&expand=body.storage%2Cversion"


def client_for(base_url: str) -> httpx.AsyncClient:
    """A client with the production retry policy and zero waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    return build_client(service="confluence", base_url=base_url, budget=budget)


def sink(client: httpx.AsyncClient, deployment: str | None = None) -> ConfluenceSink:
    """The sink under test (space ENG, parent 111111)."""
    return ConfluenceSink(
        client,
        space="ENG",
        title="{sprint} Daily Status Report",
        parent="111111",
        deployment=deployment,  # type: ignore[arg-type]
    )


def space_list() -> dict[str, Any]:
    """GET /spaces?keys=ENG answer (API-NOTES §B.1.1)."""
    space = {
        "id": "98765",
        "key": "ENG",
        "name": "Engineering",
        "type": "global",
        "status": "current",
        "authorId": "5b10",
        "createdAt": "2020-01-01T00:00:00.000Z",
        "homepageId": "111111",
        "_links": {"webui": "/spaces/ENG"},
    }
    return {"results": [space], "_links": SITE_LINKS}


def cloud_page(version: int, body: str | None) -> dict[str, Any]:
    """A PageSingle/PageBulk (API-NOTES §B.1.3), body only when asked for."""
    page: dict[str, Any] = {
        "id": "123456",
        "status": "current",
        "title": TITLE,
        "spaceId": "98765",
        "parentId": "111111",
        "parentType": "page",
        "position": 4,
        "authorId": "5b10",
        "ownerId": "5b10",
        "lastOwnerId": None,
        "createdAt": "2025-01-24T09:00:00.000Z",
        "version": {
            "createdAt": "2025-01-25T09:00:00.000Z",
            "message": "",
            "number": version,
            "minorEdit": False,
            "authorId": "5b10",
        },
        "_links": {"webui": "/spaces/ENG/pages/123456", "editui": "/e", "tinyui": "/x/AbCd"},
    }
    if body is not None:
        page["body"] = {"storage": {"representation": "storage", "value": body}}
    return page


def sent_json(request: httpx.Request) -> Any:
    """The JSON body of a recorded request."""
    return json.loads(request.content)


def test_fixtures_follow_the_spec():
    """The canned answers used below validate against the spec subset (strict)."""
    assert errors(space_list(), response_schema("/spaces", "get")) == []
    listing = {"results": [cloud_page(7, "<p/>")], "_links": SITE_LINKS}
    assert errors(listing, response_schema("/pages", "get")) == []
    assert errors(cloud_page(7, "<p/>"), "#/components/schemas/PageSingle") == []
    assert errors({"results": [], "_links": {"nope": 1}}, response_schema("/pages", "get")) != []


async def test_cloud_creates_with_the_v2_contract(httpx_mock):
    """Cloud: resolve the space, search by title, POST /pages with spaceId, parentId, storage."""
    httpx_mock.add_response(url=f"{CLOUD}/api/v2/spaces?keys=ENG", json=space_list())
    httpx_mock.add_response(
        url=f"{CLOUD}/api/v2/pages?{PAGES_QUERY}", json={"results": [], "_links": SITE_LINKS}
    )
    httpx_mock.add_response(
        method="POST", url=f"{CLOUD}/api/v2/pages", json=cloud_page(1, None) | {"body": {}}
    )
    async with client_for(CLOUD) as client:
        result = await sink(client).publish(REPORT)
    post = httpx_mock.get_requests(method="POST")[0]
    payload = sent_json(post)
    assert payload == {
        "spaceId": "98765",
        "status": "current",
        "title": TITLE,
        "parentId": "111111",
        "body": {
            "representation": "storage",
            "value": build_page_body(REPORT.storage, current=None),
        },
    }
    assert errors(payload, request_schema("PageCreateRequest")) == []
    assert result.url == "https://acme.atlassian.net/wiki/spaces/ENG/pages/123456"  # absolute
    assert not any("/rest/api" in str(r.url) for r in httpx_mock.get_requests())


async def test_cloud_follows_the_cursor_and_updates_with_version_plus_one(httpx_mock):
    """Cloud: the title search follows `_links.next`; PUT sends version current+1 and a message."""
    next_path = f"/wiki/api/v2/pages?{PAGES_QUERY}&cursor=b3Zm"
    httpx_mock.add_response(url=f"{CLOUD}/api/v2/spaces?keys=ENG", json=space_list())
    httpx_mock.add_response(
        url=f"{CLOUD}/api/v2/pages?{PAGES_QUERY}",
        json={"results": [], "_links": {"next": next_path, "base": CLOUD}},
        headers={"Link": f'<{next_path}>; rel="next", <{CLOUD}>; rel="base"'},
    )
    httpx_mock.add_response(
        url=f"https://acme.atlassian.net{next_path}",
        json={"results": [cloud_page(7, "<p>old</p>")], "_links": SITE_LINKS},
    )
    httpx_mock.add_response(
        method="PUT", url=f"{CLOUD}/api/v2/pages/123456", json=cloud_page(8, None)
    )
    async with client_for(CLOUD) as client:
        result = await sink(client).publish(REPORT)
    payload = sent_json(httpx_mock.get_requests(method="PUT")[0])
    assert payload["version"] == {"number": 8, "message": "sprintsync report as of 2025-01-25"}
    assert payload["id"] == "123456"
    assert payload["status"] == "current"
    assert payload["title"] == TITLE
    assert errors(payload, request_schema("PageUpdateRequest")) == []
    assert result.changed


async def test_cloud_409_rereads_the_page_then_puts_again(httpx_mock):
    """Cloud: a 409 (v2 envelope) re-reads GET /pages/{id}?body-format=storage and retries."""
    conflict = {
        "errors": [
            {
                "status": 409,
                "code": "CONFLICT",
                "title": "Version must be incremented when updating a page. "
                "Current Version: [8]. Provided version: [8]",
                "detail": None,
            }
        ]
    }
    httpx_mock.add_response(url=f"{CLOUD}/api/v2/spaces?keys=ENG", json=space_list())
    httpx_mock.add_response(
        url=f"{CLOUD}/api/v2/pages?{PAGES_QUERY}",
        json={"results": [cloud_page(7, "<p>old</p>")], "_links": SITE_LINKS},
    )
    httpx_mock.add_response(
        method="PUT", url=f"{CLOUD}/api/v2/pages/123456", status_code=409, json=conflict
    )
    httpx_mock.add_response(
        url=f"{CLOUD}/api/v2/pages/123456?body-format=storage",
        json=cloud_page(8, "<p>someone</p>"),
    )
    httpx_mock.add_response(
        method="PUT", url=f"{CLOUD}/api/v2/pages/123456", json=cloud_page(9, None)
    )
    async with client_for(CLOUD) as client:
        await sink(client).publish(REPORT)
    numbers = [sent_json(r)["version"]["number"] for r in httpx_mock.get_requests(method="PUT")]
    assert numbers == [8, 9]


async def test_cloud_repeated_cursor_is_refused(httpx_mock):
    """A list page whose next link repeats is a PublishError, not an endless loop."""
    next_path = f"/wiki/api/v2/pages?{PAGES_QUERY}&cursor=same"
    page = {"results": [], "_links": {"next": next_path, "base": CLOUD}}
    httpx_mock.add_response(url=f"{CLOUD}/api/v2/spaces?keys=ENG", json=space_list())
    httpx_mock.add_response(url=f"{CLOUD}/api/v2/pages?{PAGES_QUERY}", json=page)
    httpx_mock.add_response(url=f"https://acme.atlassian.net{next_path}", json=page)
    async with client_for(CLOUD) as client:
        with pytest.raises(PublishError, match="repeated the pagination link"):
            await sink(client).publish(REPORT)


def dc_page(version: int, body: str) -> dict[str, Any]:
    """A v1 content object (API-NOTES §B.2)."""
    return {
        "id": "123456",
        "type": "page",
        "status": "current",
        "title": TITLE,
        "version": {"number": version},
        "body": {"storage": {"value": body, "representation": "storage"}},
        "_links": {"webui": "/pages/viewpage.action?pageId=123456", "base": DC},
    }


async def test_dc_is_detected_by_a_404_probe_and_creates_with_v1(httpx_mock):
    """DC: the v2 probe 404s (also under /wiki); find by spaceKey+title, POST with ancestors."""
    httpx_mock.add_response(url=f"{DC}/api/v2/spaces?keys=ENG&limit=1", status_code=404)
    httpx_mock.add_response(url=f"{DC}/wiki/api/v2/spaces?keys=ENG&limit=1", status_code=404)
    httpx_mock.add_response(
        url=f"{DC}/rest/api/content?{DC_QUERY}",
        json={"results": [], "start": 0, "limit": 25, "size": 0, "_links": {"base": DC}},
    )
    httpx_mock.add_response(
        method="POST", url=f"{DC}/rest/api/content", json=dc_page(1, "<p>x</p>")
    )
    async with client_for(DC) as client:
        result = await sink(client).publish(REPORT)
    payload = sent_json(httpx_mock.get_requests(method="POST")[0])
    assert payload == {
        "type": "page",
        "title": TITLE,
        "space": {"key": "ENG"},
        "ancestors": [{"id": "111111"}],
        "body": {
            "storage": {
                "value": build_page_body(REPORT.storage, current=None),
                "representation": "storage",
            }
        },
    }
    assert result.url == f"{DC}/pages/viewpage.action?pageId=123456"


async def test_dc_409_rereads_and_updates_with_v1(httpx_mock):
    """DC: a 409 (v1 envelope) re-reads with expand=body.storage,version and PUTs again."""
    conflict = {
        "statusCode": 409,
        "data": {"authorized": False, "valid": True, "errors": [], "successful": False},
        "message": "Version must be incremented on update. Current version is: 8",
    }
    httpx_mock.add_response(
        url=f"{DC}/rest/api/content?{DC_QUERY}&start=25",
        json={"results": [dc_page(7, "<p>old</p>")], "size": 1, "_links": {"base": DC}},
    )
    httpx_mock.add_response(
        url=f"{DC}/rest/api/content?{DC_QUERY}",
        json={
            "results": [],
            "size": 0,
            "_links": {"base": DC, "next": f"/rest/api/content?{DC_QUERY}&start=25"},
        },
    )
    httpx_mock.add_response(
        method="PUT", url=f"{DC}/rest/api/content/123456", status_code=409, json=conflict
    )
    httpx_mock.add_response(
        url=f"{DC}/rest/api/content/123456?expand=body.storage%2Cversion",
        json=dc_page(8, "<p>someone</p>"),
    )
    httpx_mock.add_response(
        method="PUT", url=f"{DC}/rest/api/content/123456", json=dc_page(9, "<p>x</p>")
    )
    async with client_for(DC) as client:
        await sink(client, deployment="datacenter").publish(REPORT)
    puts = [sent_json(r) for r in httpx_mock.get_requests(method="PUT")]
    assert [p["version"]["number"] for p in puts] == [8, 9]
    assert puts[1] == {
        "id": "123456",
        "type": "page",
        "title": TITLE,
        "space": {"key": "ENG"},
        "body": {
            "storage": {"value": puts[1]["body"]["storage"]["value"], "representation": "storage"}
        },
        "version": {"number": 9, "message": "sprintsync report as of 2025-01-25"},
    }
