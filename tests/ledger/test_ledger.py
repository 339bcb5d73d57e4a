from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from ledger_helpers import (
    BERLIN,
    DOING,
    DONE,
    END,
    START,
    at,
    data,
    done_at,
    issue,
    run,
    verdict,
)
from sprintsync.domain import DayFigures, Ledger, Outcome
from sprintsync.domain.points import percent
from sprintsync.ledger import build_ledger


def day(ledger: Ledger, number: int, *, month: int = 1) -> DayFigures:
    """The figures of one 2025 calendar day."""
    (found,) = [d for d in ledger.days if d.date == date(2025, month, number)]
    return found


def worked_example() -> tuple:
    """Sprint 5 of the seed report: 75 points committed, 7 done on day 1 and 15 on day 2."""
    done = [("MON-001", 4, 24), ("PERF-001", 3, 24), ("PERF-002", 5, 25)]
    done += [("FEAT-001", 8, 25), ("SEC-001", 2, 25)]
    finished = tuple(
        issue(key, points=points, moves=((at(d, 10), DOING), (at(d, 15), DONE)))
        for key, points, d in done
    )
    open_ = tuple(issue(f"OPEN-{n}", points=p) for n, p in enumerate((20, 20, 13)))
    return finished + open_


def test_worked_example_day_one_is_7_of_75():
    """§7: day 1 completes 4 + 3 = 7 of 75 committed points, 9.3%."""
    ledger = run(*worked_example(), cutoff=at(24, 22, 59))
    assert ledger.totals.committed == 75
    assert ledger.totals.completed == 7
    assert ledger.totals.percent_complete == 9.3
    assert [d.date for d in ledger.days] == [date(2025, 1, 24)]
    assert day(ledger, 24).completed == ("MON-001", "PERF-001")


def test_worked_example_day_two_is_22_of_75():
    """§7: day 2 completes 5 + 8 + 2 = 15 points: cumulative 22 of 75, 29.3%."""
    ledger = run(*worked_example(), cutoff=at(25, 22, 59))
    assert ledger.totals.completed == 22
    assert ledger.totals.percent_complete == 29.3
    assert day(ledger, 25).completed_points == 15
    assert day(ledger, 25).cumulative_points == 22
    assert percent(day(ledger, 24).cumulative_points, day(ledger, 24).scope) == 9.3
    assert day(ledger, 25).remaining == 53
    assert day(ledger, 25).scope == 75
    assert [d.scope_change for d in ledger.days] == [0, 0]


def test_committed_counts_issues_in_sprint_at_start_not_done():
    """§4: committed = Σ initial estimates in S at t0 not Done at t0, later removals included."""
    ledger = run(
        issue("A", points=5, joins=((at(27), False),)),
        issue("B", points=2, state=DONE),
        issue("C", points=1, member=False, joins=((at(27), True),)),
        issue("D", points=8),
    )
    assert ledger.totals.committed == 13
    assert ledger.totals.added == 1
    assert ledger.totals.removed == 5
    assert ledger.totals.completed_outside == 2
    assert ledger.totals.remaining == 9
    assert ledger.totals.scope == 9


def test_removed_issue_keeps_its_estimate_at_removal():
    """§3/§4: a removed issue shows the date and estimate of its removal; it leaves scope."""
    ledger = run(
        issue("A", points=3, repoints=((at(25), 5.0),), joins=((at(27, 10), False),)),
        issue("B", points=2),
    )
    line = verdict(ledger, "A")
    assert line.outcome is Outcome.REMOVED
    assert line.removed_on == date(2025, 1, 27)
    assert line.removed_estimate == 5
    assert (line.initial_estimate, line.final_estimate) == (3, 5)
    assert ledger.totals.removed == 5
    assert ledger.totals.committed == 5
    assert ledger.totals.estimate_change == 0
    assert (day(ledger, 25).scope_change, day(ledger, 27).scope_change) == (2, -5)
    assert day(ledger, 27).remaining == 2


def test_removed_then_readded_is_not_removed():
    """§3: an issue removed and added back is judged by its membership at T only."""
    joins = ((at(26), False), (at(28), True))
    ledger = run(issue("A", points=3, joins=joins), issue("B", points=1))
    line = verdict(ledger, "A")
    assert line.outcome is Outcome.NOT_COMPLETED
    assert line.removed_on is None
    assert line.removed_estimate is None
    assert not line.added_after_start
    assert line.entered == START
    assert ledger.totals.removed == 0
    assert ledger.totals.committed == 4
    assert (day(ledger, 26).scope_change, day(ledger, 28).scope_change) == (-3, 3)
    assert (day(ledger, 27).remaining, day(ledger, 28).remaining) == (1, 4)


