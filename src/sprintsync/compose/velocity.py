"""The velocity history of a team's board: its last closed sprints by our ledger, cached.

A GitHub Projects team's history is its completed iterations (`compose.github_velocity`).

A closed sprint never changes, so its committed and completed figures are kept in the state
folder (`velocity/<site and board>.json`) by sprint id and fetched once; the sprints missing
from it are fetched concurrently. Where Jira's Velocity chart (API-NOTES A.5.5) lists a sprint
fetched now and disagrees with our ledger, ours is shown and a notice (kept in the cache) says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import structlog

from sprintsync.compose.adapters import jira_source
from sprintsync.compose.audit import last_closed_sprints
from sprintsync.compose.github_velocity import fetch_github_velocity
from sprintsync.compose.wiring import Wiring, jira_client
from sprintsync.config import JiraSourceConfig, TeamConfig
from sprintsync.errors import ConfigError, ReportUnavailableError, StateError, UpstreamError
from sprintsync.http import gather_all
from sprintsync.ledger import build_ledger
from sprintsync.report.sections import VelocityHistory
from sprintsync.report.text import format_points
from sprintsync.sources.jira.greenhopper import fetch_velocity
from sprintsync.state import JsonDocument

log = structlog.get_logger("sprintsync.compose")

CACHE_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class ClosedSprint:
    """One closed sprint's figures by our ledger, and Jira's Velocity chart's where it differs."""

    name: str
    committed: float
    completed: float
    notice: str | None = None


async def fetch_velocity_history(
    team: TeamConfig, wiring: Wiring, *, count: int, timezone: ZoneInfo
) -> VelocityHistory:
    """The board's last `count` closed sprints; a failure is the section's reason, never fatal."""
    source = team.source
    if not isinstance(source, JiraSourceConfig):
        return await fetch_github_velocity(source, wiring, count=count, timezone=timezone)
    try:
        closed = await fetch_closed_sprints(source, wiring, count=count, timezone=timezone)
    except UpstreamError as error:
        log.warning("velocity.unavailable", team=team.name, error=str(error))
        reason = f"Velocity history unavailable: {error}"
        return VelocityHistory(wanted=count, unavailable=reason)
    return VelocityHistory(
        sprints=tuple((s.name, s.committed, s.completed) for s in closed),
        wanted=count,
        notices=tuple(s.notice for s in closed if s.notice),
    )


async def fetch_closed_sprints(
    source: JiraSourceConfig, wiring: Wiring, *, count: int, timezone: ZoneInfo
) -> list[ClosedSprint]:
    """The closed sprints, newest close first: cached ones read, the others fetched at once."""
    client = await jira_client(source, wiring)
    try:
        newest = await last_closed_sprints(client, board=source.board, count=count + 1)
    except ConfigError:  # the board has no closed sprint yet
        return []
    ids = [str(i) for i in newest if str(i) != str(source.sprint)][:count]
    document = JsonDocument(cache_path(source, wiring))
    settings = cache_settings(source)
    cached = read_cache(document, settings=settings)
    missing = [i for i in ids if i not in cached]
    if missing:
        fetched = await gather_all(*(_ledger_figures(source, wiring, i, timezone) for i in missing))
        fresh = dict(zip(missing, fetched, strict=True))
        fresh = await _compare_with_chart(client, board=source.board, fresh=fresh)
        cached.update(fresh)
        log.info("velocity.sprints_fetched", board=source.board, fetched=len(missing))
        if not wiring.dry_run:
            write_cache(document, settings=settings, sprints=cached)
    return [cached[i] for i in ids]


def cache_path(source: JiraSourceConfig, wiring: Wiring) -> Path:
    """`velocity/<hash of site and board>.json` in the state folder."""
    site = hashlib.sha256(f"{source.url.rstrip('/')} {source.board}".encode()).hexdigest()[:16]
    return wiring.loaded.state_path().parent / "velocity" / f"{site}.json"


def cache_settings(source: JiraSourceConfig) -> str:
    """What changes a sprint's figures besides its history: a changed setting is a refetch."""
    return repr(
        (
            source.url.rstrip("/"),
            source.board,
            source.done_statuses,
            source.estimation_field,
            source.count_subtasks,
        )
    )


def read_cache(document: JsonDocument, *, settings: str) -> dict[str, ClosedSprint]:
    """The cached sprints written with these settings; a damaged or foreign file is empty."""
    try:
        body = document.load()
    except StateError as error:
        log.warning("velocity.cache_ignored", reason=str(error))
        return {}
    if not isinstance(body, dict) or body.get("version") != CACHE_VERSION:
        return {}
    if body.get("settings") != settings or not isinstance(body.get("sprints"), dict):
        return {}
    found = {}
    for sprint_id, entry in body["sprints"].items():
        try:
            found[str(sprint_id)] = ClosedSprint(
                name=str(entry["name"]),
                committed=float(entry["committed"]),
                completed=float(entry["completed"]),
                notice=entry.get("notice"),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return found


def write_cache(document: JsonDocument, *, settings: str, sprints: dict[str, ClosedSprint]) -> None:
    """Replace the cache atomically; a failure is logged, the report goes on."""
    body = {
        "version": CACHE_VERSION,
        "settings": settings,
        "sprints": {i: s.__dict__ for i, s in sprints.items()},
    }
    try:
        document.save(body)
    except StateError as error:
        log.warning("velocity.cache_not_written", reason=str(error))


async def _ledger_figures(
    source: JiraSourceConfig, wiring: Wiring, sprint_id: str, timezone: ZoneInfo
) -> ClosedSprint:
    one = source.model_copy(update={"sprint": sprint_id})
    data = await (await jira_source(one, wiring, cache=False)).fetch(cutoff=wiring.now)
    ledger = build_ledger(
        data, cutoff=wiring.now, timezone=timezone, count_subtasks=source.count_subtasks
    )
    totals = ledger.totals
    return ClosedSprint(
        name=data.sprint.name, committed=totals.committed, completed=totals.completed
    )


async def _compare_with_chart(
    client: httpx.AsyncClient,
    *,
    board: int,
    fresh: dict[str, ClosedSprint],
) -> dict[str, ClosedSprint]:
    """Each fresh sprint with a notice where Jira's Velocity chart shows other figures."""
    try:
        chart = await fetch_velocity(client, board=board)
    except ReportUnavailableError as error:
        log.info("velocity.chart_unavailable", board=board, reason=str(error))
        return fresh
    checked = {}
    for sprint_id, ours in fresh.items():
        estimated, completed = chart.get(sprint_id, (None, None))
        differs = (estimated is not None and estimated != ours.committed) or (
            completed is not None and completed != ours.completed
        )
        checked[sprint_id] = ours
        if differs:
            checked[sprint_id] = ClosedSprint(
                name=ours.name,
                committed=ours.committed,
                completed=ours.completed,
                notice=disagreement(ours, estimated=estimated, completed=completed),
            )
    return checked


def disagreement(ours: ClosedSprint, *, estimated: float | None, completed: float | None) -> str:
    """The notice: Jira's chart figures against ours, and which the report shows."""
    theirs = ", ".join(
        f"{what} {format_points(value)}"
        for what, value in (("committed", estimated), ("completed", completed))
        if value is not None
    )
    return (
        f"{ours.name}: Jira's Velocity chart shows {theirs}; this report shows its own ledger's "
        f"committed {format_points(ours.committed)}, completed {format_points(ours.completed)} "
        "(SEMANTICS.md §4; `sprintsync audit` explains each difference)"
    )
