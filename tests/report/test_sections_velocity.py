import json
from datetime import date

from jsonschema import Draft202012Validator, FormatChecker

from fakes.confluence import parse_storage
from ledger_helpers import DONE, at, done_at, issue, run
from ledger_helpers import data as sprint_data
from report.sections_helpers import ALL, BERLIN, WEEKDAYS, end_of, utc
from sprintsync.domain import SprintData
from sprintsync.ledger import build_ledger
from sprintsync.report.json_report import load_schema, render_json
from sprintsync.report.markdown import render_markdown
from sprintsync.report.sections import SectionOptions, VelocityHistory
from sprintsync.report.sections.velocity import NO_CLOSED_SPRINT, build_velocity, mean
from sprintsync.report.storage import render_storage
from sprintsync.report.view import ReportView, build_report_view

VALIDATOR = Draft202012Validator(load_schema(), format_checker=FormatChecker())
CLOSE = at(4, 18, month=2)


def closed_sprints() -> tuple[tuple[str, float, float], ...]:
    """Three hand-built closed sprints through our ledger, newest close first (SEMANTICS §4)."""
    # Sprint A: 5 + 5 committed, one done; 3 added after the start and done: completed 8 of 10.
    a = run(
        issue("A1", points=5.0, moves=done_at(at(27))),
        issue("A2", points=5.0),
        issue("A3", member=False, joins=((at(27), True),), points=3.0, moves=done_at(at(28))),
        complete=CLOSE,
    )
    # Sprint B: 8 committed and done; 2 already done at the start count neither way.
    b = run(
        issue("B1", points=8.0, moves=done_at(at(29))),
        issue("B2", points=2.0, state=DONE),
        complete=CLOSE,
    )
    # Sprint C: 6 + 6 committed, one removed mid-sprint (still committed), one done: 6 of 12.
    c = run(
        issue("C1", points=6.0, moves=done_at(at(30))),
        issue("C2", points=6.0, joins=((at(28), False),)),
        complete=CLOSE,
    )
    return tuple(
        (name, ledger.totals.committed, ledger.totals.completed)
        for name, ledger in (("Sprint C", c), ("Sprint B", b), ("Sprint A", a))
    )


HISTORY = VelocityHistory(sprints=closed_sprints(), wanted=6)


def test_three_closed_sprints_pin_committed_and_completed():
    """Our ledger over the three sprints: 12/6, 8/8, 10/8 (removals committed, added completed)."""
    assert HISTORY.sprints == (
        ("Sprint C", 12.0, 6.0),
        ("Sprint B", 8.0, 8.0),
        ("Sprint A", 10.0, 8.0),
    )


def test_averages_and_predictability_over_the_three():
    """Average committed 10, completed 7.3; predictability 22 / 30 = 73.3 %, per sprint too."""
    view = build_velocity(HISTORY, current_committed=75.0)
    assert (view.average_committed, view.average_completed) == (10.0, 7.3)
    assert view.predictability == 73.3
    assert [s.predictability for s in view.sprints] == [50.0, 100.0, 80.0]
    assert view.sprints[0].text == "Sprint C: committed 12, completed 6 (50%)"
    assert view.lines == (
        (
            "This sprint: committed 75, average completed 7.3 over 3 sprints "
            "(the board has 3 closed, 6 asked for)"
        ),
        "Average committed 10; predictability 73.3% (completed / committed)",
    )


def test_a_full_window_says_nothing_about_the_count():
    """When the board has the N sprints asked for, the line is the plain comparison."""
    view = build_velocity(VelocityHistory(sprints=HISTORY.sprints, wanted=3), current_committed=9)
    assert view.lines[0] == "This sprint: committed 9, average completed 7.3 over 3 sprints"


