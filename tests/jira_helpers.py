"""What the sample Jira world (fakes/jira_sample.py) must come back as, whatever the deployment."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fakes.jira_world import FakeIssue, board_config
from sprintsync.cli import main
from sprintsync.domain import SprintData, WorkState

CUTOFF = datetime(2026, 11, 20, tzinfo=UTC)
T0 = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)

# The explicit `fields` both deployments' searches ask for (A.1, A.9).
WANTED_FIELDS = [
    "summary",
    "status",
    "issuetype",
    "assignee",
    "created",
    "updated",
    "description",
    "issuelinks",
    "parent",
    "labels",
    "customfield_10020",
    "customfield_10016",
    "customfield_10021",
]
# The removed-issue search for sprint 5 started 2025-01-24 08:00Z (outside the board's filter
# too: a moved issue no longer matches it, SEMANTICS §2).
REMOVED_JQL_S5 = 'updated >= "2025/01/23 08:00" AND (sprint != 5 OR sprint is EMPTY)'


def bean(fake: FakeIssue, *, site: str, platform: str, fields: Any = None) -> dict[str, Any]:
    """A search IssueBean for a fake issue (`platform` is `/rest/api/3` or `/rest/api/2`)."""
    return {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog",
        "id": fake.id,
        "self": f"{site}{platform}/issue/{fake.id}",
        "key": fake.key,
        "fields": fields or fake.fields,
    }


def mock_board_42(
    httpx_mock: Any,
    *,
    site: str,
    platform: str,
    myself: dict[str, Any],
    sprint_pages: list[dict[str, Any]],
    fields: list[dict[str, Any]],
) -> None:
    """The read-only calls before the searches: myself, the sprint pages, config, fields."""
    httpx_mock.add_response(method="GET", url=f"{site}{platform}/myself", json=myself)
    for page in sprint_pages:
        httpx_mock.add_response(
            method="GET",
            url=f"{site}/rest/agile/1.0/board/42/sprint?startAt={page['startAt']}&maxResults=50",
            json=page,
        )
    httpx_mock.add_response(
        method="GET",
        url=f"{site}/rest/agile/1.0/board/42/configuration",
        json=board_config(board=42, project="PRD", filter_id="10010", site=site),
    )
    httpx_mock.add_response(method="GET", url=f"{site}{platform}/field", json=fields)


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A moment in November 2026, UTC."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def assert_sample_timelines(data: SprintData) -> None:
    """Removed, added-late, re-estimated, flagged and sub-task issues have their true timelines."""
    issues = {i.key: i for i in data.issues}
    assert data.sprint.id == "42"
    assert data.sprint.start == T0
    assert sorted(issues) == ["ABC-1", "ABC-2", "ABC-3", "ABC-4", "ABC-5", "ABC-8"]
    removed = issues["ABC-2"]
    assert removed.in_sprint.value_at(T0) is True
    assert removed.in_sprint.value_at(at(15, 12)) is False
    moved = issues["ABC-8"]
    assert moved.in_sprint.value_at(T0) is True
    assert moved.in_sprint.value_at(CUTOFF) is False
    added = issues["ABC-3"]
    assert added.in_sprint.value_at(T0) is False
    assert added.in_sprint.changes == ((at(14, 10), True),)
    assert added.state.value_at(CUTOFF) is WorkState.IN_PROGRESS
    estimated = issues["ABC-4"]
    assert estimated.in_sprint.value_at(T0) is True
    assert estimated.estimate.value_at(T0) == 3.0
    assert estimated.estimate.value_at(CUTOFF) == 8.0
    assert estimated.flagged.value_at(at(15)) is False
    assert estimated.flagged.value_at(CUTOFF) is True
    subtask = issues["ABC-5"]
    assert subtask.is_subtask is True
    assert subtask.estimate.value_at(CUTOFF) is None
    done = issues["ABC-1"]
    assert done.state.value_at(at(13, 15)) is WorkState.DONE
    assert done.details == ("Raise the timeout", "Add a retry")
    assert done.result == "checkout completes under load"


def assert_sample_totals(status: dict[str, Any]) -> None:
    """The status JSON of the sample world at --now 2026-11-20T12:00Z: SEMANTICS §2-§5 totals."""
    assert status["totals"] == {
        "committed": 19,  # ABC-1 3, ABC-2 5, ABC-4 3 (its estimate at t0), ABC-8 8
        "added": 2,  # ABC-3, created into the sprint after the start
        "removed": 13,  # ABC-2 5 (sprint cleared), ABC-8 8 (moved to sprint 43)
        "completed": 3,  # ABC-1
        "completed_outside": 0,
        "remaining": 10,  # ABC-3 2 + ABC-4 8
        "scope": 13,
        "percent_complete": 23.1,  # 3 / 13
        "estimate_change": 5,  # ABC-4 3 -> 8
    }
    outcomes = {issue["key"]: issue["outcome"] for issue in status["issues"]}
    assert outcomes == {
        "ABC-1": "completed",
        "ABC-2": "removed",
        "ABC-3": "not_completed",
        "ABC-4": "not_completed",
        "ABC-8": "removed",
    }


CONFIG = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: checkout
    source:
      type: jira
      deployment: {deployment}
      url: {url}
      board: {board}
      sprint: {sprint}
    publish:
      - {{type: file, path: out/checkout.md}}
      - {{type: file, path: out/checkout.json}}
"""


def write_config(
    tmp_path: Path, url: str, *, board: int = 7, sprint: str = "active", deployment: str = "cloud"
) -> Path:
    """A config for one team reading the fake's board, publishing Markdown and JSON files."""
    path = tmp_path / "sprintsync.yaml"
    path.write_text(
        CONFIG.format(url=url, board=board, sprint=sprint, deployment=deployment), encoding="utf-8"
    )
    return path


TEAM = """\
  - name: {name}
    source: {{type: jira, deployment: cloud, url: {url}, board: {board}, sprint: {sprint}}}
    publish:
      - {{type: file, path: out/{name}.json}}
"""


def write_teams(tmp_path: Path, url: str, teams: list[tuple[str, int, str]], **top: int) -> Path:
    """A config with one team per (name, board, sprint), each writing out/NAME.json."""
    head = "".join(f"{key}: {value}\n" for key, value in top.items())
    body = "".join(
        TEAM.format(name=name, url=url, board=board, sprint=sprint) for name, board, sprint in teams
    )
    path = tmp_path / "sprintsync.yaml"
    path.write_text(
        f"timezone: Europe/Berlin\n{head}http: {{max_wait_seconds: 0, base_wait_seconds: 0}}\n"
        f"teams:\n{body}",
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> int:
    """`sprintsync run --config FILE ...` in-process."""
    return main(["run", "--config", str(config), *args])
