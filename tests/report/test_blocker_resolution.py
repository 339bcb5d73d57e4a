"""A flag cleared with a comment shows the comment's text as the blocker's resolution."""

import json
from dataclasses import replace
from datetime import date

from jsonschema import Draft202012Validator, FormatChecker

from fakes.confluence import parse_storage
from ledger_helpers import issue
from report.sections_helpers import utc, view_of
from sprintsync.domain import Timeline
from sprintsync.report.json_report import load_schema, render_json
from sprintsync.report.markdown import render_markdown
from sprintsync.report.storage import render_storage

MONDAY = date(2025, 1, 27)
CLEARED = utc(27, 9)  # Monday 10:00 in Berlin
NOTE = "Increased pool size and <b>connection</b> timeout"


def resolved(*notes):
    """An open issue flagged on Friday and cleared on Monday, with `notes`."""
    flags = Timeline(False, ((utc(24, 15), True), (CLEARED, False)))
    return replace(issue("A"), flagged=flags, flag_notes=notes)


def test_the_clearing_comment_is_the_resolution_in_both_places():
    """Blockers section and the day's Issues & Blockers carry the note (Monday's cut-off)."""
    view = view_of(resolved((CLEARED, NOTE)), as_of=MONDAY)
    (blocker,) = view.sections.blockers
    assert blocker.resolution == NOTE
    assert blocker.text == "Title of A (A): flag cleared on January 27, 2025"
    assert blocker.flagged_since is None
    monday = view.days[-1]
    assert [(b.text, b.resolution) for b in monday.blockers] == [("Title of A (A)", NOTE)]


def test_without_a_note_a_cleared_flag_stays_flag_cleared_and_leaves_the_section():
    """No note: the day says "flag cleared", and the blockers section does not list it."""
    view = view_of(resolved(), as_of=MONDAY)
    assert view.sections.blockers == ()
    assert [b.resolution for b in view.days[-1].blockers] == ["flag cleared"]


def test_a_note_of_another_day_is_not_this_days_resolution():
    """A Monday note is not Friday's resolution, and is not shown before it was made."""
    view = view_of(resolved((CLEARED, NOTE)), as_of=date(2025, 1, 24))
    assert [b.resolution for b in view.days[-1].blockers] == [None]
    assert [(b.key, b.resolution) for b in view.sections.blockers] == [("A", None)]  # still up


def test_the_resolution_renders_neutralised_in_every_format():
    """Markdown and storage neutralise the tracker text; the JSON validates with it."""
    view = view_of(resolved((CLEARED, NOTE)), as_of=MONDAY)
    text = render_markdown(view)
    assert (
        text.count("- **Resolution**: Increased pool size and \\<b\\>connection\\</b\\> timeout")
        == 2
    )
    assert "<b>" not in text
    body = render_storage(view)
    parse_storage(body)
    assert "<strong>Resolution</strong>: Increased pool size and &lt;b&gt;" in body
    data = json.loads(render_json(view))
    Draft202012Validator(load_schema(), format_checker=FormatChecker()).validate(data)
    assert data["sections"]["blockers"][0]["resolution"] == NOTE
