"""What the Confluence sink needs from either API (Cloud v2, Data Center v1), and its errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from sprintsync.domain import JSON
from sprintsync.errors import PublishError, UpstreamError, WriteConflictError, WriteUnknownError
from sprintsync.http import (
    BudgetSpent,
    PageGuard,
    check_response,
    describe_error_body,
    json_body,
    request_id,
    same_origin_link,
)

SERVICE = "confluence"
Deployment = Literal["cloud", "datacenter"]
HINTS: Mapping[int, str] = {
    401: (
        "the credentials were refused (Cloud: SPRINTSYNC_CONFLUENCE_EMAIL + "
        "SPRINTSYNC_CONFLUENCE_TOKEN; Data Center: SPRINTSYNC_CONFLUENCE_PAT)"
    ),
    403: "the credentials may not view or edit pages in this space",
    410: "this API is removed on Confluence Cloud; set deployment: cloud",
}


@dataclass(frozen=True, kw_only=True)
class Page:
    """One Confluence page as last read or written."""

    id: str
    title: str
    version: int
    body: str
    url: str | None = None


class PageApi(Protocol):
    """The four page operations, the same for Cloud and Data Center."""

    async def find_page(self, title: str) -> Page | None:
        """The current page with exactly this title in the space, or None."""
        ...

    async def get_page(self, page_id: str) -> Page:
        """The page's latest version with its storage body."""
        ...

    async def create_page(self, *, title: str, body: str, parent: str | None) -> Page:
        """Create the page (under `parent` when given)."""
        ...

    async def update_page(self, page: Page, *, body: str, message: str) -> Page:
        """Store `body` as version `page.version + 1` with a version message."""
        ...


async def call(
    client: httpx.AsyncClient,
    method: str,
    url: str | httpx.URL,
    *,
    what: str,
    **kwargs: Any,  # noqa: ANN401 - passed through to httpx
) -> JSON:
    """Send one request: its JSON, or a PublishError (a write: WriteConflictError/...Unknown)."""
    try:
        response = await client.request(method, url, **kwargs)
    except BudgetSpent as error:  # not sent, so not an unknown outcome
        raise PublishError(f"{SERVICE}: {error}, so {what} was not sent", service=SERVICE) from None
    except httpx.TransportError as error:
        message = f"{SERVICE} gave no answer to {what} ({type(error).__name__})"
        if method in {"POST", "PUT"}:
            raise WriteUnknownError(message, service=SERVICE) from None
        raise PublishError(message, service=SERVICE) from None
    if method in {"POST", "PUT"} and _is_conflict(response):
        raise WriteConflictError(
            f"{SERVICE} refused {what} with {response.status_code}: "
            f"{describe_error_body(response)}",
            service=SERVICE,
            status=response.status_code,
            request_id=request_id(response),
        )
    try:
        check_response(response, service=SERVICE, what=what, hints=HINTS)
        return json_body(response, service=SERVICE, what=what)
    except UpstreamError as error:
        raise as_publish_error(error) from None


def as_publish_error(error: UpstreamError) -> PublishError:
    """The same failure as a PublishError (exit 3, destination left as it was)."""
    if isinstance(error, PublishError):
        return error
    return PublishError(
        str(error), service=error.service, status=error.status, request_id=error.request_id
    )


def _is_conflict(response: httpx.Response) -> bool:
    if response.status_code == 409:
        return True
    # Creating a title that exists answers 400 "A page with this title already exists".
    return response.status_code == 400 and "already exists" in describe_error_body(response)


def link_guard() -> PageGuard:
    """The paging guard of one page listing: a repeated `_links.next` would loop forever."""
    return PageGuard(
        repeated=lambda link: PublishError(
            f"{SERVICE} repeated the pagination link {link!r}; stopping", service=SERVICE
        )
    )


def next_link(body: Mapping[str, Any], guard: PageGuard) -> str | None:
    """The `_links.next` of a list page, accepted by `guard` (a repeated link is refused)."""
    links = body.get("_links") or {}
    following = links.get("next") if isinstance(links, Mapping) else None
    if not following:
        return None
    guard.check(str(following), items=[str(r.get("id")) for r in body.get("results") or []])
    return str(following)


def on_origin(client: httpx.AsyncClient, url: str | httpx.URL) -> httpx.URL:
    """A next-page URL, refused (PublishError naming the host) unless on the client's origin."""
    return same_origin_link(client.base_url, url, service=SERVICE, error=PublishError)


def web_url(links: Mapping[str, Any] | None) -> str | None:
    """The page's browser URL from its `_links` (`base` + `webui`)."""
    if not links or not links.get("webui"):
        return None
    return f"{links.get('base', '')}{links['webui']}"


def to_page(raw: Mapping[str, Any], *, body: str | None = None) -> Page:
    """A Page from a v2 page or a v1 content object (`body` when the answer carries none).

    Both deployments put the storage body at `body.storage.value` and the version at
    `version.number`.
    """
    storage = ((raw.get("body") or {}).get("storage") or {}).get("value")
    return Page(
        id=str(raw["id"]),
        title=str(raw.get("title", "")),
        version=int((raw.get("version") or {}).get("number", 1)),
        body=storage if storage is not None else (body or ""),
        url=web_url(raw.get("_links")),
    )


def find_titled(body: Mapping[str, Any], title: str) -> Page | None:
    """The result of a list page whose title is exactly `title` (searches match loosely)."""
    for result in body.get("results") or []:
        if result.get("title") == title:
            return to_page(result)
    return None


async def read_page(
    client: httpx.AsyncClient, path: str, page_id: str, *, params: Mapping[str, str]
) -> Page:
    """`GET {path}/{id}`: the page's latest version with its storage body."""
    body = await call(
        client, "GET", f"{path}/{page_id}", what=f"the read of page {page_id}", params=params
    )
    return to_page(body)


async def create_page_at(
    client: httpx.AsyncClient, path: str, payload: Mapping[str, Any], *, title: str, body: str
) -> Page:
    """`POST {path}` of a new page; the answer (or `body`) becomes the Page."""
    answer = await call(client, "POST", path, what=f"the creation of page {title!r}", json=payload)
    return to_page(answer, body=body)


async def update_page_at(
    client: httpx.AsyncClient, path: str, page: Page, payload: Mapping[str, Any], *, body: str
) -> Page:
    """`PUT {path}/{id}` of the next version; the answer (or `body`) becomes the Page."""
    answer = await call(
        client, "PUT", f"{path}/{page.id}", what=f"the update of page {page.id}", json=payload
    )
    return to_page(answer, body=body)
