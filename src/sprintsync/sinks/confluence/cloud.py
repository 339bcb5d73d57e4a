"""Confluence Cloud pages through REST v2 (`{url}/api/v2`); the v1 content API is gone there."""

from __future__ import annotations

from typing import Any

import httpx
import structlog

from sprintsync.errors import PublishError
from sprintsync.sinks.confluence.api import (
    SERVICE,
    Page,
    call,
    create_page_at,
    find_titled,
    link_guard,
    next_link,
    on_origin,
    read_page,
    update_page_at,
)

log = structlog.get_logger("sprintsync.sinks.confluence")

# API-NOTES §B.1: paths relative to the site's `/wiki` base URL (the client's base_url).
SPACES_PATH = "api/v2/spaces"
PAGES_PATH = "api/v2/pages"


class CloudPageApi:
    """Pages of one space on Confluence Cloud (REST v2; numeric space id resolved from the key)."""

    def __init__(self, client: httpx.AsyncClient, *, space: str) -> None:
        self._client = client
        self._space = space
        self._space_id: str | None = None

    async def space_id(self) -> str:
        """The numeric id v2 uses for the space key (`GET /spaces?keys=`), looked up once."""
        if self._space_id is None:
            try:
                body = await call(
                    self._client,
                    "GET",
                    SPACES_PATH,
                    what=f"the lookup of space {self._space}",
                    params={"keys": self._space},
                )
            except PublishError as error:
                if error.status == 404:  # the list endpoint itself is missing: a wrong root
                    raise not_a_root_error(self._client.base_url) from None
                raise
            found = [s for s in body.get("results") or [] if s.get("key") == self._space]
            if not found:
                raise PublishError(
                    f"confluence space {self._space!r} was not found or is not visible to "
                    "these credentials (expected an existing space key, e.g. ENG)",
                    service=SERVICE,
                    status=404,
                )
            self._space_id = str(found[0]["id"])
        return self._space_id

    async def find_page(self, title: str) -> Page | None:
        """The current page titled exactly `title`, following the cursor pages."""
        params: dict[str, str] | None = {
            "space-id": await self.space_id(),
            "title": title,
            "status": "current",
            "body-format": "storage",
        }
        url: str | httpx.URL = PAGES_PATH
        guard = link_guard()
        while True:
            body = await call(
                self._client, "GET", url, what=f"the search for page {title!r}", params=params
            )
            found = find_titled(body, title)
            if found is not None:
                return found
            following = next_link(body, guard)
            if following is None:
                return None
            # `_links.next` is host-relative and already holds `/wiki` and every parameter.
            url, params = on_origin(self._client, following), None
            log.debug("confluence.page_list_next", title=title)

    async def get_page(self, page_id: str) -> Page:
        """The page's latest version with its storage body."""
        return await read_page(self._client, PAGES_PATH, page_id, params={"body-format": "storage"})

    async def create_page(self, *, title: str, body: str, parent: str | None) -> Page:
        """`POST /pages`: a current page in the space, under `parent` when given."""
        payload: dict[str, Any] = {
            "spaceId": await self.space_id(),
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": body},
        }
        if parent:
            payload["parentId"] = parent
        return await create_page_at(self._client, PAGES_PATH, payload, title=title, body=body)

    async def update_page(self, page: Page, *, body: str, message: str) -> Page:
        """`PUT /pages/{id}` with version current + 1 and a version message."""
        payload = {
            "id": page.id,
            "status": "current",
            "title": page.title,
            "body": {"representation": "storage", "value": body},
            "version": {"number": page.version + 1, "message": message},
        }
        return await update_page_at(self._client, PAGES_PATH, page, payload, body=body)


def not_a_root_error(base_url: httpx.URL) -> PublishError:
    """A 404 from the v2 list endpoint: the URL is not Confluence Cloud's root (no `/wiki`?)."""
    root = str(base_url).rstrip("/")
    if not base_url.path.rstrip("/").endswith("/wiki"):
        fix = f"Confluence Cloud lives under /wiki: set url: {root}/wiki"
    else:
        fix = "expected the site's /wiki URL, such as https://acme.atlassian.net/wiki"
    return PublishError(
        f"{SERVICE} answered 404 to {root}/{SPACES_PATH}: {root} does not look like a "
        f"Confluence Cloud root; {fix}",
        service=SERVICE,
        status=404,
    )
