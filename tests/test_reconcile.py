from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from ledger_helpers import BERLIN, at, data, issue, run, sprint
from sprintsync.domain import DateMismatch, Plan, PlanItem, PointsMismatch, SprintData
from sprintsync.ledger import build_ledger
from sprintsync.reconcile import reconcile


def plan(*items: PlanItem, start: date | None = None, end: date | None = None) -> Plan:
    """A Sprint 5 plan holding `items`."""
    return Plan(sprint="Sprint 5", start=start, end=end, items=items)


def item(item_id: str, points: float, **kwargs) -> PlanItem:
    """A plan item with planned points."""
    return PlanItem(id=item_id, title=f"Title of {item_id}", points=points, **kwargs)


def check(the_plan: Plan, *issues):
    """Reconcile `the_plan` with the ledger of `issues`."""
    sprint_data = data(*issues)
    ledger = build_ledger(sprint_data, cutoff=at(20, month=2), timezone=BERLIN)
    return reconcile(the_plan, ledger, sprint_data)


def test_items_claim_listed_labelled_and_epic_issues():
    """§6: an item claims the issues it lists, carrying its labels, or in its epic."""
    result = check(
        plan(
            item("PERF-001", 5, issues=("A",)),
            item("MON-001", 4, labels=("monitoring",)),
            item("SEC-001", 3, epic="E-1"),
        ),
        issue("A", points=5),
        issue("B", points=4, labels=("ops", "monitoring")),
        issue("C", points=3, epic="E-1"),
    )
    assert result.item_of_issue == {"A": "PERF-001", "B": "MON-001", "C": "SEC-001"}
    assert result.missing == ()
    assert result.unplanned == ()
    assert result.points_mismatch == ()


def test_listing_beats_label_and_first_item_wins():
    """§6: a listing wins over a label match; among matches the first plan item wins."""
    result = check(
        plan(
            item("ONE", 3, labels=("x",)),
            item("TWO", 3, labels=("x",), issues=("A",)),
            item("THREE", 3, epic="E"),
        ),
        issue("A", labels=("x",)),
        issue("B", labels=("x",), epic="E"),
    )
    assert result.item_of_issue == {"A": "TWO", "B": "ONE"}
    assert result.missing == ("THREE",)


def test_item_without_issue_in_sprint_is_missing():
    """§6: an item whose issues are absent or removed from the sprint is missing."""
    result = check(
        plan(item("GONE", 2, issues=("R",)), item("NONE", 1, issues=("X-9",))),
        issue("R", points=2, joins=((at(27), False),)),
    )
    assert result.missing == ("GONE", "NONE")
    assert result.item_of_issue == {"R": "GONE"}
    assert result.points_mismatch == ()


def test_unclaimed_issue_is_unplanned_unless_removed():
    """§6: sprint issues no item claims are unplanned; removed ones are not."""
    result = check(
        plan(item("P", 3, issues=("A",))),
        issue("A"),
        issue("B"),
        issue("R", joins=((at(27), False),)),
    )
    assert result.unplanned == ("B",)


def test_points_mismatch_compares_planned_with_issues_still_in_sprint():
    """§6: tracker points = Σ final_estimate of the item's issues still in S; differences only."""
    result = check(
        plan(
            item("OFF", 5, issues=("A", "B", "R")),
            item("EVEN", 0.3, issues=("C", "D")),
            item("MOVED", 3, issues=("E",)),
        ),
        issue("A", points=3),
        issue("B", points=1, repoints=((at(28), 1.5),)),
        issue("R", points=8, joins=((at(27), False),)),
        issue("C", points=0.1),
        issue("D", points=0.2),
        issue("E", points=3),
    )
    assert result.points_mismatch == (PointsMismatch(item="OFF", planned=5, tracker=4.5),)


def test_plan_dates_compare_with_team_time_zone_dates():
    """§6: plan dates are compared with the sprint's start and planned end in team time."""
    late_start = datetime(2025, 1, 23, 23, 30, tzinfo=UTC)  # 24 January in Berlin
    sprint_data = SprintData(sprint=sprint(start=late_start), issues=(issue("A"),))
    ledger = build_ledger(sprint_data, cutoff=at(30), timezone=BERLIN)
    same = reconcile(plan(start=date(2025, 1, 24), end=date(2025, 2, 4)), ledger, sprint_data)
    differ = reconcile(plan(start=date(2025, 1, 23), end=date(2025, 2, 5)), ledger, sprint_data)
    assert same.date_mismatch == ()
    assert differ.date_mismatch == (
        DateMismatch(field="start", planned=date(2025, 1, 23), tracker=date(2025, 1, 24)),
        DateMismatch(field="end", planned=date(2025, 2, 5), tracker=date(2025, 2, 4)),
    )


def test_missing_dates_are_not_compared():
    """§6: a plan without dates, or a sprint without a planned end, yields no date mismatch."""
    no_end = data(issue("A"), end=None)
    ledger = build_ledger(no_end, cutoff=at(30), timezone=ZoneInfo("UTC"))
    assert reconcile(plan(end=date(2025, 2, 4)), ledger, no_end).date_mismatch == ()
    assert reconcile(plan(), ledger, no_end).date_mismatch == ()


def test_issue_unknown_to_data_is_claimed_only_by_listing():
    """§6: without the issue's labels and epic only an explicit listing can claim it."""
    ledger = run(issue("A", labels=("x",)), issue("B", labels=("x",)))
    result = reconcile(
        plan(item("L", 6, labels=("x",)), item("K", 3, issues=("B",))), ledger, data()
    )
    assert result.item_of_issue == {"B": "K"}
    assert result.unplanned == ("A",)
    assert result.missing == ("L",)


def test_reconcile_leaves_tracker_figures_alone():
    """§6: the plan never changes a tracker figure: the ledger is the same after reconciling."""
    ledger = run(issue("A", points=3))
    before = ledger.totals
    result = reconcile(plan(item("P", 8, issues=("A",))), ledger, data(issue("A", points=3)))
    assert result.points_mismatch == (PointsMismatch(item="P", planned=8, tracker=3),)
    assert ledger.totals == before
    assert ledger.totals.committed == 3
