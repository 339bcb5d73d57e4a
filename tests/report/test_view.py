from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from report.sprint5_data import (
    CUTOFF,
    DAY1,
    DAY2,
    MON_TO_SAT,
    PLAN,
    START,
    ZONE,
    at,
    day_figures,
    issue_ledger,
    ledger,
    seed_view,
    sprint_data,
    tracked,
)
from sprintsync.domain import (
    DateMismatch,
    Outcome,
    PlanItem,
    PointsMismatch,
    Reconciliation,
    Timeline,
    WorkState,
)
from sprintsync.ledger import build_ledger
from sprintsync.report.days import build_trend


def test_overview_reproduces_the_seed():
    """The overview has the seed's title, sprint label, theme, duration and total (seed, §7)."""
    overview = seed_view().overview
    assert overview.title == "Sprint 5 Daily Status Report"
    assert overview.sprint_label == "5"
    assert overview.theme == "Production Readiness"
    assert overview.duration == "January 24 - February 4, 2025 (10 days)"
    assert overview.total_points_text == "75"
    assert overview.scope_text is None


def test_days_reproduce_the_seed_figures():
    """Day 1 is 7/75 (9.3%) on track, day 2 22/75 (29.3%) accelerating (SEMANTICS §7)."""
    day1, day2 = seed_view().days
    assert (day1.number, day1.title_date) == (1, "January 24, 2025")
    assert day1.progress.text == "7/75 points (9.3%)"
    assert day1.velocity.text == "On track at 7 points/day"
    assert (day2.number, day2.title_date) == (2, "January 25, 2025")
    assert day2.progress.text == "22/75 points (29.3%)"
    assert day2.velocity.text == "Accelerating at 15 points/day"


def test_completed_tasks_are_labelled_by_plan_item():
    """A completed issue shows its plan item's id, its own title and final points."""
    day1, day2 = seed_view().days
    assert [(t.label, t.key, t.title, t.points_text) for t in day2.completed] == [
        ("PERF-001", "PRD-103", "Cache Implementation Complete", "5"),
        ("FEAT-001", "PRD-104", "Batch Processing System", "8"),
        ("SEC-001", "PRD-105", "Rate Limiting", "2"),
    ]
    assert day1.completed[0].result == "Real-time metrics collection operational"
    assert not day1.completed[0].label_is_key


def test_in_progress_at_each_days_end():
    """In progress lists the plan item of issues In Progress at the day's end."""
    day1, day2 = seed_view().days
    assert day1.in_progress == ("SEC-001 (Security hardening)",)
    assert day2.in_progress == ("PERF-002 (WebSocket optimization)",)


def test_without_a_plan_keys_and_sprint_goal_are_used():
    """With no plan, labels are issue keys, in-progress shows key (title), theme = goal."""
    view = seed_view(plan=None, reconciliation=None)
    day1 = view.days[0]
    assert view.overview.theme == "Production Readiness"
    assert day1.completed[0].label == "PRD-101"
    assert day1.completed[0].label_is_key
    assert day1.in_progress == ("PRD-105 (Rate Limiting)",)
    assert day1.goal == ""
    assert day1.insights == (
        "68 points remaining: needs 7.6 points/day over 9 remaining working days",
    )
    assert view.plan.missing == ()


def test_quiet_non_working_day_is_left_out_and_numbering_continues():
    """A Sunday with no completion and no scope change is not reported; days stay numbered 1..n."""
    sunday = date(2025, 1, 26)
    monday = date(2025, 1, 27)
    days = (
        *ledger().days,
        day_figures(sunday, (), 22.0, 60.0),
        day_figures(monday, (), 22.0, 52.5),
    )
    view = seed_view(the_ledger=replace(ledger(), days=days))
    assert [(d.number, d.date) for d in view.days] == [(1, DAY1), (2, DAY2), (3, monday)]
    assert [f.date for f in view.figures][-2:] == [sunday, monday]


