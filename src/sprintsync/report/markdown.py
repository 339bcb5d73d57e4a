"""Markdown rendering of the report view (Jinja2; tracker text neutralised by `md_text`)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from sprintsync.report.model import ReportView

TEMPLATE = "report.md.j2"
ZWSP = "\u200b"  # zero-width space: breaks GitHub's @mention and #ref autolinks, invisible
# ASCII punctuation that Markdown (CommonMark + GFM: tables, strikethrough, math) may interpret;
# a backslash before ASCII punctuation is always a literal in CommonMark.
_ESCAPED = frozenset("\\`*_[]<>|#~$&!")
_LIST_START = re.compile(r"^([-+=]|\d+[.)])")
_GH_REF = re.compile(r"\b(GH)-(?=\d)", re.IGNORECASE)


def md_text(value: object) -> str:
    """Tracker text made inert in Markdown: one line, specials escaped, no mention, no ref.

    Whitespace runs (newlines included) become one space; control characters are dropped;
    Markdown punctuation is backslash-escaped; "@" and "#" are followed by U+200B so GitHub
    neither notifies a user/team nor links an issue; a leading list/heading marker is escaped.
    """
    kept = (c for c in str(value) if c.isspace() or unicodedata.category(c) != "Cc")
    text = " ".join("".join(kept).split())
    text = _GH_REF.sub(lambda m: f"{m.group(1)}{ZWSP}-", text)
    out: list[str] = []
    for char in text:
        if char in _ESCAPED:
            out.append("\\" + char)
        else:
            out.append(char)
        if char in "@#":
            out.append(ZWSP)
    escaped = "".join(out)
    return _LIST_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], escaped, count=1)


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
