"""What changed since the previous report, from the timelines alone (pure).

The previous report is the previous working day's (its end in the team's time zone); with no
working day between the sprint's start and the cut-off's day, the sprint's start. Between that
moment and the cut-off: added (into the sprint), removed (out of it), re-estimated (estimate at
the two moments differs, the issue in the sprint at both), reopened (Done then, not Done now,
in the sprint now) and newly blocked (flag up now, not then, in the sprint now).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sprintsync.domain import TrackedIssue, WorkState
from sprintsync.report.context import DayContext
from sprintsync.report.sections.model import ChangesView, ReestimateView
from sprintsync.report.text import format_points, long_date

UNESTIMATED = "unestimated"


def previous_report_moment(context: DayContext) -> tuple[datetime, date, bool]:
    """The previous report's moment, its date, and whether that is the sprint's start."""
    today = context.ledger.cutoff.astimezone(context.zone).date()
    day = today - timedelta(days=1)
    while day >= context.start_date:
        if day.weekday() in context.working_days:
            end = datetime.combine(day + timedelta(days=1), time(), tzinfo=context.zone)
            return end - timedelta(microseconds=1), day, False
        day -= timedelta(days=1)
    return context.ledger.sprint.start, context.start_date, True


def build_changes(context: DayContext) -> ChangesView:
    """The changes between the previous report and the cut-off, in ledger order."""
    then, since, since_start = previous_report_moment(context)
    now = context.ledger.cutoff
    found: dict[str, list[str]] = {n: [] for n in ("added", "removed", "reopened", "blocked")}
    reestimated: list[ReestimateView] = []
    for key in context.issues:
        tracked = context.tracked.get(key)
        if tracked is None:
            continue
        was_in, is_in = tracked.in_sprint.value_at(then), tracked.in_sprint.value_at(now)
        if is_in and not was_in:
            found["added"].append(key)
        if was_in and not is_in:
            found["removed"].append(key)
        if not is_in:
            continue
        before, after = tracked.estimate.value_at(then), tracked.estimate.value_at(now)
        if was_in and before != after:
            reestimated.append(ReestimateView(key=key, before=before, after=after))
        if _reopened(tracked, then, now):
            found["reopened"].append(key)
        if tracked.flagged.value_at(now) and not tracked.flagged.value_at(then):
            found["blocked"].append(key)
    view = ChangesView(
        since=since,
        since_start=since_start,
        added=tuple(found["added"]),
        removed=tuple(found["removed"]),
        reestimated=tuple(reestimated),
        reopened=tuple(found["reopened"]),
        newly_blocked=tuple(found["blocked"]),
    )
    return replace(view, lines=_lines(view), heading=since_text(view))


def _reopened(tracked: TrackedIssue, then: datetime, now: datetime) -> bool:
    was_done = tracked.state.value_at(then) is WorkState.DONE
    return was_done and tracked.state.value_at(now) is not WorkState.DONE


def _estimate(value: float | None) -> str:
    return UNESTIMATED if value is None else format_points(value)


def _lines(view: ChangesView) -> tuple[str, ...]:
    lines = []
    if view.added:
        lines.append(f"Added to the sprint: {', '.join(view.added)}")
    if view.removed:
        lines.append(f"Removed from the sprint: {', '.join(view.removed)}")
    if view.reestimated:
        moves = ", ".join(
            f"{r.key} {_estimate(r.before)} → {_estimate(r.after)}" for r in view.reestimated
        )
        lines.append(f"Re-estimated: {moves}")
    if view.reopened:
        lines.append(f"Reopened: {', '.join(view.reopened)}")
    if view.newly_blocked:
        lines.append(f"Newly flagged: {', '.join(view.newly_blocked)}")
    return tuple(lines)


def since_text(view: ChangesView) -> str:
    """The section's heading line: since when the changes are counted."""
    if view.since_start:
        return f"Since the sprint started ({long_date(view.since)})"
    return f"Since the end of {long_date(view.since)}"
