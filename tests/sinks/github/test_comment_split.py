from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gfm_helpers import elements, render_gfm, visible_text
from sprintsync.report.markdown import md_text
from sprintsync.sinks.github.split import build_blocks, split_markdown

LIMIT = 400
# Blocks stay under LIMIT (6 rows of at most 40 characters), so no block needs cutting here;
# oversized blocks have tests of their own below.
words = st.text(alphabet="abcdef xyz*_-#", min_size=0, max_size=40)


@st.composite
def blocks(draw: st.DrawFn) -> list[str]:
    """One Markdown block: paragraph line, table, code fence or details, as lines."""
    kind = draw(st.sampled_from(["line", "table", "fence", "details", "blank"]))
    if kind == "line":
        return [draw(words).lstrip("|`~ <")]
    if kind == "blank":
        return [""]
    rows = draw(st.lists(words.map(lambda w: w.replace("|", "")), min_size=0, max_size=6))
    if kind == "table":
        return ["| a | b |", "|---|---|", *[f"| {r} | 1 |" for r in rows]]
    if kind == "fence":
        return ["```text", *[r.lstrip("`~") for r in rows], "```"]
    return ["<details><summary>more</summary>", "", *[r.lstrip("`~<|") for r in rows], "</details>"]


# A blank line between blocks, as Markdown needs: two tables with nothing between them are
# one table (which may then exceed the limit and get its header repeated).
documents = st.lists(blocks(), min_size=1, max_size=60).map(
    lambda chunks: "\n\n".join("\n".join(chunk) for chunk in chunks)
)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_parts_fit_and_rejoin_to_the_document(text):
    """Every part fits the limit and the parts joined by newlines are the document again."""
    parts = split_markdown(text, limit=LIMIT)
    assert all(len(part) <= LIMIT for part in parts)
    assert "\n".join(parts) == text


@settings(max_examples=150, deadline=None)
@given(documents)
def test_no_part_cuts_a_table_fence_or_details_block(text):
    """Every table, fence and details block of a part is a whole block of the document."""
    whole = {b for b in build_blocks(text.split("\n")) if b.kind != "line"}
    for part in split_markdown(text, limit=LIMIT):
        for block in build_blocks(part.split("\n")):
            assert block.kind == "line" or block in whole


def test_short_text_is_one_part():
    """A report under the limit is sent as it is, in one part."""
    assert split_markdown("# Title\n\nbody\n", limit=LIMIT) == ["# Title\n\nbody\n"]


def test_cut_falls_before_a_table_not_inside_it():
    """A table that would cross the limit moves whole to the next part."""
    table = ["| a | b |", "|---|---|", *[f"| row {n} | 1 |" for n in range(10)]]
    text = "\n".join(["x" * 300, *table])
    parts = split_markdown(text, limit=LIMIT)
    assert parts == ["x" * 300, "\n".join(table)]


def test_oversized_table_repeats_its_header_in_each_piece():
    """A table longer than a part is cut between rows, each piece starting with the header."""
    table = ["| key | title |", "|---|---|", *[f"| K-{n} | {'t' * 40} |" for n in range(30)]]
    parts = split_markdown("\n".join(table), limit=LIMIT)
    assert len(parts) > 1
    for part in parts:
        assert part.startswith("| key | title |\n|---|---|\n")
        assert len(part) <= LIMIT
    rows = [line for part in parts for line in part.split("\n")[2:]]
    assert rows == table[2:]


def test_oversized_fence_is_closed_and_reopened():
    """A code fence longer than a part is closed at the cut and reopened with its info string."""
    fence = ["```mermaid", *[f"line {n} {'z' * 30}" for n in range(40)], "```"]
    parts = split_markdown("\n".join(fence), limit=LIMIT)
    assert len(parts) > 1
    for part in parts:
        lines = part.split("\n")
        assert (lines[0], lines[-1]) == ("```mermaid", "```")
        assert len(part) <= LIMIT


def test_oversized_details_is_closed_and_reopened():
    """A details block longer than a part is closed at the cut and reopened as '(continued)'."""
    details = ["<details><summary>Log</summary>", *[f"entry {n} {'q' * 30}" for n in range(40)]]
    parts = split_markdown("\n".join([*details, "</details>"]), limit=LIMIT)
    assert len(parts) > 1
    assert parts[0].startswith("<details><summary>Log</summary>")
    assert parts[1].startswith("<details><summary>(continued)</summary>")
    assert all(p.count("<details>") == p.count("</details>") == 1 for p in parts)


def test_details_ignores_tags_inside_a_code_fence():
    """A `</details>` inside a fence within a details block does not end the block."""
    lines = ["<details>", "```", "</details>", "```", "after", "</details>", "tail"]
    kinds = [(b.kind, len(b.lines)) for b in build_blocks(lines)]
    assert kinds == [("details", 6), ("line", 1)]


