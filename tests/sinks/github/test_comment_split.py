from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
