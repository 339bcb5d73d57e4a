from datetime import UTC, datetime

from fakes.jira_world import board_config
from sprintsync.sources.jira.parse import to_board_config
from sprintsync.sources.jira.source import (
    build_removed_jql,
    build_removed_scope,
    build_sprint_jql,
)

T0 = datetime(2025, 1, 24, 8, tzinfo=UTC)


def test_sprint_jql_is_bounded_by_the_sprint():
    """The main search restricts on the sprint id (bounded JQL, API-NOTES A.1)."""
    assert build_sprint_jql("5") == "sprint = 5"


def test_removed_jql_does_not_depend_on_the_board_filter():
    """Candidates wherever they live now (a moved issue leaves the filter), still bounded."""
    jql = build_removed_jql(sprint_id="5", since=T0)
    assert jql == 'updated >= "2025/01/23 08:00" AND (sprint != 5 OR sprint is EMPTY)'


def test_removed_jql_keeps_issues_with_an_empty_sprint_and_leaves_a_day_of_margin():
    """Candidates: scope, updated since a day before t0 (user time zone), not in S or no sprint."""
    jql = build_removed_jql(scope="filter = 10010", sprint_id="5", since=T0)
    assert jql == (
        'filter = 10010 AND updated >= "2025/01/23 08:00" AND (sprint != 5 OR sprint is EMPTY)'
    )


def test_removed_scope_prefers_the_board_filter_then_the_project():
    """The board's filter bounds the search; without one, the board's project."""
    raw = board_config(board=42, project="PRD", filter_id="10010")
    assert build_removed_scope(to_board_config(raw)) == "filter = 10010"
    assert build_removed_scope(to_board_config({**raw, "filter": {}})) == 'project = "PRD"'
    assert build_removed_scope(to_board_config({**raw, "filter": {}, "location": {}})) is None