def test_active_non_working_day_is_reported():
    """A Sunday with a completion is reported."""
    sunday = date(2025, 1, 26)
    figures = replace(day_figures(sunday, ("PRD-101",), 26.0, 60.0), is_working_day=False)
    view = seed_view(the_ledger=replace(ledger(), days=(*ledger().days, figures)))
    assert view.days[-1].date == sunday


def test_flag_raised_and_cleared_during_a_day_is_a_resolved_blocker():
    """An issue flagged during the day shows "<title> (<key>)" with "flag cleared" if cleared."""
    flagged = Timeline(False, ((at(DAY1, 10), True), (at(DAY1, 12), False)))
    still = Timeline(False, ((at(DAY2, 10), True),))
    issues = {i.key: i for i in sprint_data().issues}
    issues["PRD-107"] = replace(issues["PRD-107"], flagged=flagged)
    issues["PRD-108"] = replace(issues["PRD-108"], flagged=still)
    view = seed_view(data=replace(sprint_data(), issues=tuple(issues.values())))
    day1, day2 = view.days
    assert [(b.text, b.resolution) for b in day1.blockers] == [
        ("Runbooks and on-call guide (PRD-107)", "flag cleared")
    ]
    assert [(b.text, b.resolution) for b in day2.blockers][1:] == [
        ("Load test scenarios (PRD-108)", None)
    ]


def test_plan_blocker_comes_first_with_its_resolution():
    """The plan's day-2 blocker is shown with its resolution (seed day 2)."""
    blocker = seed_view().days[1].blockers[0]
    assert blocker.text == "Redis connection pool needed tuning for batch operations"
    assert blocker.resolution == "Increased pool size and connection timeout"


def test_blocked_by_is_shown_on_the_last_day_only_for_open_issues():
    """An open issue blocked by another shows on the last reported day, a done one does not."""
    issues = {i.key: i for i in sprint_data().issues}
    issues["PRD-110"] = replace(issues["PRD-110"], blocked_by=("PRD-200",))
    issues["PRD-101"] = replace(issues["PRD-101"], blocked_by=("PRD-201",))
    view = seed_view(data=replace(sprint_data(), issues=tuple(issues.values())))
    assert view.days[0].blockers == ()
    assert [b.text for b in view.days[1].blockers][1:] == [
        "Blue-green deployment (PRD-110): blocked by PRD-200"
    ]


def _with_added_issue() -> tuple:
    added = replace(
        issue_ledger("PRD-113"),
        key="PRD-114",
        title="Audit log",
        added_after_start=True,
        entered=at(DAY2, 12),
        initial_estimate=3.0,
        final_estimate=5.0,
        outcome=Outcome.COMPLETED,
        done_on=DAY2,
    )
    the_ledger = ledger()
    day2 = replace(
        the_ledger.days[1],
        completed=(*the_ledger.days[1].completed, "PRD-114"),
        completed_points=20.0,
        cumulative_points=27.0,
        scope=80.0,
        scope_change=5.0,
    )
    the_ledger = replace(
        the_ledger, issues=(*the_ledger.issues, added), days=(the_ledger.days[0], day2)
    )
    data = sprint_data()
    source = replace(
        tracked("PRD-113"),
        key="PRD-114",
        title="Audit log",
        in_sprint=Timeline(False, ((at(DAY2, 12), True),)),
        state=Timeline(WorkState.TODO, ((at(DAY2, 18), WorkState.DONE),)),
    )
    return the_ledger, replace(data, issues=(*data.issues, source))


def test_added_issue_shows_marker_estimate_change_and_scope_insights():
    """An issue added after start carries its marker, "3 → 5", and the day's scope lines."""
    the_ledger, data = _with_added_issue()
    day2 = seed_view(the_ledger=the_ledger, data=data).days[1]
    task = day2.completed[-1]
    assert (task.label, task.added_after_start, task.estimate_change) == ("PRD-114", True, "3 → 5")
    assert "+3 points added: PRD-114" in day2.insights
    assert "+2 points from re-estimates" in day2.insights


