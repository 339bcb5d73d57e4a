"""The one guard every paginator uses against a repeated or endless page cursor."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import httpx

from sprintsync.errors import UpstreamError

MAX_PAGES = 10_000  # far past any real listing here; only a runaway server gets this far


class PageGuard:
    """Refuses a page cursor seen before in one listing, and a listing past `max_pages` pages.

    A server that hands back an earlier cursor (token, offset, link, first item) would be
    read forever; singer-sdk's `BaseAPIPaginator` raises "Loop detected in pagination" the
    same way. `repeated(cursor)` builds the error, so each API says what it repeated.
    """

    def __init__(
        self,
        *,
        repeated: Callable[[Hashable], UpstreamError],
        max_pages: int = MAX_PAGES,
    ) -> None:
        self._repeated = repeated
        self._max_pages = max_pages
        self._seen: set[Hashable] = set()

    @property
    def pages(self) -> int:
        """How many cursors were accepted."""
        return len(self._seen)

    def check(self, cursor: Hashable) -> None:
        """Accept the cursor of the next page, or raise: repeated, or too many pages."""
        if cursor in self._seen:
            raise self._repeated(cursor)
        if len(self._seen) >= self._max_pages:
            error = self._repeated(cursor)
            raise type(error)(
                f"{error.service}: more than {self._max_pages} pages in one listing; "
                "stopped instead of reading on",
                service=error.service,
            )
        self._seen.add(cursor)


def same_origin_link(
    base_url: httpx.URL,
    link: str | httpx.URL,
    *,
    service: str,
    error: type[UpstreamError] = UpstreamError,
) -> httpx.URL:
    """`link` resolved against `base_url`, refused unless on its origin (scheme, host, port).

    The client sends its credentials with every request, so a next-page link to another
    host would hand them over; such a link is an error naming the host, never followed.
    """
    url = base_url.join(link)
    if _origin(url) != _origin(base_url):
        raise error(
            f"{service} gave a next-page link to {url.scheme}://{url.netloc.decode()} "
            f"(expected {base_url.scheme}://{base_url.netloc.decode()}); not followed, "
            "so the credentials stay with the configured host",
            service=service,
        )
    return url


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default