def test_nothing_committed_has_no_predictability():
    """A sprint with nothing committed has no ratio, and neither has a history of only those."""
    view = build_velocity(VelocityHistory(sprints=(("Empty", 0.0, 3.0),)), current_committed=0)
    assert (view.predictability, view.sprints[0].predictability) == (None, None)
    assert view.sprints[0].text == "Empty: committed 0, completed 3"
    assert view.lines == (
        (
            "This sprint: committed 0, average completed 3 over 1 sprint (the board has 1 closed, "
            "6 asked for)"
        ),
        "Average committed 0",
    )


def test_no_history_says_why():
    """No closed sprint, or the reason the composition root gave (GitHub Projects)."""
    assert build_velocity(None, current_committed=5).lines == (NO_CLOSED_SPRINT,)
    github = VelocityHistory(unavailable="No velocity history for GitHub Projects yet")
    view = build_velocity(github, current_committed=5)
    assert view.lines == ("No velocity history for GitHub Projects yet",)
    assert view.average_completed is None


def test_mean_rounds_half_away_from_zero():
    """(0.1 + 0.2 + 0.15) / 3 = 0.15 -> 0.2, without float noise."""
    assert mean([0.1, 0.2, 0.15]) == 0.2
    assert mean([]) is None


def velocity_view(history: VelocityHistory | None, *, options: SectionOptions = ALL) -> ReportView:
    """An open sprint (5 committed, 3 done) on January 28 with the velocity history given."""
    data: SprintData = sprint_data(
        issue("X", points=3.0, moves=done_at(utc(27))), issue("Y", points=2.0)
    )
    ledger = build_ledger(data, cutoff=end_of(date(2025, 1, 28)), timezone=BERLIN)
    return build_report_view(
        ledger=ledger,
        data=data,
        plan=None,
        reconciliation=None,
        team="platform",
        as_of=date(2025, 1, 28),
        working_days=WEEKDAYS,
        sections=options,
        velocity=history,
    )


NOTICE = "Sprint <C>: Jira's Velocity chart shows committed 13; this report shows its own"


def test_all_three_outputs_show_the_section():
    """Markdown, storage and JSON (valid against the schema) carry the same figures."""
    history = VelocityHistory(sprints=HISTORY.sprints, wanted=6, notices=(NOTICE,))
    view = velocity_view(history)
    markdown = render_markdown(view)
    assert "## 📈 Velocity History" in markdown
    assert "- This sprint: committed 5, average completed 7.3 over 3 sprints" in markdown
    assert "  - Sprint C: committed 12, completed 6 (50%)" in markdown
    assert "- ⚠️ Sprint \\<C\\>: Jira's Velocity chart" in markdown
    storage = render_storage(view)
    parse_storage(storage)
    assert "<h2>📈 Velocity History</h2>" in storage
    assert "<li>Sprint A: committed 10, completed 8 (80%)</li>" in storage
    assert "Sprint &lt;C&gt;" in storage
    document = json.loads(render_json(view))
    VALIDATOR.validate(document)
    velocity = document["sections"]["velocity"]
    assert velocity["sprints"][0] == {
        "name": "Sprint C",
        "committed": 12,
        "completed": 6,
        "predictability": 50,
    }
    assert (velocity["average_completed"], velocity["predictability"]) == (7.3, 73.3)
    assert (velocity["current_committed"], velocity["wanted"]) == (5, 6)
    assert velocity["notices"] == [NOTICE]


def test_no_history_validates_and_says_so():
    """The GitHub Projects reason is the section's one line in every output."""
    view = velocity_view(VelocityHistory(unavailable="No velocity history for GitHub Projects yet"))
    assert "- No velocity history for GitHub Projects yet" in render_markdown(view)
    document = json.loads(render_json(view))
    VALIDATOR.validate(document)
    assert document["sections"]["velocity"]["sprints"] == []


def test_off_by_default():
    """Without `velocity` in report.sections there is no section, whatever the history."""
    view = velocity_view(HISTORY, options=SectionOptions(sections=frozenset({"forecast"})))
    assert view.sections is not None
    assert view.sections.velocity is None
    assert "Velocity History" not in render_markdown(view)
