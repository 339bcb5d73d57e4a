"""The ledger's per-day figures: completions, burndown, scope change, ideal line (SEMANTICS §5).

One sweep per issue, not one evaluation per issue and day: each issue's changes are bucketed
by the first day whose end follows them, its contribution to `remaining` and to the burndown's
scope is emitted only on the days it changes, and a prefix sum per day adds them up. The cost is
O(issues + changes + days), and the figures are those of evaluating every issue at every day's
end (`tests/ledger_oracle.py` keeps that evaluation; a property test compares the two).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

from sprintsync.domain import DayFigures, IssueLedger, Outcome, WorkState
from sprintsync.domain.points import PointScale, to_decimal, to_points
from sprintsync.ledger.window import SeenIssue, Window, entries, last_move_into_done

Pair = tuple[SeenIssue, IssueLedger]
Completion = tuple[datetime, str, int]  # last move into Done, key, final estimate in units
# A change of one issue: (first day index it shows on, what changed, the new value).
Event = tuple[int, int, object]
MEMBER, STATE, ESTIMATE, STAY = range(4)


def build_day_figures(
    pairs: Sequence[Pair],
    *,
    window: Window,
    committed: float,
    planned_end: date,
    working_days: tuple[int, ...],
    scale: PointScale,
) -> tuple[DayFigures, ...]:
    """One `DayFigures` per team-time-zone date from t0's date to T's date, both included.

    Figures are as at the end of each day (the next local midnight; the last day ends at T).
    `scope_change` is the day's change in the points that count against the burndown: an
    issue's estimate while it is in the sprint, for a stay that began at t0 or by an add made
    while it was not Done (so adds, removals and estimate changes fall on the day they happen,
    and an issue added already Done never counts). Day one is measured from `committed`.
    `scale` must hold every estimate of `pairs` and `committed` exactly.
    """
    first, last = window.local_date(window.start), window.local_date(window.cutoff)
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ideal = ideal_line(
        dates, committed=committed, planned_end=planned_end, working_days=working_days
    )
    # Day ends in UTC: the same instants, compared faster with UTC change moments.
    ends = [window.day_end(day).astimezone(UTC) for day in dates]
    open_delta, counted_delta = [0] * len(dates), [0] * len(dates)
    for seen, _ in pairs:
        _sweep(seen, window.start, ends, scale, (open_delta, counted_delta))
    done = _completions_by_day(pairs, window, scale)
    figures: list[DayFigures] = []
    cumulative, counted, remaining_now, counted_now = 0, scale.units(committed), 0, 0
    for index, (day, ideal_remaining) in enumerate(zip(dates, ideal, strict=True)):
        points = scale.rounded(sum(p for _, _, p in done.get(day, ())))
        cumulative += points
        remaining_now += open_delta[index]
        counted_now += counted_delta[index]
        remaining = scale.rounded(remaining_now)
        counted_day = scale.rounded(counted_now)
        figures.append(
            DayFigures(
                date=day,
                completed_points=scale.to_points(points),
                cumulative_points=scale.to_points(cumulative),
                completed=tuple(key for _, key, _ in done.get(day, ())),
                remaining=scale.to_points(remaining),
                scope=scale.to_points(cumulative + remaining),
                scope_change=scale.to_points(counted_day - counted),
                ideal_remaining=ideal_remaining,
                is_working_day=day.weekday() in working_days,
            )
        )
        counted = counted_day
    return tuple(figures)


def _sweep(
    seen: SeenIssue,
    start: datetime,
    ends: list[datetime],
    scale: PointScale,
    deltas: tuple[list[int], list[int]],
) -> None:
    """Add one issue's open points and burndown points, as changes per day, to `deltas`.

    A change at moment m shows on every day whose end is after m (the figures are "just before
    the day's end"): from day `bisect_right(ends, m)` on. Open points: the estimate while in the
    sprint and not Done. Burndown points: the estimate while in the sprint, when the stay it is
    in began while it was not Done.
    """
    at = bisect.bisect_right
    events: list[Event] = [(at(ends, m), MEMBER, v) for m, v in seen.in_sprint.changes]
    events += [(at(ends, m), STATE, v) for m, v in seen.state.changes]
    events += [(at(ends, m), ESTIMATE, v) for m, v in seen.estimate.changes]
    events += [
        (at(ends, began), STAY, seen.state.value_at(began) is WorkState.DONE)
        for began in entries(seen.in_sprint, start)
    ]
    events.sort(key=itemgetter(0))  # stable: each timeline's changes keep their order
    value: list[object] = [seen.in_sprint.initial, seen.state.initial, seen.estimate.initial, None]
    open_delta, counted_delta = deltas
    was_open = was_counted = 0
    day, index, count = 0, 0, len(events)
    while True:
        while index < count and events[index][0] == day:
            value[events[index][1]] = events[index][2]
            index += 1
        units = scale.units(value[ESTIMATE]) if value[MEMBER] else 0  # type: ignore[arg-type]
        now_open = units if value[STATE] is not WorkState.DONE else 0
        now_counted = units if value[STAY] is False else 0
        open_delta[day] += now_open - was_open
        counted_delta[day] += now_counted - was_counted
        was_open, was_counted = now_open, now_counted
        if index == count:
            return
        day = events[index][0]


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
        to_points(whole * (len(working) - bisect.bisect_right(working, day)) / len(working))
        for day in dates
    ]


def _completions_by_day(
    pairs: Sequence[Pair], window: Window, scale: PointScale
) -> dict[date, list[Completion]]:
    """Completed issues by `done_on`, each day's list ordered by the moment of completion."""
    found: defaultdict[date, list[Completion]] = defaultdict(list)
    for seen, verdict in pairs:
        moment = last_move_into_done(seen.state)
        if verdict.outcome is Outcome.COMPLETED and moment is not None:
            completion = (moment, verdict.key, scale.units(verdict.final_estimate))
            found[window.local_date(moment)].append(completion)
    for day in found.values():
        day.sort()
    return found
