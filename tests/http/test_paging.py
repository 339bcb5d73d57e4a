"""One paging guard for every paginator: a repeated cursor, or too many pages, is refused."""

import pytest

from sprintsync.errors import PublishError, UpstreamError
from sprintsync.http import PageGuard


def test_a_repeated_cursor_raises_the_callers_error():
    """The second sight of a cursor raises the error the paginator built for it."""
    guard = PageGuard(repeated=lambda c: PublishError(f"repeated {c!r}", service="Confluence"))
    guard.check("a")
    guard.check("b")
    with pytest.raises(PublishError, match="repeated 'a'"):
        guard.check("a")
    assert guard.pages == 2


def test_an_endless_stream_of_fresh_cursors_stops_at_the_page_limit():
    """Fresh cursors for ever still end: past `max_pages` the listing is refused."""
    guard = PageGuard(repeated=lambda c: UpstreamError(f"again {c}", service="Jira"), max_pages=3)
    for cursor in range(3):
        guard.check(cursor)
    with pytest.raises(UpstreamError, match="more than 3 pages"):
        guard.check(99)