def test_very_long_line_is_cut_to_fit():
    """A single line longer than the limit is cut so that no part exceeds it."""
    parts = split_markdown("y" * (LIMIT * 2 + 5), limit=LIMIT)
    assert [len(p) for p in parts] == [LIMIT, LIMIT, 5]


def test_tiny_limit_is_refused():
    """A limit too small to hold a marker and a line is a programming error."""
    with pytest.raises(ValueError, match="too small"):
        split_markdown("x", limit=10)


# A long "In Progress" line as the template writes it: tracker text through md_text (escapes
# before "<", "&", "*", URLs, mentions) between template markup (strong, a link, a code span,
# an entity, an HTML tag) and characters that display as one (ZWJ family, accent, flag, tone).
HOSTILE_ITEMS = (
    md_text("https://x.example/<img src=x onerror=alert(1)//>"),
    md_text("a &amp; b &#x41; <a href=https://evil.example>x</a> \\<b>"),
    md_text("*not em* _not em_ `not code` ~~not del~~ [not](a link) [ ] [^1]"),
    md_text("@alice #12 GH-5 www.x.example a@b.example"),
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 e\u0301 \U0001f1eb\U0001f1f7 \U0001f44d\U0001f3fd",
    "&amp; &#x41; &copy; **bold words** [a link](https://x.example/p) `code <img src=x> here`",
    '<span title="*a* b">span</span> ~~gone~~',
)
LONG_LINE = "- **In Progress**: " + ", ".join(HOSTILE_ITEMS * 3)
DOCUMENT = f"Intro paragraph.\n\n{LONG_LINE}\n\nAfter."


def squeezed(rendered: str) -> str:
    """The visible text without any whitespace (a cut may add or drop a space or a line)."""
    return "".join(visible_text(rendered).split())


def test_a_cut_line_adds_no_markup_at_any_cut_position():
    """Cut at every offset, each part shows only elements of the whole and no text changes."""
    whole = render_gfm(DOCUMENT)
    allowed = set(elements(whole))
    assert {"img", "em"}.isdisjoint(allowed)  # the line holds them only as text
    for limit in range(200, len(DOCUMENT) + 1):
        parts = split_markdown(DOCUMENT, limit=limit)
        assert all(len(part) <= limit for part in parts)
        rendered = [render_gfm(part) for part in parts]
        for part, html in zip(parts, rendered, strict=True):
            assert set(elements(html)) <= allowed, (limit, part)
        assert "".join(squeezed(html) for html in rendered) == squeezed(whole), limit


def test_a_long_line_is_cut_after_a_separator_not_inside_an_item():
    """Between items (after ", ") when the second half of the part has one."""
    items = [f"K-{n} (Title {n})" for n in range(60)]
    parts = split_markdown("- **In Progress**: " + ", ".join(items), limit=LIMIT)
    assert all(part.endswith(", ") for part in parts[:-1])
    assert all(part.startswith("K-") for part in parts[1:])


@pytest.mark.parametrize(
    "line",
    [
        "x" * 199 + "\\<" + "y" * 300,
        "x" * 198 + "&amp;" + "y" * 300,
        "x" * 199 + "e\u0301" + "y" * 300,
        "x" * 199 + "\U0001f468\u200d\U0001f469" + "y" * 300,
        "x" * 199 + "@\u200b" + "y" * 300,
    ],
    ids=["escape", "entity", "combining-mark", "zwj-sequence", "zwsp-after-at"],
)
def test_a_cut_without_spaces_keeps_escapes_entities_and_clusters_whole(line):
    """With no space to cut at, the cut still falls outside an escape, entity or cluster."""
    parts = split_markdown(line, limit=200)
    assert "".join(parts) == line
    for part in parts:
        assert not part.startswith(("<", ";", "amp", "\u0301", "\u200d", "\U0001f469", "\u200b"))
        assert not part.endswith(("\\", "&", "\u200d"))


def test_the_rest_of_a_cut_line_starts_no_block():
    """A cut never leaves "- ", "1. ", "> ", "#", "|" or a space at the start of a part."""
    words = " ".join(["- x", "1. y", "> z", "# h", "| p", "2) q", "+ r", "=", "word"] * 40)
    for limit in range(200, 260):
        for part in split_markdown(words, limit=limit)[1:]:
            assert part[0].isalpha(), (limit, part[:5])


def test_escaped_details_tags_in_tracker_text_are_text_not_blocks():
    """Titles holding `<details` (escaped by md_text) never open a block: parts stay small."""
    lines = [f"- {md_text(f'<details open> spoiler {n} ' + 'x' * 40)}" for n in range(400)]
    text = "\n\n".join(lines)
    blocks = build_blocks(text.split("\n"))
    assert {block.kind for block in blocks} == {"line"}
    parts = split_markdown(text, limit=2_000)
    assert len(parts) > 5
    assert all(len(part) <= 2_000 for part in parts)
    assert not any("(continued)</summary>" in part for part in parts)
