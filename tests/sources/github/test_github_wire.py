from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sprintsync.errors import UpstreamError
from sprintsync.sources.github.wire import (
    Iteration,
    build_points_notices,
    select_iteration,
    to_current_item,
    to_sprint,
    unique_items,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def pr_node(state, merged_at=None):
    """An items node whose content is a pull request."""
    return {
        "id": "PVTI_pr",
        "createdAt": "2026-11-17T01:00:00Z",
        "iteration": None,
        "points": {"__typename": "ProjectV2ItemFieldNumberValue", "number": 2},
        "status": None,
        "content": {
            "__typename": "PullRequest",
            "id": "PR_kw",
            "number": 77,
            "title": "Add cache",
            "prState": state,
            "closedAt": merged_at,
            "mergedAt": merged_at,
            "createdAt": "2026-11-16T01:00:00Z",
            "url": "https://github.com/acme/shop/pull/77",
            "repository": {"nameWithOwner": "acme/shop"},
            "labels": {"nodes": []},
            "assignees": {"nodes": [{"login": "hubot"}, {"login": "octocat"}]},
        },
    }


def test_merged_pull_request_is_closed_as_completed():
    """A merged PR is closed and completed, keyed repo#number, first assignee kept."""
    current = to_current_item(pr_node("MERGED", "2026-11-18T10:00:00Z"))
    snap = current.snapshot
    assert (snap.content_key, snap.closed, snap.completed) == ("acme/shop#77", True, True)
    assert snap.closed_at == datetime(2026, 11, 18, 10, tzinfo=UTC)
    assert (snap.points, snap.iteration_id) == (2.0, None)
    assert (current.issue_type, current.assignee) == ("Pull request", "hubot")


def test_pull_request_closed_unmerged_is_not_completed():
    """A PR closed without merging is closed but not completed."""
    snap = to_current_item(pr_node("CLOSED", "2026-11-18T10:00:00Z")).snapshot
    assert (snap.closed, snap.completed) == (True, False)


def test_redacted_item_keeps_its_item_id():
    """An item whose content is hidden (null) is keyed by its item id and says so."""
    node = {"id": "PVTI_x", "createdAt": "2026-11-17T01:00:00Z", "content": None}
    current = to_current_item(node)
    assert (current.snapshot.content_key, current.snapshot.title) == (
        "PVTI_x",
        "(no access to this item)",
    )
    assert current.issue_type == "Redacted"


def test_future_iteration_starts_at_local_midnight():
    """An iteration after the cut-off is future; start and end are midnights in the team zone."""
    future = Iteration("it9", "Iteration 9", date(2026, 12, 14), 7, completed=False)
    sprint = to_sprint(future, timezone=TOKYO, cutoff=datetime(2026, 11, 25, tzinfo=UTC), url=None)
    assert sprint.state == "future"
    assert sprint.start == datetime(2026, 12, 14, tzinfo=TOKYO)
    assert sprint.end == datetime(2026, 12, 21, tzinfo=TOKYO)
    assert sprint.complete is None


def test_unknown_iteration_title_lists_the_iterations():
    """A title that matches nothing is a service answer (exit 3) naming it and the iterations."""
    known = (Iteration("it7", "Iteration 7", date(2026, 11, 16), 14, completed=False),)
    with pytest.raises(UpstreamError) as caught:
        select_iteration(
            known, "Sprint 99", cutoff_day=date(2026, 11, 20), where="GitHub project acme/5"
        )
    assert str(caught.value) == (
        "GitHub project acme/5: source.iteration: no iteration titled 'Sprint 99' "
        "(iterations: Iteration 7 (2026-11-16, 14d))"
    )


def test_current_iteration_excludes_its_end_day():
    """`current` is [start, start + duration): the day after the last day is not in it."""
    known = (Iteration("it7", "Iteration 7", date(2026, 11, 16), 14, completed=False),)
    assert select_iteration(known, "current", cutoff_day=date(2026, 11, 29), where="p").id == "it7"
    with pytest.raises(UpstreamError):
        select_iteration(known, "current", cutoff_day=date(2026, 11, 30), where="p")


@pytest.mark.parametrize("points", [float("nan"), float("inf"), 1e308, -1e308])
def test_unusable_points_are_no_estimate_and_one_notice_names_the_item(points):
    """Points NaN / infinite / 1e308 on an item: unestimated, and a data-quality notice."""
    node = {**pr_node("OPEN"), "points": {"number": points}}
    current = to_current_item(node)
    assert current.snapshot.points is None
    [notice] = build_points_notices([current, to_current_item(pr_node("OPEN"))])
    assert notice.endswith(f"counted as unestimated: {current.snapshot.content_key} ({points!r})")


def test_an_item_repeated_across_pages_is_kept_once():
    """The same item id twice (a page repeated by the server) is one item, the first."""
    first, second = to_current_item(pr_node("OPEN")), to_current_item(pr_node("MERGED"))
    assert unique_items([first, second]) == [first]
