"""A stateful fake Confluence (Cloud REST v2 or Data Center REST v1) on 127.0.0.1.

Follows /work/shared/API-NOTES.md §B (copied as tests/specs/): keeps every page version,
409 on a stale version number, 410 GoneException on every v1 path of the Cloud flavour,
401 on bad credentials, unknown spaces, cursor pagination (Link header + `_links.next`),
injected faults. Like the real editor it adds `ac:macro-id` to macros it stores.
"""

from __future__ import annotations

import base64
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from fakes.server import FakeRequest, FakeResponse, RunningServer, serve

GONE = (
    "com.atlassian.confluence.api.service.exceptions.GoneException: "
    "This deprecated endpoint has been removed."
)
XML_ROOT = (
    '<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">'
    "{}</root>"
)


def parse_storage(body: str) -> ET.Element:
    """Parse a storage body as XML inside a root that declares the ac/ri namespaces."""
    return ET.fromstring(XML_ROOT.format(body))  # noqa: S314 - our own test data


@dataclass
class Version:
    """One stored version of a page."""

    number: int
    body: str
    message: str
    author: str


@dataclass
class StoredPage:
    """A page and its whole history."""

    id: str
    title: str
    space_key: str
    parent_id: str | None
    versions: list[Version] = field(default_factory=list)

    @property
    def current(self) -> Version:
        """The latest version."""
        return self.versions[-1]


@dataclass
class Fault:
    """An injected answer for the next matching request (optionally after doing the work)."""

    method: str
    path_prefix: str
    response: FakeResponse
    after_apply: bool = False


