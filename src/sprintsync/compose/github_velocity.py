"""The velocity history of a GitHub project: its last completed iterations by our ledger, cached.

GitHub keeps no history of an iteration, so each completed iteration is replayed from the
snapshots our daily runs stored (`GitHubProjectsSource.replay`, as a run for it would see it)
and its figures are kept in the state folder (`velocity/github-<project>.json`) with the
snapshots they came from: the cache is used while those are the same. An iteration with no
stored snapshot is replayed from its items as they are now, with a notice saying so.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog

from sprintsync.compose.adapters import github_source
from sprintsync.compose.wiring import Wiring
from sprintsync.config import GitHubSourceConfig
from sprintsync.errors import StateError, UpstreamError
from sprintsync.ledger import build_ledger
from sprintsync.report.sections import VelocityHistory
from sprintsync.sources.github import GitHubProjectsSource
from sprintsync.sources.github.wire import CurrentItem, Iteration, ProjectInfo
from sprintsync.state import JsonDocument

log = structlog.get_logger("sprintsync.compose")

CACHE_VERSION = 1
NO_SNAPSHOT = (
    "{title}: no snapshot was stored while it ran (sprintsync did not run for it), so its "
    "figures are its items as they are now: an item created before its start counts as "
    "committed at its current points, one created later as added, and Done is read from the "
    "issue's closedAt; items moved out of it since are not seen, so its committed may be low"
)


@dataclass(frozen=True, kw_only=True)
class PastIteration:
    """One completed iteration's figures and the stored snapshots they were computed from."""

    name: str
    committed: float
    completed: float
    snapshots: int  # how many stored snapshots the figures used (0: its items as they are now)
    last_snapshot: str | None = None  # the newest one's time (ISO), None when there is none
    notice: str | None = None


async def fetch_github_velocity(
    source: GitHubSourceConfig, wiring: Wiring, *, count: int, timezone: ZoneInfo
) -> VelocityHistory:
    """The project's last `count` completed iterations; a failure is the section's reason."""
    try:
        past = await fetch_past_iterations(source, wiring, count=count, timezone=timezone)
    except (UpstreamError, StateError) as error:
        log.warning("velocity.unavailable", project=source.project, error=str(error))
        return VelocityHistory(wanted=count, unavailable=f"Velocity history unavailable: {error}")
    return VelocityHistory(
        sprints=tuple((p.name, p.committed, p.completed) for p in past),
        wanted=count,
        notices=tuple(p.notice for p in past if p.notice),
    )


async def fetch_past_iterations(
    source: GitHubSourceConfig, wiring: Wiring, *, count: int, timezone: ZoneInfo
) -> list[PastIteration]:
    """The completed iterations, newest end first: cached ones read, the others replayed."""
    github = await github_source(source, wiring, timezone=timezone)
    info = await github.fetch_project()
    chosen = completed_iterations(info, source, timezone=timezone, now=wiring.now)[:count]
    document = JsonDocument(cache_path(source, timezone, wiring))
    settings = cache_settings(source, timezone)
    cached = read_cache(document, settings=settings)
    stored = {i.id: github.stored_snapshot_times(i) for i in chosen}
    missing = [i for i in chosen if not _still_valid(cached.get(i.id), stored[i.id])]
    if missing:
        current = await github.fetch_items(info.owner_kind)
        for iteration in missing:
            cached[iteration.id] = _replayed(
                github, iteration, info=info, current=current, stored=stored[iteration.id]
            )
        log.info("velocity.iterations_replayed", project=source.project, replayed=len(missing))
        if not wiring.dry_run:
            write_cache(document, settings=settings, iterations=cached)
    return [cached[i.id] for i in chosen]


def completed_iterations(
    info: ProjectInfo, source: GitHubSourceConfig, *, timezone: ZoneInfo, now: datetime
) -> list[Iteration]:
    """`completedIterations` ended by `now`, newest end first, without the team's own one.

    A team whose `iteration` names a completed iteration does not see it in its own history.
    """
    ended = [
        i
        for i in info.iterations
        if i.completed and i.title != source.iteration and _end(i, timezone) <= now
    ]
    return sorted(ended, key=lambda i: _end(i, timezone), reverse=True)


