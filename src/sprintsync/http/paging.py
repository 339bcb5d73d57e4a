"""The one guard every paginator uses against a repeated or endless page cursor."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

import httpx

from sprintsync.errors import UpstreamError

MAX_PAGES = 10_000  # far past any real listing here; only a runaway server gets this far
SLACK_PAGES = 1  # one page past what `total` allows: a listing that grew while it was read
# Pages in a row that bring no new item yet point on. A real server can send a few (bulkfetch
# filters a page by field after cutting it, STYLE trap 10); an endless stream sends them forever.
MAX_STALLED_PAGES = 3


def max_pages_for(total: object, page_size: int) -> int | None:
    """The pages a listing of `total` items may take at `page_size`; None when `total` is unknown.

    `ceil(total / page_size)` plus one page of slack, never more than `MAX_PAGES`.
    """
    if not isinstance(total, int) or isinstance(total, bool) or total < 0 or page_size < 1:
        return None
    return min(MAX_PAGES, -(-total // page_size) + SLACK_PAGES)


class PageGuard:
    """Refuses a page cursor seen before in one listing, and a listing past `max_pages` pages.

    A server that hands back an earlier cursor (token, offset, link, first item) would be
    read forever; singer-sdk's `BaseAPIPaginator` raises "Loop detected in pagination" the
    same way. `repeated(cursor)` builds the error, so each API says what it repeated. Fresh
    cursors forever are stopped too: by `cap` (what the listing's `total` allows), and by
    `items` (more than `MAX_STALLED_PAGES` pages in a row that point on but bring no item not
    seen before make no progress).
    """

    def __init__(
        self,
        *,
        repeated: Callable[[Hashable], UpstreamError],
        max_pages: int = MAX_PAGES,
        what: str = "one listing",
    ) -> None:
        self._repeated = repeated
        self._what = what
        self._max_pages = max_pages
        self._seen: set[Hashable] = set()
        self._items: set[Hashable] = set()
        self._stalled = 0

    @property
    def pages(self) -> int:
        """How many cursors were accepted."""
        return len(self._seen)

    def cap(self, max_pages: int | None) -> None:
        """Lower the page limit to `max_pages` (from `max_pages_for`); None leaves it."""
        if max_pages is not None:
            self._max_pages = min(self._max_pages, max_pages)

    def check(self, cursor: Hashable, *, items: Iterable[Hashable] | None = None) -> None:
        """Accept the cursor of the next page, or raise: repeated, too many pages, no progress.

        `items` are the ids on the page that handed out `cursor`: when given, a page with no
        new id counts as stalled, and too many stalled pages in a row stop the listing.
        """
        if cursor in self._seen:
            raise self._repeated(cursor)
        if len(self._seen) >= self._max_pages:
            self._stop(cursor, f"more than {self._max_pages} pages in {self._what}")
        if items is not None:
            fresh = set(items) - self._items
            self._stalled = 0 if fresh else self._stalled + 1
            if self._stalled > MAX_STALLED_PAGES:
                self._stop(
                    cursor, f"{self._stalled} pages in a row of {self._what} brought no new item"
                )
            self._items |= fresh
        self._seen.add(cursor)

    def _stop(self, cursor: Hashable, reason: str) -> None:
        error = self._repeated(cursor)
        raise type(error)(
            f"{error.service}: {reason}; stopped instead of reading on", service=error.service
        )


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
