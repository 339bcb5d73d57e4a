"""Frozen values of the optional report sections (rules: each section's module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ThroughputDay:
    """One working day of the forecast's history: points completed, and by which issues."""

    date: date
    points: float
    keys: tuple[str, ...]
    label: str = ""  # "01-24"
    points_text: str = ""  # "7"


@dataclass(frozen=True, kw_only=True)
class ForecastView:
    """The finish-date forecast from the sprint's own daily throughput."""

    remaining: float
    working_days_left: int  # after the cut-off's day, up to the end date, both included
    history: tuple[ThroughputDay, ...]
    enough_history: bool
    pace: float | None = None  # mean points per working day of the history
    pace_finish: date | None = None  # the linear pace line reaches 0 on this working day
    runs: int = 0
    seed: str = ""
    probability_by_end: float | None = None  # percent of runs finishing by the end date
    finish_p50: date | None = None
    finish_p85: date | None = None
    unfinished_runs: int = 0  # runs not finished within the simulation's horizon
    lines: tuple[str, ...] = ()  # the section's text, one line each


@dataclass(frozen=True, kw_only=True)
class BlockerAgeView:
    """One flagged or blocked open issue: since when, who, what it blocks."""

    key: str
    title: str
    assignee: str | None
    flagged_since: date | None  # None: not flagged, or flagged before its recorded history
    age_working_days: int | None
    blocked_by: tuple[str, ...]
    blocks: tuple[str, ...]
    text: str
    resolution: str | None = None  # a flag cleared on the cut-off's day: the clearing comment


@dataclass(frozen=True, kw_only=True)
class StuckView:
    """One open issue in progress too long, or with no recorded change for too long."""

    key: str
    title: str
    assignee: str | None
    in_progress_since: date | None  # None: in progress since before its recorded history
    in_progress_days: int
    last_change: date | None
    days_without_change: int
    reasons: tuple[str, ...]
    text: str


@dataclass(frozen=True, kw_only=True)
class ReestimateView:
    """An estimate changed since the previous report."""

    key: str
    before: float | None
    after: float | None


@dataclass(frozen=True, kw_only=True)
class ChangesView:
    """What moved between the previous working day's end and the cut-off."""

    since: date  # the end of this day (the previous report), or the sprint's start
    since_start: bool  # no earlier working day in the sprint: changes since its start
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reestimated: tuple[ReestimateView, ...] = ()
    reopened: tuple[str, ...] = ()
    newly_blocked: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    heading: str = ""  # "Since the end of January 24, 2025"


@dataclass(frozen=True, kw_only=True)
class QualityCheck:
    """One data-quality finding with the issue keys (or plan item ids) behind it."""

    check: str  # "unestimated", "subtask_points", "plan_missing", ...
    keys: tuple[str, ...]
    text: str


@dataclass(frozen=True, kw_only=True)
class SectionsView:
    """The optional sections a team turned on; None = off."""

    forecast: ForecastView | None = None
    blockers: tuple[BlockerAgeView, ...] | None = None
    stuck: tuple[StuckView, ...] | None = None
    stuck_after_days: int = 3
    changes: ChangesView | None = None
    data_quality: tuple[QualityCheck, ...] | None = None
    velocity: VelocityView | None = None


@dataclass(frozen=True, kw_only=True)
class VelocityHistory:
    """The board's closed sprints as the composition root fetched them (plain values)."""

    sprints: tuple[tuple[str, float, float], ...] = ()  # (name, committed, completed), newest first
    wanted: int = 6  # how many closed sprints were asked for (`report.velocity_sprints`)
    notices: tuple[str, ...] = ()  # e.g. where Jira's Velocity chart disagrees with our ledger
    unavailable: str | None = None  # why there is no history (GitHub Projects, an error)


@dataclass(frozen=True, kw_only=True)
class VelocitySprintView:
    """One closed sprint of the velocity history."""

    name: str
    committed: float
    completed: float
    predictability: float | None  # 100 x completed / committed, one decimal; None: committed 0
    text: str


@dataclass(frozen=True, kw_only=True)
class VelocityView:
    """Committed vs completed over the last closed sprints, and today's commitment against it."""

    sprints: tuple[VelocitySprintView, ...]
    wanted: int
    average_committed: float | None
    average_completed: float | None
    predictability: float | None  # 100 x sum completed / sum committed; None: nothing committed
    current_committed: float
    lines: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
