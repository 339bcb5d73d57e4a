from datetime import UTC, datetime, timedelta

from sprintsync.domain import Snapshot, SnapshotItem, WorkState
from sprintsync.sources.github.history import HistoryRules, build_histories, to_work_state

START = datetime(2026, 11, 16, tzinfo=UTC)
RULES = HistoryRules(iteration_id="it7", start=START, done=("Done",), in_progress=("In Progress",))


def at(day, hour=7):
    """A moment on November `day`, 2026 (UTC)."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def item(item_id="A", **overrides):
    """A snapshot item in it7, created before the start, open, Todo, 3 points."""
    values = {
        "item_id": item_id,
        "content_key": f"acme/shop#{item_id}",
        "title": f"Issue {item_id}",
        "iteration_id": "it7",
        "points": 3.0,
        "status": "Todo",
        "closed": False,
        "completed": False,
        "closed_at": None,
        "created_at": at(10),
    }
    values.update(overrides)
    return SnapshotItem(**values)


def snap(moment, *items):
    """A snapshot at `moment`."""
    return Snapshot(moment, tuple(items))


def test_no_snapshots_no_issues():
    """Without snapshots there is nothing to track and nothing to say."""
    result = build_histories([], RULES)
    assert (result.issues, result.notices) == ({}, ())


def test_snapshot_before_start_needs_no_assumption():
    """A first snapshot at or before the start is taken as it is, with no notice."""
    result = build_histories([snap(at(15, 20), item()), snap(at(17), item(points=5.0))], RULES)
    issue = result.issues["A"]
    assert (issue.in_sprint.initial, issue.in_sprint.changes) == (True, ())
    assert (issue.estimate.initial, issue.estimate.changes) == (3.0, ((at(17), 5.0),))
    assert result.notices == ()


def test_first_snapshot_after_start_assumes_commitment_and_says_so():
    """Items at a late first snapshot are assumed in from the start, and a notice names them."""
    result = build_histories([snap(at(18), item("A"), item("B", created_at=at(17)))], RULES)
    assert result.issues["A"].in_sprint.initial is True
    assert result.issues["B"].in_sprint.changes == ((at(17), True),)
    expected = (
        "no snapshot before 2026-11-16: items present at the first snapshot are assumed "
        "committed at the iteration start unless GitHub's item createdAt is later (acme/shop#A)"
    )
    assert result.notices == (expected,)


def test_done_at_first_snapshot_uses_closed_at_even_before_start():
    """A close before the start stays before it: the ledger sees it as completed outside."""
    closed = item(status="Done", closed=True, completed=True, closed_at=at(12))
    state = build_histories([snap(at(18), closed)], RULES).issues["A"].state
    assert (state.initial, state.changes) == (WorkState.TODO, ((at(12), WorkState.DONE),))


def test_done_without_close_date_at_late_first_snapshot_is_placed_there_and_noted():
    """Status Done with no closedAt at a late first snapshot: Done at that snapshot, noted."""
    result = build_histories([snap(at(18), item(status="Done"))], RULES)
    state = result.issues["A"].state
    assert (state.initial, state.changes) == (WorkState.TODO, ((at(18), WorkState.DONE),))
    assert result.notices[1] == (
        "no close date for acme/shop#A: their move into Done is placed at the first snapshot "
        "(2026-11-18T07:00:00+00:00)"
    )


def test_done_by_status_before_start_is_done_from_the_start():
    """Status Done at a snapshot before the start is Done from the beginning."""
    state = build_histories([snap(at(15), item(status="Done"))], RULES).issues["A"].state
    assert (state.initial, state.changes) == (WorkState.DONE, ())


def test_close_between_snapshots_is_placed_at_closed_at():
    """The move into Done is placed at the issue's closedAt when it lies between snapshots."""
    closed = item(closed=True, completed=True, closed_at=at(17, 15))
    state = build_histories([snap(at(17), item()), snap(at(18), closed)], RULES).issues["A"].state
    assert state.changes == ((at(17, 15), WorkState.DONE),)


def test_status_done_without_close_is_placed_at_the_snapshot():
    """Status moved to Done with no close: the change sits at the snapshot that shows it."""
    moved = item(status="Done")
    state = build_histories([snap(at(17), item()), snap(at(18), moved)], RULES).issues["A"].state
    assert state.changes == ((at(18), WorkState.DONE),)


def test_item_gone_from_project_counts_as_removed():
    """An item seen in the iteration and absent later (deleted) leaves the iteration then."""
    timeline = build_histories([snap(at(17), item()), snap(at(18))], RULES).issues["A"].in_sprint
    assert timeline.changes == ((at(18), False),)


def test_item_moved_out_and_back_in():
    """Leaving and re-entering the iteration are both placed at the snapshots that show them."""
    out = item(iteration_id="it8")
    snapshots = [snap(at(17), item()), snap(at(18), out), snap(at(19), item())]
    timeline = build_histories(snapshots, RULES).issues["A"].in_sprint
    assert timeline.changes == ((at(18), False), (at(19), True))


def test_item_joining_later_created_before_previous_snapshot_joins_at_the_snapshot():
    """An item first seen later but created long before joins at the snapshot that shows it."""
    snapshots = [snap(at(17), item("A")), snap(at(18), item("A"), item("B", created_at=at(12)))]
    timeline = build_histories(snapshots, RULES).issues["B"].in_sprint
    assert timeline.changes == ((at(18), True),)


def test_items_only_ever_in_other_iterations_are_not_tracked():
    """An item never seen in this iteration is not part of its history."""
    result = build_histories([snap(at(17), item("A"), item("Z", iteration_id="it8"))], RULES)
    assert set(result.issues) == {"A"}


def test_a_skipped_day_is_reported():
    """Snapshots more than 36 hours apart produce a gap notice."""
    later = at(15) + timedelta(hours=49)
    result = build_histories([snap(at(15), item()), snap(later, item())], RULES)
    expected = (
        "no snapshot between 2026-11-15T07:00:00+00:00 and 2026-11-17T08:00:00+00:00: changes in "
        "that gap are placed at the later snapshot (closes at the issue's closedAt)"
    )
    assert result.notices == (expected,)


def test_work_state_rules():
    """Done options or a completed close mean DONE; in-progress options IN_PROGRESS; else TODO."""
    assert to_work_state(item(status="Done"), RULES) is WorkState.DONE
    assert to_work_state(item(status=None, closed=True, completed=True), RULES) is WorkState.DONE
    assert to_work_state(item(status="In Progress"), RULES) is WorkState.IN_PROGRESS
    assert to_work_state(item(status="Todo", closed=True, completed=False), RULES) is WorkState.TODO
    assert to_work_state(item(status=None), RULES) is WorkState.TODO
