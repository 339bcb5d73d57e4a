"""The finish-date forecast: a linear pace line and a Monte Carlo simulation (pure).

History: each working day from the sprint's start to the cut-off's day with the points
completed that day (SEMANTICS §5 `completed_points`); points completed on a non-working day
count on the working day before it (on the first working day when none is before it).
Pace = the history's mean. The linear line finishes on the working day where
pace x days reaches the remaining points. The simulation draws, for each future working day,
one past working day's points (with replacement), `runs` times, from `random.Random(seed)`
with the seed "sprintsync-forecast:<sprint id>", so a report is reproducible.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from sprintsync.domain import DayFigures
from sprintsync.report.sections.calendar import count_working_days, nth_working_day_after
from sprintsync.report.sections.model import ForecastView, ThroughputDay
from sprintsync.report.text import (
    format_one_decimal,
    format_points,
    long_date,
    percent,
    short_label,
)

MIN_HISTORY_DAYS = 3  # the first two working days are too little history to forecast
HORIZON_DAYS = 120  # a run not finished within this many working days counts as unfinished
P50, P85 = 0.50, 0.85


def build_history(
    figures: Sequence[DayFigures], *, working_days: tuple[int, ...]
) -> tuple[ThroughputDay, ...]:
    """The working days of `figures` (ascending) with their points and completed issue keys."""
    days: list[ThroughputDay] = []
    pending: tuple[float, tuple[str, ...]] = (0.0, ())  # completions before the first working day
    for f in figures:
        if f.date.weekday() in working_days:
            points, keys = pending
            days.append(ThroughputDay(f.date, points + f.completed_points, keys + f.completed))
            pending = (0.0, ())
        elif days:
            last = days[-1]
            days[-1] = ThroughputDay(
                last.date, last.points + f.completed_points, last.keys + f.completed
            )
        else:
            pending = (pending[0] + f.completed_points, pending[1] + f.completed)
    return tuple(
        ThroughputDay(d.date, d.points, d.keys, short_label(d.date), format_points(d.points))
        for d in days
    )


def build_forecast(
    figures: Sequence[DayFigures],
    *,
    remaining: float,
    today: date,
    end: date | None,
    working_days: tuple[int, ...],
    sprint_id: str,
    runs: int,
) -> ForecastView:
    """The forecast at the cut-off's day `today` for `remaining` points."""
    history = build_history(figures, working_days=working_days)
    left = count_working_days(today + timedelta(days=1), end, working_days) if end else 0
    base = ForecastView(
        remaining=remaining,
        working_days_left=left,
        history=history,
        enough_history=len(history) >= MIN_HISTORY_DAYS,
    )
    if remaining <= 0:
        return _with_lines(base, ("Nothing remains: the sprint's scope is completed.",))
    if not base.enough_history:
        return _with_lines(base, (_too_little(len(history)),))
    samples = [day.points for day in history]
    pace = sum(samples) / len(samples)
    if pace <= 0:
        text = f"No points completed in {len(history)} working days: no finish date to forecast."
        return _with_lines(replace(base, pace=0.0), (text,))
    seed = f"sprintsync-forecast:{sprint_id}"
    finished = simulate(samples, remaining=remaining, runs=runs, seed=seed)
    done = sorted(finished)
    view = replace(
        base,
        pace=pace,
        pace_finish=nth_working_day_after(today, math.ceil(remaining / pace - 1e-9), working_days),
        runs=runs,
        seed=seed,
        probability_by_end=percent(sum(1 for d in done if d <= left), runs),
        finish_p50=_quantile_date(done, P50, runs=runs, today=today, working_days=working_days),
        finish_p85=_quantile_date(done, P85, runs=runs, today=today, working_days=working_days),
        unfinished_runs=runs - len(done),
    )
    return _with_lines(view, _lines(view, end=end))


def simulate(samples: Sequence[float], *, remaining: float, runs: int, seed: str) -> list[int]:
    """Working days each finishing run took (runs past `HORIZON_DAYS` are left out)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not cryptography
    choices = tuple(samples)
    found: list[int] = []
    for _ in range(runs):
        total, days = 0.0, 0
        while total < remaining - 1e-9 and days < HORIZON_DAYS:
            total += rng.choice(choices)
            days += 1
        if total >= remaining - 1e-9:
            found.append(days)
    return found


def _quantile_date(
    done: list[int], share: float, *, runs: int, today: date, working_days: tuple[int, ...]
) -> date | None:
    """The date by which `share` of all runs have finished (None past the horizon)."""
    index = math.ceil(share * runs) - 1
    if index >= len(done):
        return None
    return nth_working_day_after(today, done[index], working_days)


def _too_little(days: int) -> str:
    unit = "day" if days == 1 else "days"
    return (
        f"Too little history to forecast: {days} working {unit} so far; "
        f"a forecast needs {MIN_HISTORY_DAYS}."
    )


def _lines(view: ForecastView, *, end: date | None) -> tuple[str, ...]:
    pace = format_one_decimal(view.pace or 0.0)
    days = len(view.history)
    lines = [
        (
            f"Pace: {pace} points per working day over {days} working days; "
            f"at this pace the {format_points(view.remaining)} remaining points are done on "
            f"{_date_text(view.pace_finish)}."
        )
    ]
    if end is not None and view.probability_by_end is not None:
        lines.append(
            f"Chance of finishing by the end date ({long_date(end)}): "
            f"{format_one_decimal(view.probability_by_end)}% of {view.runs:,} simulated runs."
        )
    lines.append(
        f"Finish date: 50% of runs by {_date_text(view.finish_p50)}, "
        f"85% by {_date_text(view.finish_p85)}."
    )
    return tuple(lines)


def _date_text(day: date | None) -> str:
    return long_date(day) if day else f"no date within {HORIZON_DAYS} working days"


def _with_lines(view: ForecastView, lines: tuple[str, ...]) -> ForecastView:
    return replace(view, lines=lines)