def test_removed_issue_is_a_scope_insight_on_its_day():
    """A removal shows "-N points removed: KEY" on the day it left the sprint."""
    removed = replace(
        issue_ledger("PRD-113"),
        outcome=Outcome.REMOVED,
        removed_on=DAY1,
        removed_estimate=8.0,
    )
    the_ledger = ledger()
    day1 = replace(the_ledger.days[0], scope_change=-8.0)
    the_ledger = replace(
        the_ledger,
        issues=(*the_ledger.issues[:-1], removed),
        days=(day1, the_ledger.days[1]),
    )
    insights = seed_view(the_ledger=the_ledger).days[0].insights
    assert "-8 points removed: PRD-113" in insights
    assert not any("re-estimates" in line for line in insights)


def test_plan_differences_and_unestimated_issues_close_the_last_day():
    """The last reported day lists unestimated issues and every plan difference."""
    reconciliation = Reconciliation(
        missing=("OPS-009",),
        unplanned=("PRD-120",),
        points_mismatch=(PointsMismatch("PERF-001", 8.0, 9.5),),
        date_mismatch=(DateMismatch("end", date(2025, 2, 4), date(2025, 2, 5)),),
        item_of_issue={"PRD-101": "MON-001"},
    )
    the_ledger = ledger()
    unestimated = replace(the_ledger.issues[-1], unestimated=True, final_estimate=0.0)
    the_ledger = replace(the_ledger, issues=(*the_ledger.issues[:-1], unestimated))
    view = seed_view(the_ledger=the_ledger, reconciliation=reconciliation)
    assert view.days[1].insights[-5:] == (
        "Unestimated, counted as 0: PRD-113",
        "Plan items with no issue in the sprint: OPS-009",
        "Issues not in the plan: PRD-120",
        "PERF-001: planned 8 points, tracker 9.5 points",
        "Plan end date February 4, 2025 differs from the sprint's February 5, 2025",
    )
    assert not any("Plan" in line for line in view.days[0].insights)
    assert view.plan.unplanned == ("PRD-120",)


def test_pace_insight_when_no_working_day_is_left():
    """On the sprint's last day, remaining work is stated without a pace."""
    end = datetime(2025, 1, 25, 17, 0, tzinfo=ZONE)
    the_ledger = replace(ledger(), sprint=replace(ledger().sprint, end=end))
    day2 = seed_view(the_ledger=the_ledger).days[1]
    assert day2.insights[-1] == "53 points remaining with no working days left"


def test_done_when_nothing_remains_and_no_pace_line():
    """A day that ends with nothing remaining is "Done" and has no pace line."""
    day2 = replace(ledger().days[1], remaining=0.0, scope=22.0)
    the_ledger = replace(ledger(), days=(ledger().days[0], day2))
    view = seed_view(the_ledger=the_ledger, plan=None)
    assert view.days[1].velocity.text == "Done at 15 points/day"
    assert not any("remaining" in line for line in view.days[1].insights)


def test_burndown_starts_at_commitment_then_follows_reported_days():
    """The burndown has a Start point at 75, then each day's ideal and remaining."""
    burndown = seed_view().burndown
    assert [(p.label, p.ideal_text, p.remaining_text) for p in burndown.points] == [
        ("Start", "75", "75"),
        ("01-24", "67.5", "68"),
        ("01-25", "60", "53"),
    ]
    assert burndown.y_max == 75


def test_sprint_dates_are_in_the_team_time_zone():
    """A start late in the UTC evening is the previous calendar day in New York."""
    start = START.astimezone(ZONE) + timedelta(hours=14)  # 23:00 New York on January 24
    the_ledger = replace(ledger(), sprint=replace(ledger().sprint, start=start))
    assert seed_view(the_ledger=the_ledger).sprint.start == DAY1


