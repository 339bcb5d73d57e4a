import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes.confluence import parse_storage
from report.sprint5_data import SPRINT, seed_view, sprint_data
from sprintsync.report.markdown import BIDI_CONTROLS, md_text, render_markdown
from sprintsync.report.storage import render_storage

# Any text a tracker may hold; only texts Markdown would not show at all are left out.
TRACKER_TEXT = st.text(min_size=1, max_size=60).filter(lambda t: md_text(t).strip())
UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def view_with(text: str):
    """The seed report's view with every tracker-supplied text replaced by `text`."""
    data = sprint_data()
    issues = tuple(
        replace(
            issue,
            title=text,
            details=(text, text),
            result=text,
            assignee=text,
            status_name=text,
            labels=(text,),
        )
        for issue in data.issues
    )
    sprint = replace(SPRINT, name=text, goal=text)
    return seed_view(data=replace(data, sprint=sprint, issues=issues))


def skeleton(markdown: str) -> list[tuple[str, int]]:
    """The document's structure: per line its kind and, for table rows, the cell separators."""
    shape: list[tuple[str, int]] = []
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            shape.append(("fence", 0))
        elif fenced:
            shape.append(("code", 0))
        elif match := re.match(r"(#{1,6}) ", line):
            shape.append(("heading", len(match.group(1))))
        elif line.startswith("|"):
            shape.append(("row", len(UNESCAPED_PIPE.findall(line))))
        elif match := re.match(r"(\s*)[-*+] ", line):
            shape.append(("item", len(match.group(1))))
        elif re.fullmatch(r"\s*(-{3,}|={3,}|\*{3,})\s*", line):
            shape.append(("rule", 0))
        elif line.lstrip().startswith(">"):
            shape.append(("quote", 0))
        else:
            shape.append(("text" if line.strip() else "blank", 0))
    return shape


BASELINE = {
    flavor: skeleton(render_markdown(view_with("x"), flavor=flavor))
    for flavor in ("plain", "github")
}


@SETTINGS
@given(text=TRACKER_TEXT)
def test_markdown_structure_survives_any_tracker_text(text):
    """Headings, tables, lists and fences are the same whatever text the tracker holds."""
    view = view_with(text)
    for flavor in ("plain", "github"):
        assert skeleton(render_markdown(view, flavor=flavor)) == BASELINE[flavor]


@SETTINGS
@given(text=TRACKER_TEXT)
def test_markdown_notifies_no_one_and_links_nothing(text):
    """No tracker text turns into an @mention, a raw HTML tag or a template expression."""
    markdown = render_markdown(view_with(f"@octocat <b>{text}</b> {{{{ 7777 * 3 }}}}"))
    assert "@octocat" not in markdown
    assert "<b>" not in markdown
    assert "23331" not in markdown  # the expression was shown, not evaluated
    assert "{{ 7777 \\* 3 }}" in markdown


@SETTINGS
@given(text=st.text(max_size=60))
def test_storage_body_stays_well_formed_xml(text):
    """Whatever the text, the Confluence storage body parses as XML."""
    parse_storage(render_storage(view_with(text or "x")))


# Bidi controls are left out: they are dropped on purpose (test_confluence_storage).
XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters=f"\ufffe\uffff{BIDI_CONTROLS}"
    ),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip() and " " not in t and t == t.strip())


@SETTINGS
@given(text=XML_TEXT)
def test_storage_shows_tracker_text_as_text(text):
    """A sprint goal is page text, exactly as written: never markup, never a template."""
    body = render_storage(view_with(f"{text} {{{{ 7777 * 3 }}}}"))
    shown = "".join(parse_storage(body).itertext())
    assert f"{text} {{{{ 7777 * 3 }}}}" in shown
    assert "23331" not in body
