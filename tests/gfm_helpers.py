"""GitHub's renderer in tests: cmark-gfm with the extensions github.com uses (STYLE trap 8)."""

from __future__ import annotations

import html
import re
from collections import Counter

import cmarkgfm
from cmarkgfm.cmark import Options

EXTENSIONS = ["table", "autolink", "strikethrough", "tasklist", "tagfilter"]
# Raw HTML is kept in the output (GitHub sanitises after rendering; here it must show, to be
# caught); footnotes are on, as on github.com.
OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
ZWSP = "\u200b"
# cmark-gfm escapes every "<" of text as "&lt;": any "<" left in its output starts an element,
# a raw HTML tag, a comment, a declaration or a processing instruction.
_TAG = re.compile(r"<(?:([A-Za-z][A-Za-z0-9-]*)|(!--|\?|!))")
_ANY_TAG = re.compile(r"<[^>]*>")


def render_gfm(markdown: str) -> str:
    """The HTML that cmark-gfm makes of `markdown` with GitHub's extensions."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=OPTIONS, extensions=EXTENSIONS
    )


def elements(rendered: str) -> Counter[str]:
    """How many of each element (opening tags) and other markup the HTML holds."""
    return Counter((name or other).lower() for name, other in _TAG.findall(rendered))


def visible_text(rendered: str) -> str:
    """What a reader sees: tags stripped, entities decoded, zero-width spaces removed."""
    return html.unescape(_ANY_TAG.sub("", rendered)).replace(ZWSP, "")
