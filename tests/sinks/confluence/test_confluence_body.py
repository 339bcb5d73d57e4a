"""Pure page-body rules: the team notes section, the content stamp, the semantic comparison."""

from __future__ import annotations

from sprintsync.sinks.confluence.body import (
    build_page_body,
    content_hash,
    normalise,
    same_report,
    split_team_notes,
    stored_hash,
)

REPORT = '<p>x</p><ac:structured-macro ac:name="status"><ac:parameter ac:name="title">OK'
REPORT += "</ac:parameter></ac:structured-macro>"
PLACEHOLDER = "<h2>Team notes</h2><p>placeholder</p>"


def test_split_finds_the_last_team_notes_heading_even_with_editor_attributes():
    """The section starts at the last h2 reading "Team notes", whatever its attributes/markup."""
    body = '<h2>Team notes</h2><p>a</p><h2 local-id="q1"><strong>Team&#160;Notes </strong></h2><p>b'
    head, notes = split_team_notes(body)
    assert head == "<h2>Team notes</h2><p>a</p>"
    assert notes.endswith("<p>b")


def test_split_without_heading_keeps_everything_as_report():
    """No heading: the whole body is report and the section is empty."""
    assert split_team_notes("<h2>Day 1</h2>") == ("<h2>Day 1</h2>", "")


def test_new_body_carries_the_current_notes_and_a_stamp():
    """The page body = stamp of the report part + report + the current page's notes verbatim."""
    current = "<p>old</p><h2>Team notes</h2><p>keep &amp; me</p>"
    body = build_page_body(REPORT + PLACEHOLDER, current=current)
    assert body.endswith(REPORT + "<h2>Team notes</h2><p>keep &amp; me</p>")
    assert stored_hash(body) == content_hash(REPORT)


def test_new_page_gets_the_placeholder_notes():
    """Without a current page (or its heading) the rendered placeholder section is used."""
    assert build_page_body(REPORT + PLACEHOLDER, current=None).endswith(PLACEHOLDER)
    assert build_page_body(REPORT + PLACEHOLDER, current="<p>gone</p>").endswith(PLACEHOLDER)


def test_same_report_ignores_editor_macro_ids_and_notes():
    """A stored body rewritten by the editor, with other notes, still counts as the same report."""
    new = build_page_body(REPORT + PLACEHOLDER, current=None)
    stored = new.replace(
        "<ac:structured-macro ac:name", '<ac:structured-macro ac:macro-id="m-9" ac:name'
    ).replace("placeholder", "someone wrote this")
    assert same_report(new, stored)
    changed = build_page_body(REPORT.replace("OK", "LATE") + PLACEHOLDER, current=stored)
    assert not same_report(changed, stored)


def test_same_report_falls_back_to_normalised_comparison_without_stamp():
    """A page that lost its stamp is compared by its normalised XHTML."""
    new = build_page_body(REPORT + PLACEHOLDER, current=None)
    stored = REPORT.replace("<p>x</p>", "<p>x</p>\n  ").replace(
        'ac:name="status"', 'ac:name="status" ac:macro-id="abc"'
    )
    assert stored_hash(stored) is None
    assert same_report(new, stored + PLACEHOLDER)
    assert not same_report(new, "<p>y</p>" + PLACEHOLDER)


def test_normalise_drops_editor_additions():
    """ac:macro-id, local-id and body-type children vanish; whitespace between tags too."""
    raw = '<ac:structured-macro ac:macro-id="1" ac:name="x">\n <ac:body-type>PLAIN</ac:body-type>'
    raw += "</ac:structured-macro>"
    assert normalise(raw) == '<ac:structured-macro ac:name="x"></ac:structured-macro>'
