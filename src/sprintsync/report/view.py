"""The report view model: every figure and sentence a template shows, computed here (pure).

Documented rules (templates only place these values; they do no arithmetic):

- Dates are calendar dates in the team's time zone (the ledger's `timezone`).
- Title: "<sprint name> Daily Status Report". Overview "Sprint" line: the sprint name with a
  leading "Sprint " removed ("Sprint 5" -> "5"). Theme: the plan's theme, else the sprint goal.
- Duration: "January 24 - February 4, 2025 (10 days)", where days = the working days from the
  sprint's start date to its end date, both included (`working_days` are `date.weekday()`
  numbers). Total points = the ledger's `scope` at the cut-off.
- Reported days: the ledger's days, except non-working days with no completion and no scope
  change; numbered "Day 1", "Day 2", ... in order.
- Completed tasks of a day: the issues whose `done_on` is that day, labelled with the plan item
  id the reconciliation maps them to, else the issue key; points = `final_estimate`; an estimate
  change "3 → 5" is shown when initial != final.
- Progress: cumulative completed / scope at the day's end, percent with one decimal, half away
  from zero.
- In progress: issues in the sprint whose board state at the day's end is In Progress, shown as
  "<item id> (<item title>)" when planned, else "<key> (<title>)".
- Velocity = points completed that day. Needed pace = committed / working days in the sprint.
  Trend: "Done" when nothing remains at the day's end; else on the first reported day (or the
  first with no earlier reported working day) "On track" if velocity >= 90% of the needed pace,
  else "Behind"; on later days, against the previous reported working day's velocity v0:
  "Accelerating" if velocity >= 1.25 x v0, "Slowing" if velocity <= 0.75 x v0, else "Steady"
  (when v0 = 0: "Accelerating" if velocity > 0, else "Steady").
- Blockers of a day: the plan day's blockers, then every issue flagged at any moment of the day
  ("<title> (<key>)", resolution when the flag is off at the day's end: the text of that
  day's flag-clear note, the comment made at the clear (report/resolution.py), else "flag
  cleared"), and on
  the last reported day every issue not Done that is blocked by an unresolved issue.
- Insights of a day: the plan day's notes, then scope changes that day (added, removed,
  re-estimated points), the pace still needed (remaining points / working days left after the
  day, one decimal), and on the last reported day unestimated issues and every plan difference
  of the reconciliation (missing items, unplanned issues, points and date mismatches).
- Burndown: per shown day the ledger's ideal line (shown with one decimal at most), remaining
  points, scope change and scope (completed + remaining).
- A stale sprint (the cut-off more than `STALE_AFTER_DAYS` days past the end date): a notice
  "<name> is still active N days past its end date (<date>)" ("was closed" when the cut-off is
  its close); the days shown (sections and burndown) are the reported days up to the end date,
  the later ones with a completion or a scope change, and the last reported day. Numbers and
  trends stay those of the whole reported sequence; the JSON keeps every ledger day.
"""

from __future__ import annotations

import math
from datetime import date
from zoneinfo import ZoneInfo

from sprintsync.domain import DayFigures, Ledger, Outcome, Plan, Reconciliation, SprintData
from sprintsync.report import days as day_rules
from sprintsync.report.context import DayContext
from sprintsync.report.model import (
    BlockerView,
    BurndownPoint,
    BurndownView,
    CompletedTaskView,
    DayView,
    IssueView,
    OverviewView,
    PlanDiffView,
    ProgressView,
    ReportView,
    SprintView,
    VelocityView,
)
from sprintsync.report.sections import SectionOptions, VelocityHistory, build_sections
from sprintsync.report.text import (
    duration_text,
    format_one_decimal,
    format_points,
    format_signed,
    long_date,
    short_label,
)

# A sprint reported more than this many days past its end date is stale: its report says so
# and leaves out the quiet days after the end (docs/read-the-report.md, "A stale sprint").
STALE_AFTER_DAYS = 14

