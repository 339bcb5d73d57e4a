"""The multi-team index (`index:`): one Markdown row per team of the run (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from sprintsync.report.markdown import md_text, md_url
from sprintsync.report.text import format_points, long_date

HEADER = "| Team | Sprint | Complete | Blockers | Report |\n|---|---|---:|---:|---|"


@dataclass(frozen=True, kw_only=True)
class IndexRow:
    """One team of the run: its sprint's figures and where its report is, or why it failed."""

    team: str
    sprint: str | None = None
    percent_complete: float | None = None
    blockers: int | None = None  # open issues flagged or blocked at the cut-off
    link: str | None = None  # an http(s) URL, or a path relative to the index file
    error: str | None = None


def render_index(rows: Sequence[IndexRow], *, as_of: date) -> str:
    """The index as Markdown: a heading, then one table row per team in the config's order."""
    lines = [f"# Sprint Reports ({long_date(as_of)})", "", HEADER]
    lines += [_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def _row(row: IndexRow) -> str:
    team = _cell(row.team)
    if row.error is not None:
        return f"| {team} | failed: {_cell(row.error)} | | | |"
    complete = f"{format_points(row.percent_complete)}%" if row.percent_complete is not None else ""
    blockers = "" if row.blockers is None else str(row.blockers)
    return f"| {team} | {_cell(row.sprint or '')} | {complete} | {blockers} | {_link(row.link)} |"


def _cell(text: str) -> str:
    return md_text(text)  # "|" escaped too: a cell stays one cell


def _link(link: str | None) -> str:
    if not link:
        return ""
    target = md_url(link) if link.startswith(("http://", "https://")) else quote(link, safe="/")
    return f"[report]({target})" if target else ""
