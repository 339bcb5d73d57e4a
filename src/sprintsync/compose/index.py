"""The multi-team index file (`index:`): one row per team of the run, written after them all."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import structlog

from sprintsync.app import TeamOutcome
from sprintsync.domain import PublishResult
from sprintsync.errors import SprintsyncError
from sprintsync.report.index import IndexRow, render_index
from sprintsync.sinks.file import refuse_symlink, write_atomically

log = structlog.get_logger("sprintsync.compose")


def index_row(team: str, outcome: TeamOutcome | SprintsyncError, *, index: Path) -> IndexRow:
    """A team's row: its sprint, % complete, open blockers and report link, or its failure."""
    if isinstance(outcome, SprintsyncError):
        return IndexRow(team=team, error=str(outcome))
    return IndexRow(
        team=team,
        sprint=outcome.sprint_name,
        percent_complete=outcome.totals.percent_complete,
        blockers=outcome.blockers,
        link=report_link(outcome.published, index=index),
    )


def report_link(published: Sequence[PublishResult], *, index: Path) -> str | None:
    """A web page (Confluence, GitHub) first, else a Markdown file relative to the index."""
    urls = [p.url for p in published if p.url]
    for url in urls:
        if urlsplit(url).scheme in {"http", "https"}:
            return url
    files = [Path(unquote(urlsplit(u).path)) for u in urls if urlsplit(u).scheme == "file"]
    files.sort(key=lambda f: f.suffix.lower() != ".md")  # the Markdown report first
    if not files:
        return None
    return Path(os.path.relpath(files[0], index.resolve().parent)).as_posix()


def publish_index(path: Path, rows: Sequence[IndexRow], *, as_of: date) -> bool:
    """Write the index when its text changed; True when it was written."""
    text = render_index(rows, as_of=as_of)
    refuse_symlink(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_atomically(path, text)
    log.info("index.published", path=str(path), teams=len(rows))
    return True