__all__ = [
    "BlockerView",
    "BurndownPoint",
    "BurndownView",
    "CompletedTaskView",
    "DayView",
    "IssueView",
    "OverviewView",
    "PlanDiffView",
    "ProgressView",
    "ReportView",
    "SprintView",
    "VelocityView",
    "build_burndown",
    "build_report_view",
    "sprint_label",
]


def build_report_view(
    *,
    ledger: Ledger,
    data: SprintData,
    plan: Plan | None,
    reconciliation: Reconciliation | None,
    team: str,
    as_of: date,
    working_days: tuple[int, ...],
    sections: SectionOptions | None = None,
    velocity: VelocityHistory | None = None,
) -> ReportView:
    """Turn the ledger, the source data and the plan into the values the templates show."""
    context = DayContext.build(
        ledger=ledger,
        data=data,
        plan=plan,
        reconciliation=reconciliation,
        working_days=working_days,
    )
    reported = tuple(f for f in ledger.days if _is_reported(f))
    past_end = days_past_end(ledger)
    shown = _shown(reported, end=context.end_date) if past_end > STALE_AFTER_DAYS else reported
    days = day_rules.build_day_views(context, reported, shown={f.date for f in shown})
    notices = data.notices
    if past_end > STALE_AFTER_DAYS:
        notices = (*notices, stale_notice(ledger, past_end, end=context.end_date))
    return ReportView(
        team=team,
        as_of=as_of,
        sprint=_sprint_view(ledger, data),
        overview=_overview(ledger, plan, context),
        totals=ledger.totals,
        days=days,
        figures=ledger.days,
        burndown=build_burndown(
            shown,
            committed=ledger.totals.committed,
            start=context.start_date,
            numbers=tuple(day.number for day in days),
        ),
        issues=tuple(_issue_view(ledger, context, i) for i in range(len(ledger.issues))),
        plan=_plan_diff(reconciliation),
        excluded_subtasks=ledger.excluded_subtasks,
        notices=notices,
        sections=build_sections(
            context,
            data=data,
            plan=plan,
            options=sections or SectionOptions(),
            past_end=past_end,
            velocity=velocity,
        ),
    )


def _is_reported(figures: DayFigures) -> bool:
    return figures.is_working_day or _has_activity(figures)


def _has_activity(figures: DayFigures) -> bool:
    return bool(figures.completed) or figures.scope_change != 0


def days_past_end(ledger: Ledger) -> int:
    """Days from the sprint's end date to the cut-off's date (0 when not past, or no end)."""
    if ledger.sprint.end is None:
        return 0
    zone = ZoneInfo(ledger.timezone)
    late = ledger.cutoff.astimezone(zone).date() - ledger.sprint.end.astimezone(zone).date()
    return max(late.days, 0)


def _shown(reported: tuple[DayFigures, ...], *, end: date | None) -> tuple[DayFigures, ...]:
    """A stale sprint's days: up to the end date, later ones with activity, and the last one."""
    last = len(reported) - 1
    return tuple(
        f
        for n, f in enumerate(reported)
        if (end is not None and f.date <= end) or _has_activity(f) or n == last
    )


def stale_notice(ledger: Ledger, past_end: int, *, end: date | None) -> str:
    """The notice of a sprint reported more than `STALE_AFTER_DAYS` days past its end date."""
    sprint = ledger.sprint
    closed = sprint.complete is not None and ledger.cutoff >= sprint.complete
    status = "was closed" if closed else "is still active"
    end_text = f" ({long_date(end)})" if end else ""
    return (
        f"{sprint.name} {status} {past_end} days past its end date{end_text}: after that date "
        "only the days with a completion or a scope change and the last day are shown "
        "(the JSON report has every day)"
    )


def _sprint_view(ledger: Ledger, data: SprintData) -> SprintView:
    sprint = ledger.sprint
    zone = ZoneInfo(ledger.timezone)
    return SprintView(
        id=sprint.id,
        name=sprint.name,
        goal=sprint.goal,
        state=sprint.state,
        start=sprint.start.astimezone(zone).date(),
        end=sprint.end.astimezone(zone).date() if sprint.end else None,
        url=sprint.board_url or data.tracker_url,
    )


