"""Frozen dataclasses of the report view model (documented rules: report/view.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sprintsync.domain import DateMismatch, DayFigures, PointsMismatch, Totals
from sprintsync.report.sections.model import SectionsView


@dataclass(frozen=True)
class SprintView:
    """The sprint's identity, dates in the team's time zone."""

    id: str
    name: str
    goal: str
    state: str
    start: date
    end: date | None
    url: str | None = None


@dataclass(frozen=True)
class OverviewView:
    """The "Sprint Overview" section."""

    title: str  # "Sprint 5 Daily Status Report"
    sprint_label: str  # "5"
    theme: str
    duration: str  # "January 24 - February 4, 2025 (10 days)"
    total_points: float
    total_points_text: str
    scope_text: str | None = None  # set only when scope differs from the commitment


@dataclass(frozen=True)
class CompletedTaskView:
    """One issue completed on a day."""

    label: str  # plan item id, else the issue key
    key: str
    title: str
    points: float
    points_text: str
    added_after_start: bool
    estimate_change: str | None  # "3 → 5" when initial != final
    details: tuple[str, ...]
    result: str | None
    url: str | None
    label_is_key: bool


@dataclass(frozen=True)
class ProgressView:
    """Completed / scope at a day's end."""

    completed: float
    scope: float
    percent: float
    text: str  # "22/75 points (29.3%)"


@dataclass(frozen=True)
class VelocityView:
    """Points completed that day and the trend word."""

    points: float
    trend: str  # "On track" | "Behind" | "Accelerating" | "Steady" | "Slowing" | "Done"
    text: str  # "On track at 7 points/day"


@dataclass(frozen=True)
class BlockerView:
    """A blocker line and its resolution, if any."""

    text: str
    resolution: str | None = None


@dataclass(frozen=True)
class DayView:
    """One reported day."""

    number: int
    date: date
    title_date: str  # "January 24, 2025"
    is_working_day: bool
    goal: str
    completed: tuple[CompletedTaskView, ...]
    progress: ProgressView
    in_progress: tuple[str, ...]
    in_progress_text: str  # "SEC-001 (Security hardening)" or "None"
    velocity: VelocityView
    blockers: tuple[BlockerView, ...]
    insights: tuple[str, ...]


@dataclass(frozen=True)
class BurndownPoint:
    """One reported day of the burndown chart."""

    date: date
    label: str  # "01-24"
    day_label: str  # "Day 1 (01-24)"
    ideal: float
    remaining: float
    scope_change: float
    ideal_text: str  # one decimal at most: "66.7", "75"
    remaining_text: str
    scope_change_text: str  # "+5", "0", "-3"
    scope: float = 0.0  # completed + remaining at the day's end (the committed points at Start)


@dataclass(frozen=True)
class BurndownView:
    """The burndown series and the chart's y-axis range."""

    points: tuple[BurndownPoint, ...]
    y_max: int


@dataclass(frozen=True)
class IssueView:
    """One issue of the report, for the JSON output."""

    key: str
    title: str
    outcome: str
    added_after_start: bool
    initial_estimate: float
    final_estimate: float
    unestimated: bool
    done_on: date | None
    removed_on: date | None
    item: str | None
    url: str | None


@dataclass(frozen=True)
class PlanDiffView:
    """The plan's differences from the tracker (empty when there is no plan)."""

    missing: tuple[str, ...] = ()
    unplanned: tuple[str, ...] = ()
    points_mismatch: tuple[PointsMismatch, ...] = ()
    date_mismatch: tuple[DateMismatch, ...] = ()


@dataclass(frozen=True)
class ReportView:
    """Everything a report format needs."""

    team: str
    as_of: date
    sprint: SprintView
    overview: OverviewView
    totals: Totals
    days: tuple[DayView, ...]
    figures: tuple[DayFigures, ...]  # every ledger day, reported or not
    burndown: BurndownView
    issues: tuple[IssueView, ...]
    plan: PlanDiffView
    excluded_subtasks: tuple[str, ...]
    notices: tuple[str, ...]
    sections: SectionsView | None = None  # the optional sections turned on (report.sections)
