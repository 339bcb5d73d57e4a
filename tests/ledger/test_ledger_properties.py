from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_helpers import BERLIN, START, sprint
from sprintsync.domain import Outcome, SprintData, Timeline, TrackedIssue, WorkState
from sprintsync.domain.points import total
from sprintsync.ledger import build_ledger

HOURS = st.integers(min_value=-72, max_value=20 * 24)
moments = HOURS.map(lambda hours: START + timedelta(hours=hours))
estimates = st.sampled_from([None, 0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0])


def timelines(values):
    """Timelines with up to four changes at (often equal) random moments."""
    changes = st.lists(st.tuples(moments, values), max_size=4).map(
        lambda found: tuple(sorted(found, key=lambda change: change[0]))
    )
    return st.builds(Timeline, values, changes)


@st.composite
def sprint_runs(draw):
    """Random sprint data, cut-off and sub-task setting."""
    count = draw(st.integers(min_value=0, max_value=8))
    issues = tuple(
        TrackedIssue(
            key=f"K-{n}",
            title="t",
            in_sprint=draw(timelines(st.booleans())),
            state=draw(timelines(st.sampled_from(WorkState))),
            estimate=draw(timelines(estimates)),
            is_subtask=draw(st.booleans()),
        )
        for n in range(count)
    )
    complete = draw(st.none() | st.integers(1, 20 * 24).map(lambda h: START + timedelta(hours=h)))
    cutoff = START + timedelta(hours=draw(st.integers(0, 25 * 24)))
    data = SprintData(sprint=sprint(complete=complete), issues=issues)
    return data, cutoff, draw(st.booleans())


def ledger_of(run):
    """The ledger of a drawn run."""
    data, cutoff, subtasks = run
    return build_ledger(data, cutoff=cutoff, timezone=BERLIN, count_subtasks=subtasks)


@given(sprint_runs())
@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
def test_scope_is_completed_plus_remaining(run):
    """§4: scope == completed + remaining, and every day's scope is cumulative + remaining."""
    ledger = ledger_of(run)
    totals = ledger.totals
    assert totals.scope == total((totals.completed, totals.remaining))
    assert all(d.scope == total((d.cumulative_points, d.remaining)) for d in ledger.days)


@given(sprint_runs())
@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
def test_last_day_agrees_with_totals(run):
    """§5: the last day's cumulative and remaining equal the totals' completed and remaining."""
    ledger = ledger_of(run)
    assert ledger.days[-1].cumulative_points == ledger.totals.completed
    assert ledger.days[-1].remaining == ledger.totals.remaining
    assert sum(len(d.completed) for d in ledger.days) == sum(
        1 for line in ledger.issues if line.outcome is Outcome.COMPLETED
    )


@given(sprint_runs())
@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
def test_outcomes_partition_the_issues(run):
    """§3: each issue has one outcome; the outcome sums cover every issue still in the sprint."""
    ledger = ledger_of(run)
    for line in ledger.issues:
        assert (line.done_on is not None) == (line.outcome is Outcome.COMPLETED)
        assert (line.removed_on is not None) == (line.outcome is Outcome.REMOVED)
    kept = total(i.final_estimate for i in ledger.issues if i.outcome is not Outcome.REMOVED)
    totals = ledger.totals
    assert kept == total((totals.completed, totals.completed_outside, totals.remaining))
    removed = total(i.removed_estimate or 0 for i in ledger.issues if i.removed_on is not None)
    assert removed == totals.removed


@given(sprint_runs())
@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
def test_events_after_the_cut_off_change_nothing(run):
    """§1: dropping every change after T leaves the ledger as it was (replay)."""
    data, cutoff, subtasks = run
    ledger = ledger_of(run)
    moment = ledger.cutoff
    clipped = tuple(
        TrackedIssue(
            key=i.key,
            title=i.title,
            in_sprint=i.in_sprint.until(moment),
            state=i.state.until(moment),
            estimate=i.estimate.until(moment),
            is_subtask=i.is_subtask,
        )
        for i in data.issues
    )
    replay = build_ledger(
        SprintData(sprint=data.sprint, issues=clipped),
        cutoff=cutoff,
        timezone=BERLIN,
        count_subtasks=subtasks,
    )
    assert replay == ledger


@given(sprint_runs())
@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
def test_days_are_every_date_from_start_to_cut_off(run):
    """§5: one entry per calendar day, consecutive, from t0's date to T's date."""
    ledger = ledger_of(run)
    dates = [d.date for d in ledger.days]
    assert dates[0] == START.astimezone(BERLIN).date()
    assert dates[-1] == ledger.cutoff.astimezone(BERLIN).date()
    assert all((b - a).days == 1 for a, b in pairwise(dates))
