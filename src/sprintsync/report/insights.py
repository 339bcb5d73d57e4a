"""Rule-based "Key Insights" lines: scope changes, pace, unestimated work, plan differences."""

from __future__ import annotations

from datetime import timedelta

from sprintsync.domain import DayFigures, Outcome, PlanDay, Reconciliation
from sprintsync.report.context import DayContext
from sprintsync.report.text import (
    format_one_decimal,
    format_points,
    format_signed,
    long_date,
    working_days_between,
)


def build_insights(
    context: DayContext, figures: DayFigures, *, plan_day: PlanDay | None, is_last: bool
) -> tuple[str, ...]:
    """Plan notes first, then the rule-based lines (rules in report/view.py)."""
    lines = list(plan_day.notes if plan_day else ())
    lines += scope_change_lines(context, figures)
    pace = pace_line(context, figures)
    if pace:
        lines.append(pace)
    if is_last:
        lines += _unestimated_lines(context)
        lines += plan_difference_lines(context.reconciliation)
    return tuple(lines)


def scope_change_lines(context: DayContext, figures: DayFigures) -> list[str]:
    """Lines like "+5 points added: PRD-9", "-3 points removed: PRD-4", "+2 points ..."."""
    day = figures.date
    added = context.added_on.get(day, ())
    removed = context.removed_on.get(day, ())
    added_points = sum(i.initial_estimate for i in added)
    removed_points = sum(i.removed_estimate or 0.0 for i in removed)
    lines = []
    if added:
        keys = ", ".join(i.key for i in added)
        lines.append(f"{format_signed(added_points)} points added: {keys}")
    if removed:
        keys = ", ".join(i.key for i in removed)
        lines.append(f"-{format_points(removed_points)} points removed: {keys}")
    rest = figures.scope_change - added_points + removed_points
    if rest and abs(rest) > 1e-9:
        lines.append(f"{format_signed(rest)} points from re-estimates")
    return lines


def pace_line(context: DayContext, figures: DayFigures) -> str | None:
    """Text like "68 points remaining: needs 7.6 points/day over 9 remaining working days"."""
    if figures.remaining == 0 or context.end_date is None:
        return None
    left = working_days_between(
        figures.date + timedelta(days=1), context.end_date, context.working_days
    )
    remaining = format_points(figures.remaining)
    if left == 0:
        return f"{remaining} points remaining with no working days left"
    unit = "day" if left == 1 else "days"
    pace = format_one_decimal(figures.remaining / left)
    return (
        f"{remaining} points remaining: needs {pace} points/day "
        f"over {left} remaining working {unit}"
    )


def _unestimated_lines(context: DayContext) -> list[str]:
    keys = [
        i.key for i in context.issues.values() if i.unestimated and i.outcome is not Outcome.REMOVED
    ]
    return [f"Unestimated, counted as 0: {', '.join(keys)}"] if keys else []


def plan_difference_lines(reconciliation: Reconciliation | None) -> list[str]:
    """Every difference between the plan and the tracker, one line each (SEMANTICS §6)."""
    if reconciliation is None:
        return []
    lines = []
    if reconciliation.missing:
        lines.append(f"Plan items with no issue in the sprint: {', '.join(reconciliation.missing)}")
    if reconciliation.unplanned:
        lines.append(f"Issues not in the plan: {', '.join(reconciliation.unplanned)}")
    lines += [
        f"{m.item}: planned {format_points(m.planned)} points, "
        f"tracker {format_points(m.tracker)} points"
        for m in reconciliation.points_mismatch
    ]
    lines += [
        f"Plan {m.field} date {long_date(m.planned)} differs from the sprint's "
        f"{long_date(m.tracker)}"
        for m in reconciliation.date_mismatch
    ]
    return lines
