"""One paging guard for every paginator: a repeated cursor, or too many pages, is refused."""

import pytest

from sprintsync.errors import PublishError, UpstreamError
from sprintsync.http import PageGuard, max_pages_for
from sprintsync.http.paging import MAX_PAGES, MAX_STALLED_PAGES


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


def test_max_pages_for_allows_what_the_total_needs_plus_one():
    """`total` items at `page_size` take ceil(total / size) pages; one more is slack."""
    assert max_pages_for(250, 100) == 4
    assert max_pages_for(0, 100) == 1
    assert max_pages_for(None, 100) is None
    assert max_pages_for(True, 100) is None
    assert max_pages_for(10**12, 1) == MAX_PAGES


def test_a_capped_listing_stops_at_what_its_total_allows():
    """An endless stream of fresh cursors under `cap(total)` ends within total/page + 2 pages."""
    guard = PageGuard(repeated=lambda c: UpstreamError(f"again {c}", service="GitHub"))
    guard.cap(max_pages_for(250, 100))
    guard.cap(None)  # an answer without a total leaves the cap
    for cursor in range(4):
        guard.check(cursor, items=[f"item-{cursor}"])
    with pytest.raises(UpstreamError, match="more than 4 pages"):
        guard.check(99, items=["item-99"])
    assert guard.pages == 4


def test_pages_that_bring_no_new_item_stop_the_listing_after_a_few():
    """Fresh cursors on pages of nothing new: a few are tolerated, then the listing stops."""
    guard = PageGuard(repeated=lambda c: UpstreamError(f"again {c}", service="Jira"), what="X")
    guard.check("a", items=["1", "2"])
    guard.check("b", items=[])  # a page filtered empty, then real progress again
    guard.check("c", items=["3"])
    for cursor in range(MAX_STALLED_PAGES):
        guard.check(cursor, items=["1"])
    with pytest.raises(UpstreamError, match=r"^Jira: 4 pages in a row of X brought no new item"):
        guard.check("z", items=[])
