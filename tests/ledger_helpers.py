"""Tiny builders for ledger and reconcile tests: a two-week sprint and issues with histories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sprintsync.domain import (
    IssueLedger,
    Ledger,
    Sprint,
    SprintData,
    Timeline,
    TrackedIssue,
    WorkState,
)
from sprintsync.ledger import build_ledger

BERLIN = ZoneInfo("Europe/Berlin")
TODO, DOING, DONE = WorkState.TODO, WorkState.IN_PROGRESS, WorkState.DONE


def at(day: int, hour: int = 12, minute: int = 0, *, month: int = 1) -> datetime:
    """A UTC moment in 2025 (January unless `month` says otherwise)."""
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


START = at(24, 8)  # Friday 24 January 2025, 09:00 in Berlin
END = at(4, 17, month=2)  # Tuesday 4 February 2025, 18:00 in Berlin
LATE = at(20, month=2)  # a cut-off well after everything


def sprint(
    *, start: datetime = START, end: datetime | None = END, complete: datetime | None = None
) -> Sprint:
    """Sprint 5, closed when `complete` is given."""
    state = "active" if complete is None else "closed"
    return Sprint(id="5", name="Sprint 5", state=state, start=start, end=end, complete=complete)


def issue(
    key: str,
    *,
    member: bool = True,
    joins: tuple[tuple[datetime, bool], ...] = (),
    state: WorkState = TODO,
    moves: tuple[tuple[datetime, WorkState], ...] = (),
    points: float | None = 3.0,
    repoints: tuple[tuple[datetime, float | None], ...] = (),
    subtask: bool = False,
    labels: tuple[str, ...] = (),
    epic: str | None = None,
) -> TrackedIssue:
    """An issue: `member`/`joins` = sprint membership, `state`/`moves`, `points`/`repoints`."""
    return TrackedIssue(
        key=key,
        title=f"Title of {key}",
        in_sprint=Timeline(member, joins),
        state=Timeline(state, moves),
        estimate=Timeline(points, repoints),
        is_subtask=subtask,
        labels=labels,
        epic=epic,
    )


def done_at(moment: datetime) -> tuple[tuple[datetime, WorkState], ...]:
    """A single move into Done."""
    return ((moment, DONE),)


def data(
    *issues: TrackedIssue, complete: datetime | None = None, end: datetime | None = END
) -> SprintData:
    """SprintData for Sprint 5 holding `issues`."""
    return SprintData(sprint=sprint(complete=complete, end=end), issues=issues)


def run(
    *issues: TrackedIssue,
    cutoff: datetime = LATE,
    complete: datetime | None = None,
    **kwargs: Any,
) -> Ledger:
    """The ledger of Sprint 5 (Berlin time) holding `issues`."""
    return build_ledger(
        data(*issues, complete=complete),
        cutoff=cutoff,
        timezone=BERLIN,
        **kwargs,
    )


def verdict(ledger: Ledger, key: str) -> IssueLedger:
    """The ledger line of one issue."""
    (found,) = [line for line in ledger.issues if line.key == key]
    return found
