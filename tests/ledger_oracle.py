"""The ledger's former per-day evaluation, kept as a test oracle for the sweep in ledger/days.py.

Every issue is evaluated at every day's end with exact `Decimal` sums (O(days x issues)): slow,
but plainly SEMANTICS §4-§5 as written. `oracle_ledger` is `build_ledger` with its totals and
days computed this way; property tests compare the two whole ledgers.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sprintsync.domain import (
    DayFigures,
    IssueLedger,
    Ledger,
    Outcome,
    SprintData,
    Totals,
    WorkState,
)
from sprintsync.domain.points import difference, percent, total
from sprintsync.ledger.build import WORKING_WEEK, build_issue_ledger
from sprintsync.ledger.days import ideal_line
from sprintsync.ledger.window import (
    SeenIssue,
    Window,
    build_window,
    entries,
    last_move_into_done,
    see,
)

Pair = tuple[SeenIssue, IssueLedger]


def oracle_ledger(
    data: SprintData,
    *,
    cutoff: datetime,
    timezone: ZoneInfo,
    working_days: tuple[int, ...] = WORKING_WEEK,
    count_subtasks: bool = False,
) -> Ledger:
    """`build_ledger`, with totals and days from the per-day evaluation."""
    window = build_window(data.sprint, cutoff=cutoff, tz=timezone)
    seen = [see(issue, window) for issue in data.issues]
    belonging = [issue for issue in seen if entries(issue.in_sprint, window.start)]
    counted = [item for item in belonging if count_subtasks or not item.issue.is_subtask]
    excluded = tuple(i.issue.key for i in belonging if i.issue.is_subtask and not count_subtasks)
    verdicts = tuple(build_issue_ledger(item, window) for item in counted)
    totals = oracle_totals(verdicts)
    planned_end = data.sprint.end or window.cutoff
    days = oracle_days(
        tuple(zip(counted, verdicts, strict=True)),
        window=window,
        committed=totals.committed,
        planned_end=window.local_date(planned_end),
        working_days=working_days,
    )
    return Ledger(
        sprint=data.sprint,
        cutoff=window.cutoff,
        timezone=timezone.key,
        issues=verdicts,
        totals=totals,
        days=days,
        excluded_subtasks=excluded,
    )


def oracle_totals(issues: Sequence[IssueLedger]) -> Totals:
    """§4's table, one `Decimal` sum per figure."""
    committed = total(
        i.initial_estimate for i in issues if not i.added_after_start and not i.done_when_entered
    )
    added = total(
        i.initial_estimate for i in issues if i.added_after_start and not i.done_when_entered
    )
    completed = _final_sum(issues, Outcome.COMPLETED)
    remaining = _final_sum(issues, Outcome.NOT_COMPLETED)
    return Totals(
        committed=committed,
        added=added,
        removed=total(i.removed_estimate or 0.0 for i in issues if i.outcome is Outcome.REMOVED),
        completed=completed,
        completed_outside=_final_sum(issues, Outcome.COMPLETED_OUTSIDE),
        remaining=remaining,
        scope=total((completed, remaining)),
        percent_complete=percent(completed, total((completed, remaining))),
        estimate_change=total(
            difference(i.final_estimate, i.initial_estimate)
            for i in issues
            if i.outcome is not Outcome.REMOVED
        ),
    )


def _final_sum(issues: Sequence[IssueLedger], outcome: Outcome) -> float:
    return total(i.final_estimate for i in issues if i.outcome is outcome)


def oracle_days(
    pairs: Sequence[Pair],
    *,
    window: Window,
    committed: float,
    planned_end: date,
    working_days: tuple[int, ...],
) -> tuple[DayFigures, ...]:
    """§5 per day: every issue evaluated just before each day's end (the next local midnight)."""
    first, last = window.local_date(window.start), window.local_date(window.cutoff)
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ideal = ideal_line(
        dates, committed=committed, planned_end=planned_end, working_days=working_days
    )
    done: defaultdict[date, list[tuple[datetime, str, float]]] = defaultdict(list)
    for seen, verdict in pairs:
        moment = last_move_into_done(seen.state)
        if verdict.outcome is Outcome.COMPLETED and moment is not None:
            done[window.local_date(moment)].append((moment, verdict.key, verdict.final_estimate))
    for found in done.values():
        found.sort()
    stays = [(seen, entries(seen.in_sprint, window.start)) for seen, _ in pairs]
    figures: list[DayFigures] = []
    cumulative, counted = 0.0, committed
    for day, ideal_remaining in zip(dates, ideal, strict=True):
        end = window.day_end(day)
        points = total(p for _, _, p in done[day])
        cumulative = total((cumulative, points))
        remaining = total(_open_points(seen, end) for seen, _ in pairs)
        counted_now = total(_burndown_points(seen, began, end) for seen, began in stays)
        figures.append(
            DayFigures(
                date=day,
                completed_points=points,
                cumulative_points=cumulative,
                completed=tuple(key for _, key, _ in done[day]),
                remaining=remaining,
                scope=total((cumulative, remaining)),
                scope_change=difference(counted_now, counted),
                ideal_remaining=ideal_remaining,
                is_working_day=day.weekday() in working_days,
            )
        )
        counted = counted_now
    return tuple(figures)


def _open_points(seen: SeenIssue, end: datetime) -> float:
    if seen.in_sprint.value_before(end) and seen.state.value_before(end) is not WorkState.DONE:
        return seen.estimate_before(end)
    return 0.0


def _burndown_points(seen: SeenIssue, stays: tuple[datetime, ...], end: datetime) -> float:
    if not seen.in_sprint.value_before(end):
        return 0.0
    began = max(stays[: bisect.bisect_left(stays, end)])
    if seen.state.value_at(began) is WorkState.DONE:
        return 0.0
    return seen.estimate_before(end)