def _end(iteration: Iteration, timezone: ZoneInfo) -> datetime:
    last = iteration.start_date + timedelta(days=iteration.duration)
    return datetime.combine(last, time(0), tzinfo=timezone)


def _still_valid(entry: PastIteration | None, stored: tuple[datetime, ...]) -> bool:
    """A cached entry counts while the iteration's stored snapshots are the ones it used."""
    if entry is None:
        return False
    last = stored[-1].isoformat() if stored else None
    return (entry.snapshots, entry.last_snapshot) == (len(stored), last)


def _replayed(
    github: GitHubProjectsSource,
    iteration: Iteration,
    *,
    info: ProjectInfo,
    current: list[CurrentItem],
    stored: tuple[datetime, ...],
) -> PastIteration:
    """Our ledger over the iteration's history, as a run for it at this clock would build it."""
    cutoff = github.now
    data = github.replay(iteration, info=info, current=current, cutoff=cutoff)
    totals = build_ledger(data, cutoff=cutoff, timezone=github.timezone).totals
    return PastIteration(
        name=iteration.title,
        committed=totals.committed,
        completed=totals.completed,
        snapshots=len(stored),
        last_snapshot=stored[-1].isoformat() if stored else None,
        notice=None if stored else NO_SNAPSHOT.format(title=iteration.title),
    )


def cache_path(source: GitHubSourceConfig, timezone: ZoneInfo, wiring: Wiring) -> Path:
    """`velocity/github-<hash of API, owner, project and time zone>.json` in the state folder."""
    project = f"{source.api_url.rstrip('/')} {source.owner.lower()} {source.project} {timezone.key}"
    name = hashlib.sha256(project.encode()).hexdigest()[:16]
    return wiring.loaded.state_path().parent / "velocity" / f"github-{name}.json"


def cache_settings(source: GitHubSourceConfig, timezone: ZoneInfo) -> str:
    """What changes an iteration's figures besides its snapshots: a change is a replay."""
    return repr(
        (
            source.api_url.rstrip("/"),
            source.owner.lower(),
            source.project,
            source.iteration_field,
            source.points_field,
            source.status_field,
            source.done,
            source.in_progress,
            timezone.key,
        )
    )


def read_cache(document: JsonDocument, *, settings: str) -> dict[str, PastIteration]:
    """The cached iterations written with these settings; a damaged or foreign file is empty."""
    try:
        body = document.load()
    except StateError as error:
        log.warning("velocity.cache_ignored", reason=str(error))
        return {}
    if not isinstance(body, dict) or not isinstance(body.get("iterations"), dict):
        if body is not None:
            log.warning("velocity.cache_ignored", reason=f"{document.path}: not a velocity cache")
        return {}
    if body.get("version") != CACHE_VERSION or body.get("settings") != settings:
        return {}
    found = {}
    for iteration_id, entry in body["iterations"].items():
        try:
            found[str(iteration_id)] = PastIteration(
                name=str(entry["name"]),
                committed=float(entry["committed"]),
                completed=float(entry["completed"]),
                snapshots=int(entry["snapshots"]),
                last_snapshot=_optional_text(entry.get("last_snapshot")),
                notice=_optional_text(entry.get("notice")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return found


def _optional_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(value)


def write_cache(
    document: JsonDocument, *, settings: str, iterations: dict[str, PastIteration]
) -> None:
    """Replace the cache atomically; a failure is logged, the report goes on."""
    body = {
        "version": CACHE_VERSION,
        "settings": settings,
        "iterations": {i: asdict(p) for i, p in iterations.items()},
    }
    try:
        document.save(body)
    except StateError as error:
        log.warning("velocity.cache_not_written", reason=str(error))