@pytest.mark.parametrize(
    ("velocity", "previous", "remaining", "expected"),
    [
        (7.0, None, 68.0, "On track"),  # seed day 1: 7 >= 0.9 x 7.5
        (6.75, None, 68.0, "On track"),  # exactly 90%
        (6.7, None, 68.0, "Behind"),
        (15.0, 7.0, 53.0, "Accelerating"),  # seed day 2
        (8.75, 7.0, 53.0, "Accelerating"),  # exactly 1.25x
        (8.7, 7.0, 53.0, "Steady"),
        (5.3, 7.0, 53.0, "Steady"),
        (5.25, 7.0, 53.0, "Slowing"),  # exactly 0.75x
        (0.0, 0.0, 53.0, "Steady"),
        (1.0, 0.0, 53.0, "Accelerating"),
        (3.0, 7.0, 0.0, "Done"),
    ],
)
def test_trend_rule(velocity, previous, remaining, expected):
    """The trend word follows the documented thresholds (report/view.py)."""
    trend = build_trend(velocity=velocity, previous=previous, needed_pace=7.5, remaining=remaining)
    assert trend == expected


def test_trend_compares_with_the_previous_reported_working_day():
    """A reported non-working day is skipped when picking the previous velocity."""
    sunday = day_figures(date(2025, 1, 26), (), 22.0, 60.0)
    sunday = replace(sunday, is_working_day=False, completed_points=1.0, scope_change=1.0)
    monday = day_figures(date(2025, 1, 27), (), 22.0, 52.5)
    monday = replace(monday, completed_points=12.0)
    the_ledger = replace(ledger(), days=(*ledger().days, sunday, monday))
    view = seed_view(the_ledger=the_ledger)
    assert [d.date.day for d in view.days] == [24, 25, 26, 27]
    assert view.days[-1].velocity.trend == "Steady"  # 12 vs Saturday's 15, not Sunday's 1


def test_hand_ledger_equals_build_ledger():
    """The fixture's hand-computed ledger is exactly what build_ledger derives (SEMANTICS §7)."""
    real = build_ledger(sprint_data(), cutoff=CUTOFF, timezone=ZONE, working_days=MON_TO_SAT)
    assert real == ledger()


def test_two_issues_of_one_item_in_progress_show_the_item_once():
    """PRD-102 and PRD-103 both In Progress show PERF-001 once."""
    issues = {i.key: i for i in sprint_data().issues}
    working = Timeline(WorkState.TODO, ((at(DAY1, 9), WorkState.IN_PROGRESS),))
    issues["PRD-108"] = replace(issues["PRD-108"], state=working)
    issues["PRD-109"] = replace(issues["PRD-109"], state=working)
    reconciliation = Reconciliation(
        item_of_issue={"PRD-105": "SEC-001", "PRD-108": "TEST-001", "PRD-109": "TEST-001"}
    )
    plan = replace(PLAN, items=(*PLAN.items, PlanItem("TEST-001", "Load testing", 13.0)))
    view = seed_view(
        data=replace(sprint_data(), issues=tuple(issues.values())),
        plan=plan,
        reconciliation=reconciliation,
    )
    assert view.days[0].in_progress == ("SEC-001 (Security hardening)", "TEST-001 (Load testing)")
    assert view.days[0].in_progress_text == "SEC-001 (Security hardening), TEST-001 (Load testing)"


def test_ledger_issue_unknown_to_the_source_is_skipped_for_state_and_flags():
    """An issue the source did not return has no in-progress or flag entry (and no crash)."""
    data = replace(sprint_data(), issues=sprint_data().issues[5:])
    day1 = seed_view(data=data).days[0]
    assert day1.in_progress == ()
    assert day1.blockers == ()
    assert day1.completed[0].details == ()


def test_scope_line_appears_only_when_scope_changed():
    """The overview states committed, added, removed and re-estimated points after a change."""
    totals = replace(ledger().totals, added=5.0, removed=3.0, estimate_change=-1.0, scope=76.0)
    view = seed_view(the_ledger=replace(ledger(), totals=totals))
    assert view.overview.scope_text == "75 committed, +5 added, -3 removed, -1 re-estimated"
    assert view.overview.total_points_text == "76"