def test_reopened_issue_counts_once_on_its_final_day():
    """§3/§5: done, reopened and done again counts once, on the day of the last move into Done."""
    moves = ((at(25), DONE), (at(27), DOING), (at(29), DONE))
    ledger = run(issue("A", points=3, moves=moves))
    line = verdict(ledger, "A")
    assert line.outcome is Outcome.COMPLETED
    assert line.done_on == date(2025, 1, 29)
    assert [d.completed_points for d in ledger.days if d.completed] == [3]
    assert day(ledger, 29).completed == ("A",)
    assert day(ledger, 25).cumulative_points == 0
    assert (day(ledger, 25).remaining, day(ledger, 27).remaining) == (0, 3)


def test_done_before_joining_is_completed_outside():
    """§3/§4: an issue already Done when added is completed_outside, not velocity, not added."""
    ledger = run(issue("A", points=3, member=False, joins=((at(27), True),), moves=done_at(at(25))))
    line = verdict(ledger, "A")
    assert line.outcome is Outcome.COMPLETED_OUTSIDE
    assert line.done_when_entered
    assert line.done_on is None
    assert (ledger.totals.completed, ledger.totals.completed_outside) == (0, 3)
    assert (ledger.totals.added, ledger.totals.scope) == (0, 0)
    assert day(ledger, 27).scope_change == 0


def test_done_from_the_start_of_its_history_is_completed_outside():
    """§3: an issue Done with no move into Done in its history was done before it joined."""
    ledger = run(issue("A", state=DONE), issue("B", points=2))
    assert verdict(ledger, "A").outcome is Outcome.COMPLETED_OUTSIDE
    assert ledger.totals.committed == 2
    assert ledger.totals.percent_complete == 0


def test_done_at_the_moment_it_joined_is_completed_outside():
    """§3: a last move into Done at exactly `entered` is "at or before" it: completed_outside."""
    ledger = run(issue("A", member=False, joins=((at(27), True),), moves=done_at(at(27))))
    assert verdict(ledger, "A").outcome is Outcome.COMPLETED_OUTSIDE


def test_added_while_done_then_redone_is_completed_but_not_added():
    """§3/§4: added already Done, reopened and done again after joining is completed."""
    moves = ((at(25), DONE), (at(28), DOING), (at(30), DONE))
    ledger = run(issue("A", points=2, member=False, joins=((at(27), True),), moves=moves))
    line = verdict(ledger, "A")
    assert line.outcome is Outcome.COMPLETED
    assert line.done_on == date(2025, 1, 30)
    assert (ledger.totals.added, ledger.totals.completed) == (0, 2)
    assert ledger.totals.percent_complete == 100


def test_estimate_change_after_start_is_scope_not_commitment():
    """§3/§4/§5: re-estimating changes final and estimate_change, never committed."""
    ledger = run(issue("A", points=3, repoints=((at(28), 5.0),)))
    line = verdict(ledger, "A")
    assert (line.initial_estimate, line.final_estimate) == (3, 5)
    assert ledger.totals.committed == 3
    assert ledger.totals.estimate_change == 2
    assert ledger.totals.remaining == 5
    assert day(ledger, 28).scope_change == 2
    assert (day(ledger, 27).remaining, day(ledger, 28).remaining) == (3, 5)


def test_added_after_start_is_marked_and_summed():
    """§3/§4/§5: an issue added after t0 is added_after_start, entered when it joined."""
    ledger = run(issue("A", points=5, member=False, joins=((at(27, 9), True),)))
    line = verdict(ledger, "A")
    assert line.added_after_start
    assert line.entered == at(27, 9)
    assert (ledger.totals.added, ledger.totals.committed) == (5, 0)
    assert day(ledger, 27).scope_change == 5
    assert (day(ledger, 26).remaining, day(ledger, 27).remaining) == (0, 5)


def test_joining_exactly_at_start_is_committed():
    """§2/§3: a move into the sprint at exactly t0 means in S at t0, not added."""
    ledger = run(issue("A", member=False, joins=((START, True),)))
    assert not verdict(ledger, "A").added_after_start
    assert ledger.totals.committed == 3


def test_added_and_removed_before_start_does_not_belong():
    """§2: an issue in S only before t0, and one never in S, are not in the report."""
    ledger = run(
        issue("A", member=False, joins=((at(20), True), (at(22), False))),
        issue("B", member=False),
        issue("C"),
    )
    assert [line.key for line in ledger.issues] == ["C"]


