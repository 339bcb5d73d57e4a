import json
from dataclasses import replace
from datetime import date

from jsonschema import Draft202012Validator, FormatChecker

from demo_helpers import CUTOFF, fetch_demo
from fakes.confluence import parse_storage
from ledger_helpers import BERLIN, DOING, done_at, issue
from report.sections_helpers import ALL, utc, view_of
from report.sprint5_data import (
    AS_OF,
    MON_TO_SAT,
    PLAN,
    RECONCILIATION,
    ledger,
    sprint_data,
)
from sprintsync.domain import Timeline
from sprintsync.report.json_report import load_schema, render_json
from sprintsync.report.markdown import render_markdown
from sprintsync.report.storage import render_storage
from sprintsync.report.view import build_report_view

VALIDATOR = Draft202012Validator(load_schema(), format_checker=FormatChecker())
HEADINGS = (
    "## 🔁 Changes Since the Previous Report",
    "## 🔮 Forecast",
    "## ⛔ Blockers",
    "## 🐢 Stuck Work (more than 3 working days)",
    "## 🧹 Data Quality",
)


def busy_view():
    """A Thursday report with something in every section, tracker text included."""
    issues = (
        issue("A", points=3.0, moves=done_at(utc(24, 14))),
        issue("B", points=8.0, moves=done_at(utc(27, 10))),
        issue("C", points=2.0, moves=done_at(utc(28, 10))),
        replace(
            issue("D", points=5.0, moves=((utc(24, 10), DOING),)),
            title="<b>@team #1</b> & more",
            assignee="Dana <d@x>",
            flagged=Timeline(False, ((utc(30, 9), True),)),
        ),
        replace(issue("E", points=None), blocked_by=("D",)),
    )
    return view_of(*issues, as_of=date(2025, 1, 30))


def seed_sections_view():
    """The seed sprint (day 2) with every section on."""
    return build_report_view(
        ledger=ledger(),
        data=sprint_data(),
        plan=PLAN,
        reconciliation=RECONCILIATION,
        team="platform",
        as_of=AS_OF,
        working_days=MON_TO_SAT,
        sections=ALL,
    )


def test_markdown_shows_every_section_in_order_with_tracker_text_neutralised():
    """Each section heading appears once, in order, before Day 1; titles pass md_text."""
    text = render_markdown(busy_view())
    positions = [text.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    assert positions[-1] < text.index("## Day 1")
    assert "\\<b\\>@\u200bteam \\#\u200b1\\</b\\> \\& more (D): flagged since January 30" in text
    assert "  - **Assignee**: Dana \\<d@\u200bx\\>" in text
    assert "  - **Blocks**: E" in text
    assert "- **History** (points completed per working day): 01-24 3 (A); 01-27 8 (B)" in text
    assert "<b>" not in text


def test_storage_sections_parse_and_escape():
    """The storage body with every section is well-formed XML; tracker text stays text."""
    body = render_storage(busy_view())
    root = parse_storage(body)
    headings = [h.text for h in root.iter("h2")]
    assert [h.removeprefix("## ") for h in HEADINGS] == [
        h for h in headings if h and h[0] in "🔁🔮⛔🐢🧹"
    ]
    assert "&lt;b&gt;@team #1&lt;/b&gt; &amp; more" in body


def test_json_sections_validate_and_carry_the_keys():
    """The JSON `sections` validates against the schema; each figure names its issues."""
    data = json.loads(render_json(busy_view()))
    VALIDATOR.validate(data)
    sections = data["sections"]
    assert list(sections) == [
        "changes",
        "forecast",
        "blockers",
        "stuck",
        "data_quality",
        "velocity",
    ]
    assert sections["forecast"]["history"][1] == {
        "date": "2025-01-27",
        "points": 8,
        "completed": ["B"],
    }
    assert [b["key"] for b in sections["blockers"]] == ["D", "E"]
    assert sections["blockers"][0]["blocks"] == ["E"]
    assert sections["stuck"]["issues"][0]["key"] == "D"
    assert sections["data_quality"][0] == {
        "check": "unestimated",
        "keys": ["E"],
        "text": "Unestimated issues, counted as 0: E",
    }
    assert sections["changes"]["newly_blocked"] == ["D"]


def test_without_sections_the_json_has_no_sections_key():
    """The default report's JSON is unchanged: no `sections` key."""
    from sprintsync.report.sections import SectionOptions  # noqa: PLC0415

    view = view_of(issue("A"), as_of=date(2025, 1, 27), options=SectionOptions())
    assert "sections" not in json.loads(render_json(view))


def test_seed_sprint_with_sections_on_day_2():
    """Sprint 5 on day 2: too little history, no blockers, nothing stuck, changes of day 2."""
    view = seed_sections_view()
    sections = view.sections
    assert sections.forecast.lines == (
        "Too little history to forecast: 2 working days so far; a forecast needs 3.",
    )
    assert sections.blockers == ()
    assert sections.stuck == ()
    assert sections.changes.heading == "Since the end of January 24, 2025"
    assert sections.data_quality == ()
    VALIDATOR.validate(json.loads(render_json(view)))
    parse_storage(render_storage(view))
    text = render_markdown(view)
    assert "Since the end of January 24, 2025:\n- No changes\n" in text
    assert "- No findings" in text


async def test_demo_sprint_5_renders_with_every_section():
    """The recorded demo sprint, with every section on, renders in all three formats."""
    data = await fetch_demo()
    from sprintsync.ledger import build_ledger  # noqa: PLC0415

    demo_ledger = build_ledger(data, cutoff=CUTOFF, timezone=BERLIN, working_days=MON_TO_SAT)
    view = build_report_view(
        ledger=demo_ledger,
        data=data,
        plan=None,
        reconciliation=None,
        team="demo",
        as_of=date(2025, 1, 25),
        working_days=MON_TO_SAT,
        sections=ALL,
    )
    assert view.sections.forecast.enough_history is False
    assert [len(d.keys) for d in view.sections.forecast.history] == [2, 3]
    VALIDATOR.validate(json.loads(render_json(view)))
    parse_storage(render_storage(view))
    assert "## 🔮 Forecast" in render_markdown(view)
