"""Markdown rendering of the report view (Jinja2; tracker text neutralised by `md_text`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from sprintsync.report.model import ReportView

TEMPLATE = "report.md.j2"
ZWSP = "\u200b"  # zero-width space: breaks GitHub's @mention and #ref autolinks, invisible
# Bidirectional formatting controls (Unicode UAX #9): an unterminated U+202E in a title reverses
# the rest of the line as displayed, "(13 points)" included. Dropped from tracker text.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Dropped: control characters (category Cc) that are not whitespace, the bidi controls, U+FEFF
# (invisible; cmark-gfm deletes it at the start of a document as a byte-order mark) and lone
# surrogates (no UTF-8 for them: a body holding one cannot be sent).
_CONTROLS = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if not chr(c).isspace())
_DROPPED = re.compile(f"[{re.escape(_CONTROLS + BIDI_CONTROLS)}\ufeff\ud800-\udfff]")
# ASCII punctuation that Markdown (CommonMark + GFM: tables, strikethrough, math) may interpret;
# a backslash before ASCII punctuation is always a literal in CommonMark. The backslash first.
_ESCAPED = "\\`*_[]<>|#~$&!"
_LIST_START = re.compile(r"[-+=]|\d+[.)]")
# Each pattern starts with a literal, which the regex engine finds fast.
_GH_REF = re.compile(r"-(?<=\bGH-)(?=\d)", re.IGNORECASE)
# GFM's autolink extension (cmark-gfm extensions/autolink.c) starts a link at a ":" followed by
# "//" after a scheme, and at "www." after a space, "*", "_", "~" or "(". The link runs to the
# next space or "<" and swallows backslash escapes on the way: `https://x.example/\<img …>` was a
# link to `…/%5C` plus a live <img>. A backslash before that ":" or "." (a literal) stops it.
_WWW_DOT = re.compile(r"\.(?<=(?<![^\W_])[wW]{3}\.)")


def md_text(value: object) -> str:
    """Tracker text made inert in Markdown: one line, specials escaped, no mention, no ref.

    Whitespace runs (newlines included) become one space; control characters, bidirectional
    controls, U+FEFF and lone surrogates are dropped; Markdown punctuation is backslash-escaped,
    and so are the ":" of "://" and the "." of "www." (GFM autolinks); "@" and "#" are followed
    by U+200B so GitHub neither notifies a user/team nor links an issue; a leading list/heading
    marker is escaped.
    """
    # Linear and in C: str.replace per character, and regular expressions only where a cheap
    # test says they may match (25 M characters in a few seconds).
    text = " ".join(_DROPPED.sub("", str(value)).split())
    lowered = text.lower()
    if "gh-" in lowered:
        text = _GH_REF.sub(ZWSP + "-", text)
    for char in _ESCAPED:
        if char in text:
            text = text.replace(char, "\\" + char)
    text = text.replace("#", "#" + ZWSP).replace("@", "@" + ZWSP).replace("://", "\\://")
    if "www." in lowered:
        text = _WWW_DOT.sub(r"\\.", text)
    if marker := _LIST_START.match(text):
        end = marker.end() - 1
        text = f"{text[:end]}\\{text[end:]}"
    return text


def md_url(value: object) -> str:
    """An http(s) URL safe inside a Markdown link destination; "" for any other scheme."""
    url = str(value).strip()
    if urlsplit(url).scheme not in {"http", "https"}:
        return ""
    return quote(url, safe=":/?&=%+,;~@!$*'-._#")


def mermaid_text(value: object) -> str:
    """Text safe inside a quoted Mermaid string: no quotes, no line breaks, no markup."""
    text = " ".join(str(value).split())
    return "".join(c for c in text if c.isalnum() or c in " -_.,:/()+")


def build_environment(template_dir: Path | None = None) -> Environment:
    """A Jinja2 environment: `template_dir` first, the package's templates second."""
    loaders: list[FileSystemLoader | PackageLoader] = []
    if template_dir is not None:
        loaders.append(FileSystemLoader(template_dir))
    loaders.append(PackageLoader("sprintsync.report", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - Markdown, not HTML: every tracker text passes md_text
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_text"] = md_text
    env.filters["md_url"] = md_url
    env.filters["mermaid_text"] = mermaid_text
    return env


def render_markdown(
    view: ReportView,
    *,
    template_dir: Path | None = None,
    flavor: Literal["plain", "github"] = "plain",
) -> str:
    """The report as Markdown; "github" adds a Mermaid burndown and its table."""
    template = build_environment(template_dir).get_template(TEMPLATE)
    return template.render(view=view, flavor=flavor)