def test_subtasks_are_excluded_and_listed():
    """§1: sub-tasks are left out of every sum and listed as excluded."""
    ledger = run(issue("A", points=3), issue("A-1", points=2, subtask=True, moves=done_at(at(27))))
    assert [line.key for line in ledger.issues] == ["A"]
    assert ledger.excluded_subtasks == ("A-1",)
    assert ledger.totals.committed == 3
    assert day(ledger, 27).completed == ()


def test_subtasks_count_when_configured():
    """§1: with count_subtasks, a sub-task counts like any issue."""
    ledger = run(issue("A", points=None), issue("A-1", points=2, subtask=True), count_subtasks=True)
    assert ledger.excluded_subtasks == ()
    assert ledger.totals.committed == 2


def test_unestimated_counts_zero_and_is_flagged():
    """§1: no estimate counts 0 and is marked unestimated; a later estimate clears the mark."""
    ledger = run(
        issue("A", points=None, moves=done_at(at(27))),
        issue("B", points=None, repoints=((at(28), 3.0),)),
    )
    first, second = verdict(ledger, "A"), verdict(ledger, "B")
    assert (first.unestimated, first.final_estimate) == (True, 0)
    assert (second.unestimated, second.initial_estimate, second.final_estimate) == (False, 0, 3)
    assert ledger.totals.estimate_change == 3
    assert day(ledger, 27).completed == ("A",)


def test_done_late_in_utc_counts_on_the_next_berlin_day():
    """§1/§3: 23:30 UTC on the 27th is 00:30 on the 28th in Berlin: done_on is the 28th."""
    item = issue("A", moves=done_at(at(27, 23, 30)))
    berlin = run(item)
    utc = build_ledger(data(item), cutoff=at(20, month=2), timezone=ZoneInfo("UTC"))
    assert verdict(berlin, "A").done_on == date(2025, 1, 28)
    assert verdict(utc, "A").done_on == date(2025, 1, 27)
    assert day(berlin, 28).completed == ("A",)


def test_day_boundary_is_local_midnight():
    """§5: a change at exactly local midnight belongs to the new day."""
    midnight = datetime(2025, 1, 28, tzinfo=BERLIN)
    ledger = run(issue("A", moves=done_at(midnight)))
    assert (day(ledger, 27).remaining, day(ledger, 28).remaining) == (3, 0)
    assert day(ledger, 28).completed == ("A",)


def test_complete_dialog_move_is_not_a_removal():
    """§3: the "complete sprint" dialog moves open issues out at completeDate: not completed."""
    ledger = run(
        issue("A", joins=((END, False),)),
        issue("B", joins=((at(4, 16, 59, month=2), False),)),
        issue("C", moves=done_at(at(4, 18, month=2))),
        complete=END,
    )
    assert ledger.cutoff == END
    assert verdict(ledger, "A").outcome is Outcome.NOT_COMPLETED
    assert verdict(ledger, "B").outcome is Outcome.REMOVED
    assert verdict(ledger, "C").outcome is Outcome.NOT_COMPLETED
    assert ledger.totals.remaining == 6
    assert ledger.days[-1].date == date(2025, 2, 4)
    assert ledger.days[-1].remaining == 6


def test_closed_sprint_cut_off_before_close_counts_a_move_at_the_cut_off():
    """§1/§3: with T before completeDate the dialog rule does not apply; a move at T counts."""
    cutoff = at(30)
    ledger = run(issue("A", joins=((cutoff, False),)), complete=END, cutoff=cutoff)
    assert ledger.cutoff == cutoff
    assert verdict(ledger, "A").outcome is Outcome.REMOVED


def test_old_cut_off_ignores_later_events():
    """§1: re-running with an old cut-off reproduces the old figures (replay)."""
    late = (
        issue("A", moves=done_at(at(30))),
        issue("B", joins=((at(29), False),)),
        issue("C", member=False, joins=((at(29), True),)),
        issue("D", repoints=((at(29), 8.0),)),
    )
    ledger = run(*late, cutoff=at(28, 22, 59))
    assert [line.outcome for line in ledger.issues] == [Outcome.NOT_COMPLETED] * 3
    assert [line.key for line in ledger.issues] == ["A", "B", "D"]
    assert ledger.totals.remaining == 9
    assert ledger.days[-1].date == date(2025, 1, 28)


