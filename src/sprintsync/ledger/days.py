"""The ledger's per-day figures: completions, burndown, scope change, ideal line (SEMANTICS §5)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sprintsync.domain import DayFigures, IssueLedger, Outcome, WorkState
from sprintsync.ledger.window import SeenIssue, Window, entries, last_move_into_done
from sprintsync.points import difference, to_decimal, to_points, total

Pair = tuple[SeenIssue, IssueLedger]
Completion = tuple[datetime, str, float]  # last move into Done, key, final estimate


def build_day_figures(
    pairs: Sequence[Pair],
    *,
    window: Window,
    committed: float,
    planned_end: date,
    working_days: tuple[int, ...],
) -> tuple[DayFigures, ...]:
    """One `DayFigures` per team-time-zone date from t0's date to T's date, both included.

    Figures are as at the end of each day (the next local midnight; the last day ends at T).
    `scope_change` is the day's change in the points that count against the burndown: an
    issue's estimate while it is in the sprint, for a stay that began at t0 or by an add made
    while it was not Done (so adds, removals and estimate changes fall on the day they happen,
    and an issue added already Done never counts). Day one is measured from `committed`.
    """
    first, last = window.local_date(window.start), window.local_date(window.cutoff)
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ideal = ideal_line(
        dates, committed=committed, planned_end=planned_end, working_days=working_days
    )
    done = _completions_by_day(pairs, window)
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


def ideal_line(
    dates: Sequence[date], *, committed: float, planned_end: date, working_days: tuple[int, ...]
) -> list[float]:
    """The ideal burndown at the end of each date in `dates` (the first is the start date).

    ideal(d) = committed * (N - w(d)) / N, where N = the working days from the start date to
    `planned_end`, both included, and w(d) = the working days from the start date to d, both
    included (so w stops growing after `planned_end`). The line is at `committed` as the first
    day begins, drops by committed / N at the end of each working day, stays flat over other
    days, and is 0 from the end of `planned_end` on. With no working day in that range it is
    `committed` before `planned_end` and 0 from it on. Six decimals, half away from zero.
    """
    start = dates[0]
    span = (planned_end - start).days + 1
    working = [
        day
        for day in (start + timedelta(days=n) for n in range(span))
        if day.weekday() in working_days
    ]
    if not working:
        return [committed if day < planned_end else 0.0 for day in dates]
    whole = to_decimal(committed)
    return [
        to_points(whole * (len(working) - sum(1 for w in working if w <= day)) / len(working))
        for day in dates
    ]


def _completions_by_day(
    pairs: Sequence[Pair], window: Window
) -> defaultdict[date, list[Completion]]:
    """Completed issues by `done_on`, each day's list ordered by the moment of completion."""
    found: defaultdict[date, list[Completion]] = defaultdict(list)
    for seen, verdict in pairs:
        moment = last_move_into_done(seen.state)
        if verdict.outcome is Outcome.COMPLETED and moment is not None:
            found[window.local_date(moment)].append((moment, verdict.key, verdict.final_estimate))
    for day in found.values():
        day.sort()
    return found


def _open_points(seen: SeenIssue, end: datetime) -> float:
    """The issue's estimate just before `end` if it is then in the sprint and not Done, else 0."""
    if seen.in_sprint.value_before(end) and seen.state.value_before(end) is not WorkState.DONE:
        return seen.estimate_before(end)
    return 0.0


def _burndown_points(seen: SeenIssue, stays: tuple[datetime, ...], end: datetime) -> float:
    """What the issue counts in the burndown's scope just before `end` (see `build_day_figures`).

    `stays` are the moments its stays in the sprint began (`entries`, in order), computed once
    per issue.
    """
    if not seen.in_sprint.value_before(end):
        return 0.0
    began = max(stays[: bisect.bisect_left(stays, end)])  # the last stay begun before `end`
    if seen.state.value_at(began) is WorkState.DONE:
        return 0.0
    return seen.estimate_before(end)
