from dataclasses import replace
from datetime import date

from ledger_helpers import DOING, DONE, TODO, done_at, issue
from report.sections_helpers import SectionOptions, utc, view_of
from sprintsync.domain import Plan, PlanItem, Timeline

MONDAY = date(2025, 1, 27)


def flagged(key, *changes, initial=False, **kwargs):
    """An open issue with a flag timeline."""
    return replace(issue(key, **kwargs), flagged=Timeline(initial, changes))


def test_blocker_age_crosses_the_weekend():
    """Flagged on Friday, reported on Monday: 1 working day; assignee and blocks are named."""
    a = replace(flagged("A", (utc(24, 15), True)), assignee="Dana")
    b = replace(issue("B"), blocked_by=("A",))
    c = flagged("C", (utc(27, 9), True), (utc(27, 10), False), (utc(27, 11), True))
    old = flagged("D", initial=True)
    done = flagged("E", (utc(24, 15), True), moves=done_at(utc(27)))
    blockers = view_of(a, b, c, old, done, as_of=MONDAY).sections.blockers
    assert [(x.key, x.flagged_since, x.age_working_days) for x in blockers] == [
        ("A", date(2025, 1, 24), 1),
        ("C", MONDAY, 0),
        ("B", None, None),
        ("D", None, None),
    ]
    first = blockers[0]
    assert (first.assignee, first.blocks, first.blocked_by) == ("Dana", ("B",), ())
    assert first.text == "Title of A (A): flagged since January 24, 2025 (1 working day)"
    assert blockers[2].blocked_by == ("A",)
    assert blockers[2].text == "Title of B (B): blocked by a link (no date recorded)"
    assert blockers[3].text == "Title of D (D): flagged since before its recorded history"


def test_stuck_work_oldest_first_past_the_threshold():
    """In Progress since Friday is 4 working days old on Thursday: stuck at N = 3, not at N = 4."""
    old = replace(issue("OLD", moves=((utc(24, 10), DOING),)), assignee="Ari")
    new = issue("NEW", moves=((utc(28, 10), DOING),))
    before = issue("BEFORE", state=DOING, repoints=((utc(29, 10), 5.0),))
    waiting = issue("WAIT", state=TODO)
    view = view_of(new, old, before, waiting, as_of=date(2025, 1, 30))
    stuck = view.sections.stuck
    assert [(s.key, s.in_progress_days, s.days_without_change) for s in stuck] == [
        ("OLD", 4, 4),
        ("BEFORE", 4, 1),
    ]
    assert stuck[0].reasons == (
        "in progress for 4 working days",
        "no recorded change for 4 working days",
    )
    assert stuck[0].text == (
        "Title of OLD (OLD, Ari): In Progress since January 24, 2025; in progress for 4 working "
        "days, no recorded change for 4 working days"
    )
    assert stuck[1].in_progress_since is None
    assert "since before its recorded history" in stuck[1].text
    relaxed = SectionOptions(sections=frozenset({"stuck"}), stuck_after_days=4)
    assert view_of(new, old, as_of=date(2025, 1, 30), options=relaxed).sections.stuck == ()


def test_changes_since_the_previous_working_days_end():
    """Monday's report lists what moved since Friday's end; Friday's own changes are not in it."""
    issues = (
        issue("ADD", member=False, joins=((utc(25), True),)),
        issue("GONE", joins=((utc(27, 9), False),)),
        issue("EST", repoints=((utc(24, 15), 2.0), (utc(26), 5.0))),
        issue("NOEST", repoints=((utc(27, 9), None),)),
        issue("OPEN", moves=((utc(24, 14), DONE), (utc(27, 9), DOING))),
        flagged("FLAG", (utc(27, 9), True)),
        flagged("FRI", (utc(24, 15), True)),
        issue("QUIET"),
    )
    changes = view_of(*issues, as_of=MONDAY).sections.changes
    assert (changes.since, changes.since_start) == (date(2025, 1, 24), False)
    assert changes.added == ("ADD",)
    assert changes.removed == ("GONE",)
    assert [(r.key, r.before, r.after) for r in changes.reestimated] == [
        ("EST", 2.0, 5.0),
        ("NOEST", 3.0, None),
    ]
    assert changes.reopened == ("OPEN",)
    assert changes.newly_blocked == ("FLAG",)
    assert changes.heading == "Since the end of January 24, 2025"
    assert changes.lines == (
        "Added to the sprint: ADD",
        "Removed from the sprint: GONE",
        "Re-estimated: EST 2 → 5, NOEST 3 → unestimated",
        "Reopened: OPEN",
        "Newly flagged: FLAG",
    )