def test_percent_complete_rounds_half_away_from_zero():
    """§4: 0.5 of 1000 points is 0.05%, shown as 0.1; 1 of 3 is 33.3."""
    half = run(issue("A", points=0.5, moves=done_at(at(27))), issue("B", points=999.5))
    third = run(issue("A", points=1, moves=done_at(at(27))), issue("B", points=2))
    assert half.totals.percent_complete == 0.1
    assert third.totals.percent_complete == 33.3


def test_point_sums_have_no_float_noise():
    """§4: 0.1 + 0.2 completed points total exactly 0.3."""
    ledger = run(
        issue("A", points=0.1, moves=done_at(at(27))),
        issue("B", points=0.2, moves=done_at(at(27, 13))),
        issue("C", points=0.7),
    )
    assert ledger.totals.completed == 0.3
    assert day(ledger, 27).completed_points == 0.3
    assert ledger.totals.scope == 1.0
    assert ledger.totals.percent_complete == 30


def test_completed_keys_are_ordered_by_done_moment():
    """§5: a day's completed keys follow the order of their last moves into Done."""
    ledger = run(issue("Z", moves=done_at(at(27, 9))), issue("A", moves=done_at(at(27, 15))))
    assert day(ledger, 27).completed == ("Z", "A")


def test_ideal_line_falls_evenly_over_working_days():
    """§5: the ideal line drops committed/N each working day and reaches 0 on the planned end."""
    ledger = run(issue("A", points=10), cutoff=at(6, month=2))
    ideal = {d.date.day: d.ideal_remaining for d in ledger.days}
    # Fri 24 .. Tue 4 Feb holds 8 working days: 1.25 points a day, flat over the weekends.
    assert [ideal[n] for n in (24, 25, 26, 27, 31, 1, 3, 4, 5, 6)] == [
        8.75, 8.75, 8.75, 7.5, 2.5, 2.5, 1.25, 0, 0, 0,
    ]  # fmt: skip
    assert [d.is_working_day for d in ledger.days[:4]] == [True, False, False, True]


def test_ideal_line_honours_configured_working_days():
    """§5: with a Sunday-to-Thursday week, Friday and Saturday are flat."""
    ledger = run(issue("A", points=8), working_days=(6, 0, 1, 2, 3))
    ideal = {d.date.day: d.ideal_remaining for d in ledger.days if d.date.month == 1}
    assert [ideal[n] for n in (24, 25, 26, 27)] == [8, 8, 7, 6]
    assert day(ledger, 24).is_working_day is False


def test_ideal_line_without_planned_end_runs_to_the_cut_off():
    """§5: a sprint with no planned end reaches 0 at the cut-off date."""
    ideal_data = data(issue("A", points=3), end=None)
    ledger = build_ledger(ideal_data, cutoff=at(28), timezone=BERLIN)
    assert [d.ideal_remaining for d in ledger.days] == [2, 2, 2, 1, 0]


def test_ideal_line_without_working_days_drops_on_the_planned_end():
    """§5: with no working day at all the line stays at committed until the planned end."""
    ledger = run(issue("A", points=3), working_days=())
    assert day(ledger, 3, month=2).ideal_remaining == 3
    assert day(ledger, 4, month=2).ideal_remaining == 0
    assert not any(d.is_working_day for d in ledger.days)


def test_every_calendar_day_is_listed():
    """§5: days run from the start date to the cut-off date, weekends included."""
    ledger = run(issue("A"), cutoff=at(2, month=2))
    assert len(ledger.days) == 10
    assert ledger.days[0].date == date(2025, 1, 24)
    assert ledger.timezone == "Europe/Berlin"


def test_naive_cut_off_is_refused():
    """§1: the cut-off must be an aware moment to place it in the team's time zone."""
    with pytest.raises(ValueError, match="no time zone"):
        run(issue("A"), cutoff=datetime(2025, 1, 30))  # noqa: DTZ001


def test_cut_off_before_start_is_refused():
    """§1: a cut-off before t0 describes no sprint and is refused with both moments."""
    with pytest.raises(ValueError, match="before sprint 'Sprint 5' started"):
        run(issue("A"), cutoff=datetime(2025, 1, 1, tzinfo=UTC))


def test_issue_added_done_then_removed_never_moves_burndown_scope():
    """§5: a stay that began Done never counted, so neither its add nor its removal moves scope."""
    joins = ((at(27), True), (at(29), False))
    ledger = run(issue("A", points=5, member=False, joins=joins, moves=done_at(at(25))))
    line = verdict(ledger, "A")
    assert (line.outcome, line.removed_estimate) == (Outcome.REMOVED, 5)
    assert ledger.totals.removed == 5
    assert [d.scope_change for d in ledger.days] == [0] * len(ledger.days)
