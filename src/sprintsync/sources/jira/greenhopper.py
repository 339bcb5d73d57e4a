"""Jira's own Sprint Report and Velocity chart (internal greenhopper resources, API-NOTES A.5.5).

Undocumented and unsupported (JSWSERVER-12877): every field is optional, and a 404, 401, 403,
a body that is not JSON, or an answer without `contents` means "Jira's report unavailable",
one line saying why, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import structlog

from sprintsync.domain import JSON, Outcome
from sprintsync.domain.jira_report import JiraReportIssue, JiraSprintReport
from sprintsync.errors import ReportUnavailableError, UpstreamError
from sprintsync.http import send_json

log = structlog.get_logger("sprintsync.jira")

SERVICE = "Jira"
CHARTS = "/rest/greenhopper/1.0/rapid/charts"
SPRINT_REPORT_PATH = f"{CHARTS}/sprintreport"
VELOCITY_PATH = f"{CHARTS}/velocity"
# Jira's Sprint Report lists and their SEMANTICS §3 outcomes (A.5.5); `incompletedIssues` is
# the JSW < 7 name of the not-completed list (bobcarroll/jira-client#217).
LISTS: tuple[tuple[str, Outcome], ...] = (
    ("completedIssues", Outcome.COMPLETED),
    ("issuesNotCompletedInCurrentSprint", Outcome.NOT_COMPLETED),
    ("incompletedIssues", Outcome.NOT_COMPLETED),
    ("puntedIssues", Outcome.REMOVED),
    ("issuesCompletedInAnotherSprint", Outcome.COMPLETED_OUTSIDE),
)
# The current-estimate sum of each list, under the name of the SEMANTICS §4 total it equals.
SUMS: tuple[tuple[str, str], ...] = (
    ("completedIssuesEstimateSum", "completed"),
    ("issuesNotCompletedEstimateSum", "remaining"),
    ("incompletedIssuesEstimateSum", "remaining"),
    ("puntedIssuesEstimateSum", "removed"),
    ("issuesCompletedInAnotherSprintEstimateSum", "completed_outside"),
)
UNAVAILABLE_HINTS = {
    401: "the credentials were refused",
    403: "the account may not view this board's reports",
    404: (
        "the internal resource is not served here (removed or renamed, a team-managed board, "
        "or the api.atlassian.com gateway, which routes documented APIs only)"
    ),
}


async def fetch_sprint_report(
    client: httpx.AsyncClient, *, board: int, sprint_id: str
) -> JiraSprintReport:
    """`GET …/rapid/charts/sprintreport?rapidViewId=B&sprintId=S`, parsed; unavailable raises."""
    what = f"the Sprint Report of sprint {sprint_id} on board {board}"
    body = await _get(client, SPRINT_REPORT_PATH, what=what, rapidViewId=board, sprintId=sprint_id)
    report = to_sprint_report(body, sprint_id=sprint_id)
    if report is None:
        raise ReportUnavailableError(
            f"Jira's Sprint Report is unavailable: Jira answered {what} without `contents`",
            service=SERVICE,
        )
    log.info("jira.sprint_report_fetched", board=board, sprint=sprint_id, issues=len(report.issues))
    return report


async def fetch_velocity(
    client: httpx.AsyncClient, *, board: int
) -> dict[str, tuple[float | None, float | None]]:
    """`GET …/rapid/charts/velocity?rapidViewId=B`: sprint id -> (estimated, completed)."""
    body = await _get(
        client, VELOCITY_PATH, what=f"the Velocity chart of board {board}", rapidViewId=board
    )
    return to_velocity(body)


async def _get(client: httpx.AsyncClient, path: str, *, what: str, **params: JSON) -> JSON:
    try:
        return await send_json(
            client, "GET", path, service=SERVICE, what=what, hints=UNAVAILABLE_HINTS, params=params
        )
    except UpstreamError as error:
        raise ReportUnavailableError(
            f"Jira's report is unavailable (an internal, unsupported resource): {error}",
            service=SERVICE,
            status=error.status,
            request_id=error.request_id,
        ) from None


def to_sprint_report(body: JSON, *, sprint_id: str) -> JiraSprintReport | None:
    """The report from a `sprintreport` answer, or None when it carries no `contents`."""
    contents = body.get("contents") if isinstance(body, dict) else None
    if not isinstance(contents, dict):
        return None
    sprint = body.get("sprint") if isinstance(body.get("sprint"), dict) else {}
    issues = tuple(
        issue
        for name, outcome in LISTS
        for entry in _list(contents.get(name))
        if (issue := to_report_issue(entry, outcome)) is not None
    )
    sums: dict[str, float | None] = {}
    for name, total in SUMS:
        if name in contents and total not in sums:
            sums[total] = to_sum(contents[name])
    return JiraSprintReport(
        sprint_id=str(sprint.get("id", sprint_id)),
        sprint_name=str(sprint.get("name") or ""),
        state=str(sprint.get("state") or "").lower(),
        issues=issues,
        added=to_added_keys(contents.get("issueKeysAddedDuringSprint")),
        sums=sums,
    )


def to_report_issue(entry: object, outcome: Outcome) -> JiraReportIssue | None:
    """One list entry (inline names or ids + `entityData`: only the key and estimates matter)."""
    if not isinstance(entry, dict) or not entry.get("key"):
        return None
    return JiraReportIssue(
        key=str(entry["key"]),
        category=outcome,
        initial_estimate=to_statistic(entry.get("estimateStatistic")),
        final_estimate=to_statistic(entry.get("currentEstimateStatistic")),
        is_subtask=str(entry.get("typeName") or "").lower() in {"sub-task", "subtask"},
    )


def to_statistic(value: object) -> float | None:
    """`{"statFieldId", "statFieldValue": {"value": n}}`; `statFieldValue: {}` = unestimated."""
    if not isinstance(value, dict):
        return None
    field_value = value.get("statFieldValue")
    return _number(field_value.get("value")) if isinstance(field_value, dict) else None


def to_sum(value: object) -> float | None:
    """`{"value": n, "text": "n.0"}`; `{"text": "null"}` (no estimated issue) is None."""
    return _number(value.get("value")) if isinstance(value, dict) else None


def to_added_keys(value: object) -> frozenset[str]:
    """`issueKeysAddedDuringSprint`: an object `{"KEY": true}` (a list accepted leniently)."""
    if isinstance(value, dict):
        return frozenset(str(key) for key, flag in value.items() if flag)
    if isinstance(value, list):
        return frozenset(str(key) for key in value)
    return frozenset()


def to_velocity(body: JSON) -> dict[str, tuple[float | None, float | None]]:
    """`velocityStatEntries` keyed by sprint id (strings): `estimated` and `completed` values."""
    entries = body.get("velocityStatEntries") if isinstance(body, dict) else None
    if not isinstance(entries, dict):
        return {}
    return {
        str(sprint): (_sum_of(entry, "estimated"), _sum_of(entry, "completed"))
        for sprint, entry in entries.items()
        if isinstance(entry, dict)
    }


def _sum_of(entry: Mapping[str, Any], name: str) -> float | None:
    return to_sum(entry.get(name))


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class GreenhopperReports:
    """`SprintReportSource` over Jira Software's internal chart resources of one board."""

    def __init__(self, client: httpx.AsyncClient, *, board: int) -> None:
        self._client = client
        self._board = board

    async def sprint_report(self, sprint_id: str) -> JiraSprintReport:
        """The board's Sprint Report of `sprint_id` (A.5.5)."""
        return await fetch_sprint_report(self._client, board=self._board, sprint_id=sprint_id)

    async def velocity(self) -> dict[str, tuple[float | None, float | None]]:
        """The board's Velocity chart (A.5.5)."""
        return await fetch_velocity(self._client, board=self._board)
