import itertools
from datetime import date

from ledger_helpers import DOING, done_at, issue
from report.sections_helpers import ALL, utc, view_of
from sprintsync.domain import DayFigures
from sprintsync.report.sections.calendar import (
    age_in_working_days,
    count_working_days,
    nth_working_day_after,
)
from sprintsync.report.sections.forecast import build_forecast, build_history, simulate
from sprintsync.report.text import working_days_between

WEEKDAYS = (0, 1, 2, 3, 4)
# Sprint 5: Friday January 24 to Tuesday February 4, 2025 (8 working days, Monday to Friday).
DONE_BY_TUESDAY = (
    issue("A", points=3.0, moves=done_at(utc(24, 14))),  # Friday: 3
    issue("B", points=5.0, moves=done_at(utc(27, 10))),  # Monday: 5 + 3 = 8
    issue("C", points=3.0, moves=done_at(utc(27, 15))),
    issue("D", points=2.0, moves=done_at(utc(28, 10))),  # Tuesday: 2
    issue("E", points=8.0, state=DOING),
    issue("F", points=5.0),
    issue("G", points=3.0),
)


def test_forecast_pins_pace_probability_and_finish_dates_with_the_sprint_seed():
    """Three working days (3, 8, 2) and 16 points left: the figures of seed "5" are pinned."""
    forecast = view_of(*DONE_BY_TUESDAY, as_of=date(2025, 1, 28)).sections.forecast
    assert forecast.enough_history
    assert [(d.date.day, d.points, d.keys) for d in forecast.history] == [
        (24, 3, ("A",)),
        (27, 8, ("B", "C")),
        (28, 2, ("D",)),
    ]
    assert forecast.remaining == 16
    assert forecast.working_days_left == 5  # January 29, 30, 31, February 3, 4
    assert round(forecast.pace, 4) == 4.3333
    assert forecast.pace_finish == date(2025, 2, 3)  # ceil(16 / 4.33) = 4 working days
    assert (forecast.runs, forecast.seed) == (10_000, "sprintsync-forecast:5")
    assert forecast.probability_by_end == 87.0
    assert (forecast.finish_p50, forecast.finish_p85) == (date(2025, 2, 3), date(2025, 2, 4))
    assert forecast.unfinished_runs == 0
    assert forecast.lines == (
        (
            "Pace: 4.3 points per working day over 3 working days; at this pace the 16 "
            "remaining points are done on February 3, 2025."
        ),
        "Chance of finishing by the end date (February 4, 2025): 87% of 10,000 simulated runs.",
        "Finish date: 50% of runs by February 3, 2025, 85% by February 4, 2025.",
    )


def test_forecast_is_reproducible():
    """The same sprint and cut-off give the same forecast, run after run."""
    first = view_of(*DONE_BY_TUESDAY, as_of=date(2025, 1, 28)).sections.forecast
    second = view_of(*DONE_BY_TUESDAY, as_of=date(2025, 1, 28)).sections.forecast
    assert first == second


def exact_share(samples, *, remaining, days):
    """The exact probability that `days` draws with replacement reach `remaining` points."""
    hits = sum(sum(draws) >= remaining for draws in itertools.product(samples, repeat=days))
    return hits / len(samples) ** days


def test_simulated_figures_agree_with_exact_enumeration():
    """Resampling (3, 8, 2) matches enumeration: 86.8% +- 2% in 5 days; P50 4 days, P85 5 days."""
    samples = (3.0, 8.0, 2.0)
    finished = simulate(samples, remaining=16, runs=10_000, seed="sprintsync-forecast:5")
    exact = exact_share(samples, remaining=16, days=5)
    assert round(exact * 100, 1) == 86.8
    assert abs(sum(days <= 5 for days in finished) / 10_000 - exact) < 0.02
    assert 0.5 <= exact_share(samples, remaining=16, days=4) < 0.85
    assert exact_share(samples, remaining=16, days=3) < 0.5


