"""The report view's former per-day evaluation, kept as a test oracle for report/activity.py.

Every issue is scanned on every reported day (O(days x issues)) for its in-progress state, its
flag and its scope changes: slow, but the documented rules (report/view.py) as written.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime

from sprintsync.domain import DayFigures, IssueLedger, Outcome, PlanDay, Timeline, WorkState
from sprintsync.report.context import DayContext
from sprintsync.report.days import build_progress, build_trend
from sprintsync.report.insights import pace_line, plan_difference_lines
from sprintsync.report.model import BlockerView, CompletedTaskView, DayView, VelocityView
from sprintsync.report.text import format_points, format_signed, long_date


def oracle_day_views(context: DayContext, reported: tuple[DayFigures, ...]) -> tuple[DayView, ...]:
    """One DayView per reported day, numbered from 1, each issue evaluated on each day."""
    views: list[DayView] = []
    previous: float | None = None
    for number, figures in enumerate(reported, start=1):
        is_last = number == len(reported)
        views.append(_day(context, figures, number=number, previous=previous, is_last=is_last))
        if figures.is_working_day:
            previous = figures.completed_points
    return tuple(views)


def _day(
    context: DayContext, figures: DayFigures, *, number: int, previous: float | None, is_last: bool
) -> DayView:
    plan_day = context.plan_days.get(figures.date)
    in_progress = _in_progress(context, figures.date)
    trend = build_trend(
        velocity=figures.completed_points,
        previous=previous,
        needed_pace=context.needed_pace,
        remaining=figures.remaining,
    )
    velocity_text = f"{trend} at {format_points(figures.completed_points)} points/day"
    return DayView(
        number=number,
        date=figures.date,
        title_date=long_date(figures.date),
        is_working_day=figures.is_working_day,
        goal=plan_day.goal if plan_day else "",
        completed=tuple(_completed(context, key) for key in _completed_keys(context, figures)),
        progress=build_progress(figures.cumulative_points, figures.scope),
        in_progress=in_progress,
        in_progress_text=", ".join(in_progress) or "None",
        velocity=VelocityView(figures.completed_points, trend, velocity_text),
        blockers=_blockers(context, figures.date, plan_day=plan_day, is_last=is_last),
        insights=_insights(context, figures, plan_day=plan_day, is_last=is_last),
    )


def _completed_keys(context: DayContext, figures: DayFigures) -> tuple[str, ...]:
    return tuple(
        key
        for key in figures.completed
        if key in context.issues and context.issues[key].outcome is Outcome.COMPLETED
    )


def _completed(context: DayContext, key: str) -> CompletedTaskView:
    issue = context.issues[key]
    tracked = context.tracked.get(key)
    item = context.item_of_issue.get(key)
    change = None
    if issue.initial_estimate != issue.final_estimate:
        change = f"{format_points(issue.initial_estimate)} → {format_points(issue.final_estimate)}"
    return CompletedTaskView(
        label=item or key,
        key=key,
        title=issue.title,
        points=issue.final_estimate,
        points_text=format_points(issue.final_estimate),
        added_after_start=issue.added_after_start,
        estimate_change=change,
        details=tracked.details if tracked else (),
        result=tracked.result if tracked else None,
        url=tracked.url if tracked else None,
        label_is_key=item is None,
    )


def _in_progress(context: DayContext, day: date) -> tuple[str, ...]:
    _, end = context.day_bounds(day)
    shown: list[str] = []
    for key, issue in context.issues.items():
        tracked = context.tracked.get(key)
        if tracked is None or not tracked.in_sprint.value_at(end):
            continue
        if tracked.state.value_at(end) is not WorkState.IN_PROGRESS:
            continue
        item_id = context.item_of_issue.get(key)
        item = context.items.get(item_id) if item_id else None
        text = f"{item.id} ({item.title})" if item else f"{key} ({issue.title})"
        if text not in shown:
            shown.append(text)
    return tuple(shown)


def _blockers(
    context: DayContext, day: date, *, plan_day: PlanDay | None, is_last: bool
) -> tuple[BlockerView, ...]:
    found = [BlockerView(b.text, b.resolution) for b in (plan_day.blockers if plan_day else ())]
    first, end = context.day_bounds(day)
    for key, issue in context.issues.items():
        tracked = context.tracked.get(key)
        if tracked is None:
            continue
        flags = tracked.flagged
        during = flags.value_at(first) or _raised_within(flags, first, end)
        if during:
            cleared = None if flags.value_at(end) else "flag cleared"
            found.append(BlockerView(f"{issue.title} ({key})", cleared))
        if is_last and tracked.blocked_by and _open(issue):
            found.append(
                BlockerView(f"{issue.title} ({key}): blocked by {', '.join(tracked.blocked_by)}")
            )
    return tuple(found)


def _raised_within(flags: Timeline[bool], first: datetime, end: datetime) -> bool:
    """Whether a change made in (`first`, `end`] raised the flag (changes are sorted)."""
    low = bisect.bisect_right(flags.moments, first)
    high = bisect.bisect_right(flags.moments, end)
    return any(value for _, value in flags.changes[low:high])


def _open(issue: IssueLedger) -> bool:
    return issue.outcome is Outcome.NOT_COMPLETED


def _insights(
    context: DayContext, figures: DayFigures, *, plan_day: PlanDay | None, is_last: bool
) -> tuple[str, ...]:
    lines = list(plan_day.notes if plan_day else ())
    lines += _scope_change_lines(context, figures)
    pace = pace_line(context, figures)
    if pace:
        lines.append(pace)
    if is_last:
        keys = [
            i.key
            for i in context.issues.values()
            if i.unestimated and i.outcome is not Outcome.REMOVED
        ]
        lines += [f"Unestimated, counted as 0: {', '.join(keys)}"] if keys else []
        lines += plan_difference_lines(context.reconciliation)
    return tuple(lines)


def _scope_change_lines(context: DayContext, figures: DayFigures) -> list[str]:
    day = figures.date
    added = [
        i
        for i in context.issues.values()
        if i.added_after_start
        and not i.done_when_entered
        and i.entered.astimezone(context.zone).date() == day
    ]
    removed = [i for i in context.issues.values() if i.removed_on == day]
    added_points = sum(i.initial_estimate for i in added)
    removed_points = sum(i.removed_estimate or 0.0 for i in removed)
    lines = []
    if added:
        lines.append(
            f"{format_signed(added_points)} points added: {', '.join(i.key for i in added)}"
        )
    if removed:
        keys = ", ".join(i.key for i in removed)
        lines.append(f"-{format_points(removed_points)} points removed: {keys}")
    rest = figures.scope_change - added_points + removed_points
    if rest and abs(rest) > 1e-9:
        lines.append(f"{format_signed(rest)} points from re-estimates")
    return lines
