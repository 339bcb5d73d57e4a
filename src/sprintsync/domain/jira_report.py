"""Jira's own Sprint Report and Velocity figures for one sprint, as parsed values (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sprintsync.domain.model import Outcome


@dataclass(frozen=True)
class JiraReportIssue:
    """One entry of a Sprint Report list; an estimate of None = unestimated or not given."""

    key: str
    category: Outcome
    initial_estimate: float | None  # `estimateStatistic`: when the issue entered the sprint
    final_estimate: float | None  # `currentEstimateStatistic`: at the close, or now
    is_subtask: bool = False


@dataclass(frozen=True)
class JiraSprintReport:
    """Jira's Sprint Report (greenhopper `sprintreport`, API-NOTES A.5.5), every field optional.

    `sums` maps our total's name (`completed`, `remaining`, `removed`, `completed_outside`) to
    the report's current-estimate sum of that list: a number, None for Jira's `{"text": "null"}`
    (no estimated issue in the list); a sum the answer lacks is absent. `velocity_estimated` and
    `velocity_completed` come from the Velocity chart when it lists the sprint (closed only).
    """

    sprint_id: str
    sprint_name: str = ""
    state: str = ""
    issues: tuple[JiraReportIssue, ...] = ()
    added: frozenset[str] = frozenset()  # `issueKeysAddedDuringSprint`
    sums: dict[str, float | None] = field(default_factory=dict)
    velocity_estimated: float | None = None
    velocity_completed: float | None = None
    notes: tuple[str, ...] = ()  # what could not be read (e.g. the Velocity chart)
