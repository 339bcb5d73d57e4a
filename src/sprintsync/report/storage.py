"""Render the report view as Confluence storage format (XHTML with ac:/ri: macros)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from sprintsync.report.model import BurndownPoint, ReportView
from sprintsync.report.text import format_points, long_date

TEMPLATE = "page.storage.xhtml.j2"
# Status macro colours (API-NOTES §B.3) per velocity trend word of report/view.py.
TREND_COLOURS = {
    "On track": "Green",
    "Accelerating": "Green",
    "Done": "Green",
    "Steady": "Blue",
    "Slowing": "Yellow",
    "Behind": "Red",
}
DEFAULT_COLOUR = "Grey"

# Characters XML 1.0 forbids even escaped (control characters, lone surrogates, U+FFFE/F):
# https://www.w3.org/TR/xml/#charsets. Tracker text may hold them; a body with one is refused.
# Also dropped: the bidirectional controls (Unicode UAX #9, the set md_text drops), as an
# unterminated U+202E in a title reverses the rest of the line as displayed, "(13 points)" too.
_DROPPED = re.compile(
    "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def xml_chars(value: object) -> object:
    """Every printed value without the characters XML cannot carry nor bidi controls (finalize)."""
    if isinstance(value, Markup):
        return Markup(_DROPPED.sub("", str(value)))  # noqa: S704 - already-trusted markup, chars only removed
    if isinstance(value, str):
        return _DROPPED.sub("", value)
    return value


def build_storage_environment(template_dir: Path | None = None) -> Environment:
    """Autoescaping XHTML environment: `template_dir` first, the package's templates second."""
    loaders: list[BaseLoader] = [] if template_dir is None else [FileSystemLoader(template_dir)]
    loaders.append(PackageLoader("sprintsync.report", "templates"))
    return Environment(
        loader=ChoiceLoader(loaders),
        # STYLE trap 2: select_autoescape(["xhtml"]) would not match "page.storage.xhtml.j2".
        autoescape=select_autoescape(["xhtml.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=xml_chars,
    )


_ENV = build_storage_environment()


@dataclass(frozen=True)
class ChartRow:
    """One row of the burndown chart's data table: numbers as the Chart macro reads them."""

    label: str
    ideal: str
    remaining: str
    scope_change: str


def trend_colour(trend: str) -> str:
    """The Status macro colour for a velocity trend word."""
    return TREND_COLOURS.get(trend, DEFAULT_COLOUR)


def to_chart_row(point: BurndownPoint) -> ChartRow:
    """A chart row; the scope change unsigned ("+5" is not a number to the Chart macro)."""
    return ChartRow(
        label=point.label,
        ideal=point.ideal_text,
        remaining=point.remaining_text,
        scope_change=format_points(point.scope_change),
    )


def render_storage(
    view: ReportView, *, jira_server_id: str | None = None, template_dir: Path | None = None
) -> str:
    """The whole page body in storage format; every tracker text is escaped by the template.

    A `page.storage.xhtml.j2` in `template_dir` replaces the built-in template.
    """
    env = _ENV if template_dir is None else build_storage_environment(template_dir)
    template = env.get_template(TEMPLATE)
    return template.render(
        view=view,
        as_of_text=long_date(view.as_of),
        chart_rows=[to_chart_row(p) for p in view.burndown.points],
        jira_server_id=jira_server_id,
        trend_colour=trend_colour,
    )
