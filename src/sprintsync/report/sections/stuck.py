"""Stuck work: open issues In Progress too long or with no recorded change for too long (pure).

An open issue In Progress at the cut-off is stuck when it has been In Progress (since its last
move into In Progress) for more than N working days, or when no change the source records
(status, estimate, sprint membership, flag) happened for more than N working days. Ages are
working days after the date up to the cut-off's day; an issue In Progress since before its
recorded history counts from the sprint's start. Oldest first.
"""

from __future__ import annotations

from datetime import date, datetime

from sprintsync.domain import Outcome, TrackedIssue, WorkState
from sprintsync.report.context import DayContext
from sprintsync.report.sections.calendar import age_in_working_days
from sprintsync.report.sections.model import StuckView
from sprintsync.report.text import long_date


def build_stuck(context: DayContext, *, after_days: int) -> tuple[StuckView, ...]:
    """The stuck issues at the cut-off, the longest in progress first, then ledger order."""
    cutoff = context.ledger.cutoff
    today = cutoff.astimezone(context.zone).date()
    found: list[StuckView] = []
    for key, issue in context.issues.items():
        tracked = context.tracked.get(key)
        if tracked is None or issue.outcome is not Outcome.NOT_COMPLETED:
            continue
        if tracked.state.value_at(cutoff) is not WorkState.IN_PROGRESS:
            continue
        since = _in_progress_since(tracked, cutoff)
        since_day = since.astimezone(context.zone).date() if since else None
        doing = age_in_working_days(since_day or context.start_date, today, context.working_days)
        last = _last_change(tracked, cutoff)
        last_day = last.astimezone(context.zone).date() if last else None
        quiet = age_in_working_days(last_day or context.start_date, today, context.working_days)
        reasons = []
        if doing > after_days:
            reasons.append(f"in progress for {doing} working days")
        if quiet > after_days:
            reasons.append(f"no recorded change for {quiet} working days")
        if reasons:
            found.append(
                StuckView(
                    key=key,
                    title=issue.title,
                    assignee=tracked.assignee,
                    in_progress_since=since_day,
                    in_progress_days=doing,
                    last_change=last_day,
                    days_without_change=quiet,
                    reasons=tuple(reasons),
                    text=_text(key, issue.title, since_day, tracked.assignee, reasons),
                )
            )
    found.sort(key=lambda s: -s.in_progress_days)  # stable: ledger order among equals
    return tuple(found)


def _in_progress_since(tracked: TrackedIssue, cutoff: datetime) -> datetime | None:
    """The moment of the move into In Progress still in force at the cut-off (None: before)."""
    since, state = None, tracked.state.initial
    for moment, value in tracked.state.changes:
        if moment > cutoff:
            break
        if value is WorkState.IN_PROGRESS and state is not WorkState.IN_PROGRESS:
            since = moment
        state = value
    return since


def _last_change(tracked: TrackedIssue, cutoff: datetime) -> datetime | None:
    timelines = (tracked.state, tracked.estimate, tracked.in_sprint, tracked.flagged)
    moments = [m for t in timelines for m in t.moments if m <= cutoff]
    return max(moments, default=None)


def _text(
    key: str, title: str, since: date | None, assignee: str | None, reasons: list[str]
) -> str:
    start = f"since {long_date(since)}" if since else "since before its recorded history"
    who = assignee or "unassigned"
    return f"{title} ({key}, {who}): In Progress {start}; {', '.join(reasons)}"
