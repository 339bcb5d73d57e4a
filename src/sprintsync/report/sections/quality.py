"""The data-quality panel: what in the tracker or the plan makes the figures less useful (pure).

Checks, each with the keys behind it: unestimated issues (counted as 0, SEMANTICS §1),
sub-tasks whose estimate is not counted (§1, `count_subtasks: false`), plan items with no
issue and sprint issues no item claims (§6), the plan's `total_points` against the committed
points (§4), issues whose status is on no column of the board and issues also in another
open sprint (Jira), an active sprint past its end date, and the source's notices.
"""

from __future__ import annotations

from sprintsync.domain import Outcome, Plan, SprintData
from sprintsync.report.context import DayContext
from sprintsync.report.sections.model import QualityCheck
from sprintsync.report.text import format_points, long_date


def build_quality(
    context: DayContext, *, data: SprintData, plan: Plan | None, past_end: int
) -> tuple[QualityCheck, ...]:
    """Every finding, in the order of the module docstring; empty when all is well."""
    checks: list[QualityCheck] = []
    unestimated = tuple(
        i.key for i in context.issues.values() if i.unestimated and i.outcome is not Outcome.REMOVED
    )
    if unestimated:
        checks.append(
            QualityCheck(
                check="unestimated",
                keys=unestimated,
                text=f"Unestimated issues, counted as 0: {', '.join(unestimated)}",
            )
        )
    checks += _subtasks(context)
    checks += _plan_checks(context, plan)
    checks += _off_board(context)
    checks += _other_open_sprints(context)
    sprint = context.ledger.sprint
    if sprint.state == "active" and past_end > 0 and context.end_date is not None:
        unit = "day" if past_end == 1 else "days"
        text = (
            f"{sprint.name} is still active {past_end} {unit} after its end date "
            f"({long_date(context.end_date)}): close it in the tracker"
        )
        checks.append(QualityCheck(check="active_past_end", keys=(), text=text))
    checks += [QualityCheck(check="source_notice", keys=(), text=n) for n in data.notices]
    return tuple(checks)


def _off_board(context: DayContext) -> list[QualityCheck]:
    """Issues in a status no board column shows, by status (Jira: the board hides them)."""
    by_status: dict[str, list[str]] = {}
    for key, line in context.issues.items():
        tracked = context.tracked.get(key)
        if (
            tracked is not None
            and not tracked.status_on_board
            and line.outcome is not Outcome.REMOVED
        ):
            by_status.setdefault(tracked.status_name or "(no name)", []).append(key)
    if not by_status:
        return []
    listed = "; ".join(f"{status}: {', '.join(keys)}" for status, keys in by_status.items())
    text = (
        "Statuses on no column of the board (the board hides these issues, and Jira's Velocity "
        f"commitment counts them as 0; sprintsync counts them as To Do): {listed}"
    )
    keys = tuple(key for keys in by_status.values() for key in keys)
    return [QualityCheck(check="status_off_board", keys=keys, text=text)]


def _other_open_sprints(context: DayContext) -> list[QualityCheck]:
    """Issues that are also in another active or future sprint (Jira counts them in each)."""
    found = []
    for key, line in context.issues.items():
        tracked = context.tracked.get(key)
        if (
            tracked is not None
            and tracked.other_open_sprints
            and line.outcome is not Outcome.REMOVED
        ):
            found.append((key, tracked.other_open_sprints))
    if not found:
        return []
    listed = ", ".join(f"{key} ({', '.join(names)})" for key, names in found)
    text = f"Issues also in another open sprint, whose points count there too: {listed}"
    return [QualityCheck(check="several_open_sprints", keys=tuple(k for k, _ in found), text=text)]


def _subtasks(context: DayContext) -> list[QualityCheck]:
    cutoff = context.ledger.cutoff
    carrying = []
    for key in context.ledger.excluded_subtasks:
        tracked = context.tracked.get(key)
        if tracked is not None and (tracked.estimate.value_at(cutoff) or 0) > 0:
            carrying.append(key)
    if not carrying:
        return []
    text = f"Sub-tasks carrying points that are not counted: {', '.join(carrying)}"
    return [QualityCheck(check="subtask_points", keys=tuple(carrying), text=text)]


def _plan_checks(context: DayContext, plan: Plan | None) -> list[QualityCheck]:
    rec = context.reconciliation
    checks = []
    if rec is not None and rec.missing:
        text = f"Plan items with no issue in the sprint: {', '.join(rec.missing)}"
        checks.append(QualityCheck(check="plan_missing", keys=rec.missing, text=text))
    if rec is not None and rec.unplanned:
        text = f"Issues with no plan item: {', '.join(rec.unplanned)}"
        checks.append(QualityCheck(check="plan_unplanned", keys=rec.unplanned, text=text))
    committed = context.ledger.totals.committed
    if plan is not None and plan.total_points is not None and plan.total_points != committed:
        keys = tuple(
            i.key
            for i in context.issues.values()
            if not i.added_after_start and not i.done_when_entered
        )
        text = (
            f"The plan's total_points is {format_points(plan.total_points)}; the tracker's "
            f"committed points are {format_points(committed)}"
        )
        checks.append(QualityCheck(check="plan_total_points", keys=keys, text=text))
    return checks
