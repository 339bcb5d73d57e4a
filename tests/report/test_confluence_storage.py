"""render_storage: Confluence storage format from the report view (golden, escaping, macros)."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from jinja2 import UndefinedError

from confluence_helpers import EVIL, sprint5_view
from fakes.confluence import parse_storage
from report.golden import check_golden
from sprintsync.report import storage
from sprintsync.report.storage import render_storage, trend_colour

AC = "{http://atlassian.com/content}"


def macros(root: ET.Element, name: str) -> list[ET.Element]:
    """Every ac:structured-macro with this ac:name."""
    return [m for m in root.iter(f"{AC}structured-macro") if m.get(f"{AC}name") == name]


def parameter(macro: ET.Element, name: str) -> str | None:
    """The text of one ac:parameter of a macro."""
    for child in macro.findall(f"{AC}parameter"):
        if child.get(f"{AC}name") == name:
            return child.text
    return None


def test_sprint5_storage_matches_golden(update_golden):
    """The Sprint 5 page body equals the reviewed golden file (`--update-golden` rewrites it)."""
    check_golden("sprint5.storage.xhtml", render_storage(sprint5_view()), update=update_golden)


@pytest.mark.parametrize("server_id", [None, "70d83bc8-0aff-3fa5-8121-5ae90121f5fc"])
def test_tracker_text_is_escaped_and_body_is_well_formed(server_id):
    """A hostile issue title appears as text, never as markup, and the body parses as XML."""
    view = sprint5_view()
    day = view.days[0]
    task = dataclasses.replace(day.completed[0], title=EVIL, result=EVIL, details=(EVIL,))
    days = (dataclasses.replace(day, completed=(task,), goal=EVIL), *view.days[1:])
    body = render_storage(dataclasses.replace(view, days=days), jira_server_id=server_id)
    root = parse_storage(body)
    assert list(root.iter("script")) == []
    headings = ["".join(h.itertext()) for h in root.iter("h4")]
    assert f"MON-001: {EVIL} (4 points)" in headings
    texts = ["".join(e.itertext()) for e in root.iter("li")]
    assert EVIL in texts
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Q&amp;A&#34;" in body


def test_issue_keys_link_to_the_tracker_without_a_server_id():
    """Without jira_server_id every completed issue key is a plain link to its tracker URL."""
    root = parse_storage(render_storage(sprint5_view()))
    links = {a.text: a.get("href") for a in root.iter("a")}
    for key in ("PRD-101", "PRD-102", "PRD-103", "PRD-104", "PRD-105"):
        assert links[key] == f"https://acme.atlassian.net/browse/{key}"
    assert macros(root, "jira") == []


def test_issue_keys_use_the_jira_macro_with_a_server_id():
    """With jira_server_id each completed issue is a jira macro naming that server and key."""
    root = parse_storage(render_storage(sprint5_view(), jira_server_id="srv-1"))
    jira = macros(root, "jira")
    assert [parameter(m, "key") for m in jira] == [f"PRD-10{n}" for n in range(1, 6)]
    assert {parameter(m, "serverId") for m in jira} == {"srv-1"}
    assert not any((a.get("href") or "").endswith("/browse/PRD-101") for a in root.iter("a"))


def test_velocity_and_results_are_status_lozenges():
    """Each day's velocity trend and each task result is a Status macro in the trend's colour."""
    root = parse_storage(render_storage(sprint5_view()))
    lozenges = [(parameter(m, "colour"), parameter(m, "title")) for m in macros(root, "status")]
    assert ("Green", "On track") in lozenges
    assert ("Green", "Accelerating") in lozenges
    assert lozenges.count(("Green", "Done")) == 5
    assert trend_colour("Behind") == "Red"
    assert trend_colour("Slowing") == "Yellow"
    assert trend_colour("unheard of") == "Grey"


def test_burndown_chart_has_ideal_remaining_and_scope_columns():
    """The Chart macro's table has one row per reported day: ideal, remaining and scope change."""
    view = sprint5_view()
    *earlier, last = view.burndown.points
    point = dataclasses.replace(last, scope_change=5.0, scope_change_text="+5")
    burndown = dataclasses.replace(view.burndown, points=(*earlier, point))
    root = parse_storage(render_storage(dataclasses.replace(view, burndown=burndown)))
    (chart,) = macros(root, "chart")
    assert parameter(chart, "type") == "line"
    assert parameter(chart, "dataOrientation") == "vertical"
    rows = [["".join(c.itertext()) for c in tr] for tr in chart.iter("tr")]
    assert rows == [
        ["Day", "Ideal", "Remaining", "Scope change"],
        ["Start", "75", "75", "0"],
        ["01-24", "67.5", "68", "0"],
        ["01-25", "60", "53", "5"],
    ]


def test_page_ends_with_the_team_notes_section():
    """The body ends with the "Team notes" heading the sink carries over on every update."""
    body = render_storage(sprint5_view())
    assert "<h2>Team notes</h2>" in body
    assert body.rstrip().endswith("</p>")
    assert body.count("<h2>Team notes</h2>") == 1


def test_template_is_autoescaped_and_strict():
    """STYLE trap 2: the xhtml.j2 template is autoescaped; undefined names raise."""
    env = storage._ENV
    assert env.autoescape(storage.TEMPLATE) is True  # type: ignore[operator,call-arg]
    with pytest.raises(UndefinedError, match="undefined"):
        env.get_template(storage.TEMPLATE).render()


BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_dropped_from_tracker_text():
    """An unterminated right-to-left override in a title cannot reverse "(4 points)" on the page."""
    view = sprint5_view()
    day = view.days[0]
    title = f"Evil \u202eright to left{BIDI} title"
    task = dataclasses.replace(day.completed[0], title=title, details=(f"a{BIDI}b",))
    days = (dataclasses.replace(day, completed=(task,), goal="\u2067goal"), *view.days[1:])
    body = render_storage(dataclasses.replace(view, days=days))
    assert not any(char in body for char in BIDI)
    root = parse_storage(body)
    headings = ["".join(h.itertext()) for h in root.iter("h4")]
    assert "MON-001: Evil right to left title (4 points)" in headings
    assert "ab" in ["".join(e.itertext()) for e in root.iter("li")]


def test_characters_xml_cannot_carry_are_dropped_from_tracker_text():
    """Lone surrogates, control characters and U+FFFE/U+FFFF never reach the page body."""
    view = sprint5_view()
    day = view.days[0]
    title = "Evil\ud800 \x01con\x1ftrol\udfff \ufffetitle\uffff"
    task = dataclasses.replace(day.completed[0], title=title)
    body = render_storage(
        dataclasses.replace(
            view, days=(dataclasses.replace(day, completed=(task,)), *view.days[1:])
        )
    )
    assert not any(char in body for char in "\ud800\udfff\x01\x1f\ufffe\uffff")
    headings = ["".join(h.itertext()) for h in parse_storage(body).iter("h4")]
    assert "MON-001: Evil control title (4 points)" in headings