def test_the_first_two_days_are_too_little_history():
    """On the second working day the forecast says so plainly and gives no figures."""
    forecast = view_of(*DONE_BY_TUESDAY, as_of=date(2025, 1, 27)).sections.forecast
    assert not forecast.enough_history
    assert forecast.probability_by_end is None
    assert forecast.finish_p50 is None
    assert forecast.lines == (
        "Too little history to forecast: 2 working days so far; a forecast needs 3.",
    )


def test_weekend_completions_count_on_the_working_day_before():
    """Points done on Saturday join Friday's sample; before the first working day, the first."""
    figures = [
        DayFigures(date(2025, 1, d), p, p, k, 0, 0, 0, 0, date(2025, 1, d).weekday() < 5)
        for d, p, k in ((18, 1.0, ("X",)), (20, 2.0, ()), (24, 3.0, ("A",)), (25, 4.0, ("S",)))
    ]
    history = build_history(figures, working_days=WEEKDAYS)
    assert [(d.date.day, d.points, d.keys) for d in history] == [
        (20, 3, ("X",)),
        (24, 7, ("A", "S")),
    ]


def test_nothing_remaining_and_no_throughput_have_plain_lines():
    """All done says so; three working days with nothing done give no finish date."""
    done = view_of(issue("A", points=3.0, moves=done_at(utc(24))), as_of=date(2025, 1, 29))
    assert done.sections.forecast.lines == ("Nothing remains: the sprint's scope is completed.",)
    idle = build_forecast(
        [DayFigures(date(2025, 1, d), 0, 0, (), 5, 5, 0, 0, True) for d in (27, 28, 29)],
        remaining=5,
        today=date(2025, 1, 29),
        end=date(2025, 2, 4),
        working_days=WEEKDAYS,
        sprint_id="5",
        runs=100,
    )
    assert idle.pace == 0
    assert idle.lines == ("No points completed in 3 working days: no finish date to forecast.",)


def test_runs_past_the_horizon_have_no_date():
    """Mostly-idle history: runs not done in 120 working days leave the 85% date empty."""
    samples = (0.0,) * 99 + (1.0,)
    finished = simulate(samples, remaining=5, runs=200, seed="s")
    assert len(finished) < 200
    forecast = build_forecast(
        [DayFigures(date(2025, 1, 27), 1, 1, ("A",), 50, 51, 0, 0, True)]
        + [DayFigures(date(2025, 1, d), 0, 1, (), 50, 51, 0, 0, True) for d in (28, 29)],
        remaining=50,
        today=date(2025, 1, 29),
        end=date(2025, 2, 4),
        working_days=WEEKDAYS,
        sprint_id="5",
        runs=500,
    )
    assert forecast.finish_p85 is None
    assert forecast.unfinished_runs > 0
    assert "no date within 120 working days" in forecast.lines[-1]


def test_calendar_arithmetic_matches_the_day_by_day_count():
    """O(1) working-day counts equal counting day by day; ages cross weekends."""
    start = date(2025, 1, 1)
    for offset in range(40):
        for span in range(20):
            first = date.fromordinal(start.toordinal() + offset)
            last = date.fromordinal(first.toordinal() + span)
            assert count_working_days(first, last, WEEKDAYS) == working_days_between(
                first, last, WEEKDAYS
            )
    assert age_in_working_days(date(2025, 1, 24), date(2025, 1, 27), WEEKDAYS) == 1
    assert nth_working_day_after(date(2025, 1, 24), 1, WEEKDAYS) == date(2025, 1, 27)
    assert nth_working_day_after(date(2025, 1, 24), 6, WEEKDAYS) == date(2025, 2, 3)
    assert nth_working_day_after(date(2025, 1, 24), 0, WEEKDAYS) == date(2025, 1, 24)


def test_sections_are_off_by_default():
    """Without report.sections the view has no sections (the sample's shape)."""
    from sprintsync.report.sections import SectionOptions  # noqa: PLC0415

    view = view_of(*DONE_BY_TUESDAY, as_of=date(2025, 1, 28), options=SectionOptions())
    assert view.sections is None
    assert ALL.wants("forecast")
