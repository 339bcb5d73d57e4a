"""Confluence Data Center / Server pages through REST v1 (`{url}/rest/api/content`)."""

from __future__ import annotations

from typing import Any

import httpx

from sprintsync.errors import PublishError
from sprintsync.sinks.confluence import api
from sprintsync.sinks.confluence.api import Page

# API-NOTES §B.2: paths relative to the Data Center base URL (the client's base_url).
CONTENT_PATH = "rest/api/content"
EXPAND = "body.storage,version"


class DataCenterPageApi:
    """Pages of one space on Confluence Data Center (REST v1, space addressed by key)."""

    def __init__(self, client: httpx.AsyncClient, *, space: str) -> None:
        self._client = client
        self._space = space

    async def find_page(self, title: str) -> Page | None:
        """The page titled exactly `title`, following `_links.next` (start/limit)."""
        params: dict[str, str] | None = {
            "spaceKey": self._space,
            "title": title,
            "type": "page",
            "expand": EXPAND,
        }
        url: str | httpx.URL = CONTENT_PATH
        guard = api.link_guard()
        while True:
            try:
                body = await api.call(
                    self._client, "GET", url, what=f"the search for page {title!r}", params=params
                )
            except PublishError as error:
                if error.status == 404:  # "No space with key : X"
                    raise PublishError(
                        f"confluence space {self._space!r} was not found or is not visible to "
                        "these credentials (expected an existing space key, e.g. ENG)",
                        service=api.SERVICE,
                        status=404,
                    ) from None
                raise
            found = api.find_titled(body, title)
            if found is not None:
                return found
            following = api.next_link(body, guard)
            if following is None:
                return None
            # v1 `_links.next` is relative to the base URL (context path included in `base`).
            if not httpx.URL(following).is_absolute_url:
                following = f"{str(self._client.base_url).rstrip('/')}{following}"
            url, params = api.on_origin(self._client, following), None

    async def get_page(self, page_id: str) -> Page:
        """The page's latest version with its storage body."""
        return await api.read_page(self._client, CONTENT_PATH, page_id, params={"expand": EXPAND})

    async def create_page(self, *, title: str, body: str, parent: str | None) -> Page:
        """`POST /rest/api/content`: a page in the space, under `parent` when given."""
        payload: dict[str, Any] = {
            "type": "page",
            "title": title,
            "space": {"key": self._space},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        if parent:
            payload["ancestors"] = [{"id": parent}]
        return await api.create_page_at(self._client, CONTENT_PATH, payload, title=title, body=body)

    async def update_page(self, page: Page, *, body: str, message: str) -> Page:
        """`PUT /rest/api/content/{id}` with version current + 1 and a version message."""
        payload = {
            "id": page.id,
            "type": "page",
            "title": page.title,
            "space": {"key": self._space},
            "body": {"storage": {"value": body, "representation": "storage"}},
            "version": {"number": page.version + 1, "message": message},
        }
        return await api.update_page_at(self._client, CONTENT_PATH, page, payload, body=body)
