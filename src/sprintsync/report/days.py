"""Per-day sections of the report view: tasks, progress, trend, in progress, blockers (pure)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sprintsync.domain import DayFigures, Outcome, PlanDay
from sprintsync.report import insights
from sprintsync.report.activity import DayActivity, build_activity
from sprintsync.report.context import DayContext
from sprintsync.report.model import (
    BlockerView,
    CompletedTaskView,
    DayView,
    ProgressView,
    VelocityView,
)
from sprintsync.report.resolution import FLAG_CLEARED, build_resolution
from sprintsync.report.text import format_points, long_date, percent

ON_TRACK_SHARE = 0.9  # first day: "On track" at >= 90% of the needed pace
ACCELERATING = 1.25  # later days: >= 1.25 x the previous working day's velocity
SLOWING = 0.75  # later days: <= 0.75 x the previous working day's velocity


def build_trend(
    *, velocity: float, previous: float | None, needed_pace: float, remaining: float
) -> str:
    """The trend word of a day (rules in report/view.py)."""
    if remaining == 0:
        return "Done"
    if previous is None:
        return "On track" if velocity >= ON_TRACK_SHARE * needed_pace else "Behind"
    if previous == 0:
        return "Accelerating" if velocity > 0 else "Steady"
    if velocity >= ACCELERATING * previous:
        return "Accelerating"
    if velocity <= SLOWING * previous:
        return "Slowing"
    return "Steady"


def build_day_views(
    context: DayContext,
    reported: tuple[DayFigures, ...],
    *,
    shown: Collection[date] | None = None,
) -> tuple[DayView, ...]:
    """One DayView per reported day whose date is in `shown` (default: all), numbered from 1.

    Numbers and trends are those of the whole reported sequence, whichever days are shown.
    """
    wanted = sorted({f.date for f in reported if shown is None or f.date in shown})
    activity = build_activity(context, wanted)
    blocked = _blocked_issues(context)
    views: list[DayView] = []
    previous: float | None = None
    for number, figures in enumerate(reported, start=1):
        if shown is None or figures.date in shown:
            is_last = number == len(reported)
            day = _DayInput(figures, number, previous, activity[figures.date], is_last, blocked)
            views.append(_day(context, day))
        if figures.is_working_day:
            previous = figures.completed_points
    return tuple(views)


@dataclass(frozen=True)
class _DayInput:
    figures: DayFigures
    number: int
    previous: float | None
    activity: DayActivity
    is_last: bool
    blocked: dict[str, str]  # open issue key -> its blocked-by line (last day only)


def _day(context: DayContext, day: _DayInput) -> DayView:
    figures, number, previous, is_last = day.figures, day.number, day.previous, day.is_last
    plan_day = context.plan_days.get(figures.date)
    in_progress = _in_progress(context, day.activity)
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
        blockers=_blockers(context, day, plan_day=plan_day),
        insights=insights.build_insights(context, figures, plan_day=plan_day, is_last=is_last),
    )


def build_progress(completed: float, scope: float) -> ProgressView:
    """Text like "22/75 points (29.3%)"."""
    share = percent(completed, scope)
    text = f"{format_points(completed)}/{format_points(scope)} points ({share:.1f}%)"
    return ProgressView(completed=completed, scope=scope, percent=share, text=text)


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


def _in_progress(context: DayContext, activity: DayActivity) -> tuple[str, ...]:
    shown: dict[str, None] = {}  # each text once, in first-seen order
    for key in activity.in_progress:
        issue = context.issues[key]
        item_id = context.item_of_issue.get(key)
        item = context.items.get(item_id) if item_id else None
        shown[f"{item.id} ({item.title})" if item else f"{key} ({issue.title})"] = None
    return tuple(shown)


def _blockers(
    context: DayContext, day: _DayInput, *, plan_day: PlanDay | None
) -> tuple[BlockerView, ...]:
    """Plan blockers, then per issue (ledger order) its flag and, on the last day, its blockers."""
    found = [BlockerView(b.text, b.resolution) for b in (plan_day.blockers if plan_day else ())]
    flags = dict(day.activity.flagged)  # key -> flag off at the day's end, in ledger order
    keys: list[str] = list(flags)
    if day.is_last and day.blocked:
        position = {key: n for n, key in enumerate(context.issues)}
        keys = sorted(flags.keys() | day.blocked.keys(), key=position.__getitem__)
    for key in keys:
        if key in flags:
            cleared = _cleared(context, key, day.figures.date) if flags[key] else None
            found.append(BlockerView(f"{context.issues[key].title} ({key})", cleared))
        if day.is_last and key in day.blocked:
            found.append(BlockerView(day.blocked[key]))
    return tuple(found)


def _cleared(context: DayContext, key: str, day: date) -> str:
    """The clearing comment's text (the source's flag-clear note), else "flag cleared"."""
    tracked = context.tracked.get(key)
    note = build_resolution(tracked, day, zone=context.zone, cutoff=context.ledger.cutoff)
    return note or FLAG_CLEARED


def _blocked_issues(context: DayContext) -> dict[str, str]:
    """Open issues blocked by an unresolved issue, with their line, in ledger order."""
    found: dict[str, str] = {}
    for key, issue in context.issues.items():
        tracked = context.tracked.get(key)
        if tracked is not None and tracked.blocked_by and issue.outcome is Outcome.NOT_COMPLETED:
            found[key] = f"{issue.title} ({key}): blocked by {', '.join(tracked.blocked_by)}"
    return found