def sprint_label(name: str) -> str:
    """The overview's "Sprint" value: the name without a leading "Sprint " ("Sprint 5" -> "5")."""
    prefix = "sprint "
    stripped = name[len(prefix) :] if name.lower().startswith(prefix) else name
    return stripped.strip() or name


def _overview(ledger: Ledger, plan: Plan | None, context: DayContext) -> OverviewView:
    totals = ledger.totals
    theme = plan.theme if plan is not None and plan.theme else ledger.sprint.goal
    changed = totals.added or totals.removed or totals.estimate_change
    scope_text = None
    if changed:
        scope_text = (
            f"{format_points(totals.committed)} committed, {format_signed(totals.added)} added, "
            f"-{format_points(totals.removed)} removed, "
            f"{format_signed(totals.estimate_change)} re-estimated"
        )
    return OverviewView(
        title=f"{ledger.sprint.name} Daily Status Report",
        sprint_label=sprint_label(ledger.sprint.name),
        theme=theme,
        duration=duration_text(context.start_date, context.end_date, context.working_days),
        total_points=totals.scope,
        total_points_text=format_points(totals.scope),
        scope_text=scope_text,
    )


def build_burndown(
    reported: tuple[DayFigures, ...],
    *,
    committed: float,
    start: date,
    numbers: tuple[int, ...] | None = None,
) -> BurndownView:
    """The burndown: a "Start" point at the commitment, then each reported day's end.

    `numbers` are the days' "Day N" numbers (default 1, 2, ...). y_max = the highest value of
    either line, rounded up (at least 1).
    """
    numbers = numbers or tuple(range(1, len(reported) + 1))
    first = _point(
        start, "Start", f"Start ({short_label(start)})", committed, committed, 0.0, scope=committed
    )
    points = [first] + [
        _point(
            f.date,
            short_label(f.date),
            f"Day {number} ({short_label(f.date)})",
            f.ideal_remaining,
            f.remaining,
            f.scope_change,
            scope=f.scope,
        )
        for number, f in zip(numbers, reported, strict=True)
    ]
    highest = max(max(p.ideal, p.remaining) for p in points)
    return BurndownView(points=tuple(points), y_max=max(1, math.ceil(highest)))


def _point(  # noqa: PLR0917 - a private row builder, called positionally in one place
    day: date,
    label: str,
    day_label: str,
    ideal: float,
    remaining: float,
    change: float,
    *,
    scope: float,
) -> BurndownPoint:
    return BurndownPoint(
        date=day,
        label=label,
        day_label=day_label,
        ideal=ideal,
        remaining=remaining,
        scope_change=change,
        ideal_text=format_one_decimal(ideal),  # 200/3 -> "66.7", never "66.6667"
        remaining_text=format_points(remaining),
        scope_change_text=format_signed(change),
        scope=scope,
    )


def _issue_view(ledger: Ledger, context: DayContext, index: int) -> IssueView:
    issue = ledger.issues[index]
    tracked = context.tracked.get(issue.key)
    return IssueView(
        key=issue.key,
        title=issue.title,
        outcome=issue.outcome.value,
        added_after_start=issue.added_after_start,
        initial_estimate=issue.initial_estimate,
        final_estimate=issue.final_estimate,
        unestimated=issue.unestimated,
        done_on=issue.done_on if issue.outcome is Outcome.COMPLETED else None,
        removed_on=issue.removed_on,
        item=context.item_of_issue.get(issue.key),
        url=tracked.url if tracked else None,
    )


def _plan_diff(reconciliation: Reconciliation | None) -> PlanDiffView:
    if reconciliation is None:
        return PlanDiffView()
    return PlanDiffView(
        missing=reconciliation.missing,
        unplanned=reconciliation.unplanned,
        points_mismatch=reconciliation.points_mismatch,
        date_mismatch=reconciliation.date_mismatch,
    )