class FakeConfluence:
    """State + request handler; `running()` serves it and yields (server, base_url)."""

    def __init__(
        self,
        *,
        flavor: Literal["cloud", "datacenter"],
        spaces: dict[str, str] | None = None,
        email: str = "bot@acme.test",
        token: str = "cloud-token",  # noqa: S107 - the fake's test credential
        pat: str = "dc-pat",
        page_size: int = 25,
    ) -> None:
        self.flavor = flavor
        self.spaces = spaces or {"ENG": "98765"}
        self.pages: dict[str, StoredPage] = {}
        self.page_size = page_size
        self._auth = (
            "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
            if flavor == "cloud"
            else f"Bearer {pat}"
        )
        self._ids = itertools.count(123456)
        self._macro_ids = itertools.count(1)
        self._faults: list[Fault] = []
        self.before_put: list[Callable[[StoredPage], None]] = []
        self.base = "/wiki" if flavor == "cloud" else ""

    # ---- test controls ---------------------------------------------------------------
    def fail_next(
        self, method: str, path_prefix: str, response: FakeResponse, *, after_apply: bool = False
    ) -> None:
        """Answer the next matching request with `response` (after doing it, if asked)."""
        self._faults.append(Fault(method, self.base + path_prefix, response, after_apply))

    def edit_before_next_put(self, body: Callable[[str], str], *, author: str = "alice") -> None:
        """Someone saves a new version just before our next PUT arrives (a real 409 race)."""

        def edit(page: StoredPage) -> None:
            self.human_edit(page.id, body(page.current.body), author=author)

        self.before_put.append(edit)

    def human_edit(self, page_id: str, body: str, *, author: str = "alice") -> None:
        """A person saves a new version in the editor."""
        page = self.pages[page_id]
        page.versions.append(Version(page.current.number + 1, self._editor(body), "", author))

    def add_page(self, title: str, body: str, *, space: str = "ENG") -> StoredPage:
        """A page that exists before the run."""
        page = StoredPage(str(next(self._ids)), title, space, None)
        page.versions.append(Version(1, self._editor(body), "", "alice"))
        self.pages[page.id] = page
        return page

    def only_page(self) -> StoredPage:
        """The one page in the fake (fails when there are none or several)."""
        assert len(self.pages) == 1, f"expected one page, found {len(self.pages)}"
        return next(iter(self.pages.values()))

    @contextmanager
    def running(self) -> Iterator[tuple[RunningServer, str]]:
        """Serve on 127.0.0.1; yields the server and the base URL a user would configure."""
        with serve(self.handle) as server:
            yield server, server.url + self.base

    # ---- request handling ------------------------------------------------------------
    def handle(self, request: FakeRequest) -> FakeResponse:
        """Route one request, applying injected faults."""
        fault = next(
            (
                f
                for f in self._faults
                if f.method == request.method and request.path.startswith(f.path_prefix)
            ),
            None,
        )
        if fault is not None:
            self._faults.remove(fault)
            if not fault.after_apply:
                return fault.response
            self._route(request)
            return fault.response
        return self._route(request)

    def _route(self, request: FakeRequest) -> FakeResponse:
        path = request.path
        if self.flavor == "cloud" and path.startswith("/wiki/rest/api"):
            return self._v1_error(410, GONE)
        if request.headers.get("authorization") != self._auth:
            return self._error(401, "Unauthorized", "UNAUTHORIZED")
        if self.flavor == "cloud":
            return self._route_cloud(request)
        return self._route_dc(request)

    def _route_cloud(self, request: FakeRequest) -> FakeResponse:
        from fakes.confluence_cloud import route_cloud  # noqa: PLC0415 - split module

        return route_cloud(self, request)

    def _route_dc(self, request: FakeRequest) -> FakeResponse:
        from fakes.confluence_dc import route_dc  # noqa: PLC0415 - split module

        return route_dc(self, request)

    # ---- shared behaviour ------------------------------------------------------------
    def create(self, *, title: str, space: str, parent: str | None, body: str) -> StoredPage:
        """Store a new page as version 1."""
        page = StoredPage(str(next(self._ids)), title, space, parent)
        page.versions.append(Version(1, self._editor(body), "", "sprintsync"))
        self.pages[page.id] = page
        return page

    def title_taken(self, space: str, title: str) -> bool:
        """Whether a page with this title exists in the space."""
        return any(p.space_key == space and p.title == title for p in self.pages.values())

    def update(self, page: StoredPage, *, number: int, body: str, message: str) -> None:
        """Store a new version (caller checked the number)."""
        page.versions.append(Version(number, self._editor(body), message, "sprintsync"))

    def run_before_put(self, page: StoredPage) -> None:
        """Play a queued concurrent edit, if any."""
        if self.before_put:
            self.before_put.pop(0)(page)

    def _editor(self, body: str) -> str:
        # Like Confluence's editor on read-back: every macro gains an ac:macro-id.
        def add_id(match: re.Match[str]) -> str:
            if "ac:macro-id" in match.group(0):
                return match.group(0)
            return match.group(0)[:-1] + f' ac:macro-id="m-{next(self._macro_ids)}">'

        return re.sub(r"<ac:structured-macro\b[^>]*>", add_id, body)

    def invalid_storage(self, body: str) -> str | None:
        """Why a body is not well-formed XHTML (Confluence answers 400), or None."""
        try:
            parse_storage(body)
        except ET.ParseError as error:
            return f"Error parsing xhtml: {error}"
        return None

    def paginate(self, items: list[Any], offset: int, limit: int | None) -> tuple[list[Any], int]:
        """One page of `items` and the next offset (-1 when done)."""
        size = min(limit or self.page_size, self.page_size)
        chunk = items[offset : offset + size]
        following = offset + size
        return chunk, (following if following < len(items) else -1)

    def _error(self, status: int, title: str, code: str) -> FakeResponse:
        if self.flavor == "cloud":
            return v2_error(status, title, code)
        return self._v1_error(status, title)

    @staticmethod
    def _v1_error(status: int, message: str) -> FakeResponse:
        return v1_error(status, message)


def v2_error(status: int, title: str, code: str) -> FakeResponse:
    """The Cloud v2 error envelope."""
    return FakeResponse(
        status, {"errors": [{"status": status, "code": code, "title": title, "detail": None}]}
    )


def v1_error(status: int, message: str) -> FakeResponse:
    """The v1 (Data Center, removed Cloud paths) error envelope."""
    data = {"authorized": status != 401, "valid": True, "errors": [], "successful": False}
    return FakeResponse(status, {"statusCode": status, "data": data, "message": message})