def test_changes_on_the_first_day_count_from_the_sprint_start():
    """On the sprint's first day the previous report is its start."""
    changes = view_of(issue("EST", repoints=((utc(24, 15), 5.0),)), as_of=date(2025, 1, 24))
    section = changes.sections.changes
    assert section.since_start
    assert section.heading == "Since the sprint started (January 24, 2025)"
    assert section.lines == ("Re-estimated: EST 3 → 5",)


def test_data_quality_lists_each_finding_with_its_keys():
    """Unestimated, sub-task points, plan gaps, total_points, past end, notices: each keyed."""
    issues = (
        issue("NONE", points=None),
        issue("SUB", subtask=True, points=2.0),
        issue("SUB0", subtask=True, points=None),
        issue("PLANNED", points=5.0),
        issue("LOOSE", points=3.0),
    )
    plan = Plan(
        sprint="5",
        total_points=20.0,
        items=(PlanItem("IT-1", "Item", 5.0, ("PLANNED",)), PlanItem("IT-2", "Lost", 3.0)),
    )
    view = view_of(*issues, as_of=date(2025, 2, 6), plan=plan, notices=("snapshot missing",))
    found = {c.check: (c.keys, c.text) for c in view.sections.data_quality}
    assert list(found) == [
        "unestimated",
        "subtask_points",
        "plan_missing",
        "plan_unplanned",
        "plan_total_points",
        "active_past_end",
        "source_notice",
    ]
    assert found["unestimated"][0] == ("NONE",)
    assert found["subtask_points"] == (
        ("SUB",),
        "Sub-tasks carrying points that are not counted: SUB",
    )
    assert found["plan_missing"][0] == ("IT-2",)
    assert found["plan_unplanned"][0] == ("NONE", "LOOSE")
    assert found["plan_total_points"] == (
        ("NONE", "PLANNED", "LOOSE"),
        "The plan's total_points is 20; the tracker's committed points are 8",
    )
    assert found["active_past_end"][1] == (
        "Sprint 5 is still active 2 days after its end date (February 4, 2025): "
        "close it in the tracker"
    )
    assert found["source_notice"] == ((), "snapshot missing")


def test_statuses_on_no_board_column_are_listed_by_status():
    """Jira issues in an unmapped status: one finding naming each status and its keys."""
    off = {"status_on_board": False}
    issues = (
        replace(issue("QA1"), status_name="QA Review", **off),
        replace(issue("OK"), status_name="To Do"),
        replace(issue("QA2"), status_name="QA Review", **off),
        replace(issue("UAT"), status_name="UAT", **off),
        replace(issue("GONE", member=False), status_name="QA Review", **off),
    )
    view = view_of(*issues, as_of=MONDAY)
    [found] = [c for c in view.sections.data_quality if c.check == "status_off_board"]
    assert found.keys == ("QA1", "QA2", "UAT")
    assert found.text == (
        "Statuses on no column of the board (the board hides these issues, and Jira's Velocity "
        "commitment counts them as 0; sprintsync counts them as To Do): QA Review: QA1, QA2; "
        "UAT: UAT"
    )


def test_issues_also_in_another_open_sprint_are_named_with_it():
    """An issue also planned into Sprint 6: one finding with the key and the other sprint."""
    issues = (
        replace(issue("TWICE"), other_open_sprints=("Sprint 6",)),
        issue("ONCE"),
        replace(issue("LEFT", member=False), other_open_sprints=("Sprint 6",)),
    )
    view = view_of(*issues, as_of=MONDAY)
    [found] = [c for c in view.sections.data_quality if c.check == "several_open_sprints"]
    assert found.keys == ("TWICE",)
    assert found.text == (
        "Issues also in another open sprint, whose points count there too: TWICE (Sprint 6)"
    )


def test_a_clean_sprint_has_no_findings():
    """Estimated issues, no plan, within its dates: the panel is empty."""
    assert view_of(issue("A"), as_of=MONDAY).sections.data_quality == ()
