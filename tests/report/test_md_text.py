import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from sprintsync.report.markdown import ZWSP, md_text, md_url, mermaid_text

# CommonMark plus GFM tables and strikethrough, the constructs a comment or file can use
PARSER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from("\\`*_[]<>|#~$&!@-+=.)0123456789 \n\r\t\u2028\x85\x00GHgh:/"),
        st.characters(),
    ),
    max_size=60,
)


def normalised(text: str) -> str:
    """What a reader should see: one line, control characters gone, invisible ZWSP ignored."""
    kept = "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(kept.split()).replace(ZWSP, "")


def inline_text(tokens) -> tuple[list[str], str]:
    """Child token types and their text of the first inline token."""
    inline = next(t for t in tokens if t.type == "inline")
    children = inline.children or []
    return [c.type for c in children], "".join(c.content for c in children)


def assert_inert(rendered: str) -> None:
    """No mention, no issue reference survives: '@'/'#' are followed by U+200B."""
    assert re.search(r"@(?!\u200b)", rendered) is None
    assert re.search(r"#(?!\u200b)", rendered) is None
    assert re.search(r"\bGH-\d", rendered, re.IGNORECASE) is None


def unescaped_pipes(line: str) -> int:
    """The number of '|' not preceded by an escaping backslash."""
    count, index = 0, 0
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        count += line[index] == "|"
        index += 1
    return count


@given(HOSTILE)
def test_heading_stays_one_heading_with_the_literal_text(text):
    """Any text in a heading renders as that one heading showing the text literally."""
    source = f"#### {md_text(text)} (3 points)"
    assert len(source.splitlines()) == 1
    tokens = PARSER.parse(source)
    assert [t.type for t in tokens] == ["heading_open", "inline", "heading_close"]
    assert tokens[0].tag == "h4"
    types, shown = inline_text(tokens)
    assert set(types) <= {"text"}
    assert shown.replace(ZWSP, "") == f"{normalised(text)} (3 points)".strip()
    assert_inert(md_text(text))


@given(HOSTILE)
def test_table_cell_stays_one_cell(text):
    """Any text in a table cell adds no line, no column and no markup."""
    cell = md_text(text)
    row = f"| {cell} | 5 |"
    assert len(row.splitlines()) == 1
    assert unescaped_pipes(row) == 3
    tokens = PARSER.parse(f"| Issue | Points |\n|---|---|\n{row}\n")
    assert [t.type for t in tokens].count("td_open") == 2
    cells = [t for t in tokens if t.type == "inline"][2:]
    types, shown = inline_text(cells)
    assert set(types) <= {"text"}
    assert shown.replace(ZWSP, "") == normalised(text)
    assert_inert(cell)


@given(HOSTILE)
def test_bullet_stays_one_list_item(text):
    """Any text after "- " stays one plain list item (no nested list, heading or quote)."""
    tokens = PARSER.parse(f"- {md_text(text)}\n")
    assert [t.type for t in tokens].count("list_item_open") == 1
    assert [t.type for t in tokens].count("bullet_list_open") == 1
    assert not any(t.type.startswith(("heading", "blockquote", "ordered")) for t in tokens)


def test_mentions_and_references_are_neutralised():
    """@user, @org/team, #123 and GH-5 no longer notify or link."""
    assert md_text("ping @alice and @acme/devs about #123, GH-5") == (
        f"ping @{ZWSP}alice and @{ZWSP}acme/devs about \\#{ZWSP}123, GH{ZWSP}-5"
    )


def test_markdown_specials_are_escaped():
    """Emphasis, code, links, HTML and pipes are shown literally."""
    assert md_text("*a* _b_ `c` [d](e) <f> g|h") == r"\*a\* \_b\_ \`c\` \[d\](e) \<f\> g\|h"


def test_leading_block_markers_are_escaped():
    """A leading list or ordered-list marker cannot start a nested block."""
    assert md_text("- x") == r"\- x"
    assert md_text("12. x") == r"12\. x"


def test_newlines_collapse_to_one_space():
    """Line breaks of every kind become single spaces."""
    assert md_text("a\n\nb\r\nc\u2028d") == "a b c d"


def test_seed_text_is_unchanged():
    """Ordinary prose from the seed passes through untouched."""
    text = "Implemented per-IP rate limiting (100 req/min), 80% hit rate, 10+ jobs"
    assert md_text(text) == text


def test_md_url_keeps_http_and_drops_other_schemes():
    """Only http(s) links are kept; parentheses and spaces are percent-encoded."""
    assert md_url("https://x.test/a b(c)") == "https://x.test/a%20b%28c%29"
    assert md_url("javascript:alert(1)") == ""


def test_mermaid_text_drops_quotes_and_breaks():
    """A sprint name cannot close the Mermaid title string."""
    assert mermaid_text('Sprint "5"\n  x') == "Sprint 5 x"
