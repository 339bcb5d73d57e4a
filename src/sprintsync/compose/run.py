"""`sprintsync run`: each team's job built, run under its lock, reported; teams concurrently."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

import structlog

from sprintsync.app import TeamJob, TeamOutcome, log_summary, run_team
from sprintsync.compose.adapters import github_comment_target, open_sinks, open_source
from sprintsync.compose.summary import (
    Destination,
    TeamResult,
    progress,
    render_preview,
    report_outcome,
)
from sprintsync.compose.wiring import Wiring, opened_wiring, run_budget
from sprintsync.config import (
    ConfluenceSinkConfig,
    FileSinkConfig,
    GitHubCommentSinkConfig,
    LoadedConfig,
    ReportConfig,
    Secrets,
    TeamConfig,
    environment,
)
from sprintsync.domain import Plan
from sprintsync.errors import EXIT_OK, SprintsyncError, exit_code_for
from sprintsync.logs import Redactor
from sprintsync.report.sections import SectionOptions
from sprintsync.report.sections.options import VELOCITY
from sprintsync.sinks.github.actions import on_github_actions, report_to_actions
from sprintsync.state import RunLock

if TYPE_CHECKING:
    from sprintsync.report.index import IndexRow

log = structlog.get_logger("sprintsync.compose")


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """What `sprintsync run` asked for, once parsed and validated."""

    dry_run: bool
    as_of: date | None
    plans: dict[str, Plan]  # team name -> its validated plan
    full: bool = False  # --full: ignore the Jira sprint caches (and write them afresh)
    show: frozenset[str] = frozenset()  # dry run: also print these bodies ("storage")


def cutoff_for(*, now: datetime, as_of: date | None, timezone: ZoneInfo) -> tuple[datetime, date]:
    """SEMANTICS §1: --as-of D is the end of day D in the team's zone, never later than now."""
    if as_of is None:
        return now, now.astimezone(timezone).date()
    end_of_day = datetime.combine(as_of + timedelta(days=1), clock_time(), tzinfo=timezone)
    end_of_day -= timedelta(microseconds=1)
    return min(end_of_day, now), as_of


def formats_needed(publish: Sequence[object], *, on_actions: bool) -> dict[str, bool]:
    """The `TeamJob.needs_*` flags: the formats the team's sinks read, nothing more.

    A file sink reads the format of its extension, the GitHub comment and the Actions job
    summary the GitHub-flavoured Markdown, the Actions `status` output the JSON, Confluence
    the storage format.
    """
    suffixes = {PurePath(s.path).suffix.lower() for s in publish if isinstance(s, FileSinkConfig)}
    comment = any(isinstance(s, GitHubCommentSinkConfig) for s in publish)
    return {
        "needs_markdown": ".md" in suffixes,
        "needs_github_markdown": comment or on_actions,
        "needs_json": ".json" in suffixes or on_actions,  # the Actions `status` output
        "needs_storage": any(_wants_storage(s) for s in publish),
        "needs_svg": ".svg" in suffixes,
    }


def _wants_storage(sink: object) -> bool:
    if isinstance(sink, ConfluenceSinkConfig):
        return True
    return isinstance(sink, FileSinkConfig) and sink.path.lower().endswith(".xhtml")


async def run_teams(
    options: RunOptions,
    loaded: LoadedConfig,
    teams: list[TeamConfig],
    *,
    secrets: Secrets,
    now: datetime,
    stdout: TextIO,
    redactor: Redactor,
) -> int:
    """Every team's report, `concurrent_teams` at a time; one team's failure never stops the others.

    All teams share the run's budget and per-host limits; their outputs and summaries come
    in the config's order once all are done.
    """
    budget = run_budget(loaded)
    gate = asyncio.Semaphore(loaded.settings.concurrent_teams)
    worst = EXIT_OK
    index = loaded.settings.index
    index_path = loaded.resolve(index.path) if index else None
    rows: list[IndexRow] = []
    async with opened_wiring(
        loaded,
        secrets=secrets,
        now=now,
        budget=budget,
        redactor=redactor,
        # a dry run writes nothing, so it neither reads nor rewrites the sprint caches
        jira_cache=None if options.dry_run else loaded.state_path().parent / "cache",
        full=options.full,
        dry_run=options.dry_run,
    ) as wiring:

        async def one(team: TeamConfig) -> _TeamResult:
            async with gate:
                started = time.monotonic()
                with budget.counting() as requests:
                    try:
                        async with progress(team.name, requests=lambda: requests[0]):
                            outcome: TeamOutcome | SprintsyncError = await run_one(
                                team, wiring, options=options
                            )
                    except SprintsyncError as error:
                        outcome = error
                return _TeamResult(outcome, requests[0], time.monotonic() - started)

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(team)) for team in teams]
        except BaseExceptionGroup as failed:  # not a SprintsyncError: a bug, raised as it is
            raise failed.exceptions[0] from None
        results: list[TeamResult] = []
        for team, task in zip(teams, tasks, strict=True):
            result = task.result()
            if index_path is not None:
                rows.append(_index_row(team.name, result.outcome, index=index_path))
            if isinstance(result.outcome, SprintsyncError):
                if len(teams) == 1:
                    raise result.outcome
                error = result.outcome
                log.error("team.failed", team=team.name, error=str(error))
                worst = max(worst, exit_code_for(error))
                results.append(
                    TeamResult(team=team.name, error=str(error), exit_code=exit_code_for(error))
                )
                continue
            results.append(TeamResult(team=team.name, published=result.outcome.published))
            _report(result, team, loaded, options=options, stdout=stdout)
    if index_path is not None and not options.dry_run:  # a dry run writes nothing
        as_of = options.as_of or now.astimezone(ZoneInfo(loaded.settings.timezone)).date()
        from sprintsync.compose.index import publish_index  # noqa: PLC0415 - only with an index

        publish_index(index_path, rows, as_of=as_of)
    report_outcome(results, dry_run=options.dry_run)
    return worst


def _index_row(team: str, outcome: TeamOutcome | SprintsyncError, *, index: Path) -> IndexRow:
    from sprintsync.compose.index import index_row  # noqa: PLC0415 - only with an index

    return index_row(team, outcome, index=index)


@dataclass(frozen=True)
class _TeamResult:
    outcome: TeamOutcome | SprintsyncError
    requests: int
    seconds: float


def _report(
    result: _TeamResult,
    team: TeamConfig,
    loaded: LoadedConfig,
    *,
    options: RunOptions,
    stdout: TextIO,
) -> None:
    """A team's outputs: the dry-run preview or the Actions outputs, then its summary."""
    outcome = result.outcome
    if not isinstance(outcome, TeamOutcome):  # pragma: no cover - failures are logged instead
        return
    if options.dry_run:
        preview = render_preview(outcome.report, destinations(team, loaded), show=options.show)
        print(preview, file=stdout, end="")
    else:
        report_to_actions(outcome.report, outcome.published, env=environment())
    log_summary(outcome, dry_run=options.dry_run, requests=result.requests, seconds=result.seconds)


def destinations(team: TeamConfig, loaded: LoadedConfig) -> list[Destination]:
    """The team's destinations as the dry-run preview names them."""
    found = []
    for index, sink in enumerate(team.publish):
        if isinstance(sink, FileSinkConfig):
            found.append(Destination(kind="file", where=sink.path))
        elif isinstance(sink, GitHubCommentSinkConfig):
            repo, issue = github_comment_target(sink, team, loaded, index=index)
            where = f"{repo}#{issue}"
            found.append(
                Destination(kind="github_comment", where=where, daily=sink.mode == "daily")
            )
        else:
            found.append(Destination(kind="confluence", where=f"space {sink.space}: {sink.title}"))
    return found


async def build_job(team: TeamConfig, wiring: Wiring, *, options: RunOptions) -> TeamJob:
    """The team's job: its source and sinks opened, its plan, clock and outputs decided."""
    timezone = wiring.loaded.timezone_of(team)
    cutoff, as_of = cutoff_for(now=wiring.now, as_of=options.as_of, timezone=timezone)
    templates = wiring.loaded.settings.templates
    sections = section_options(wiring.loaded.settings.report)
    velocity = None
    if sections.wants(VELOCITY):
        from sprintsync.compose.velocity import fetch_velocity_history  # noqa: PLC0415 - on demand

        velocity = await fetch_velocity_history(
            team, wiring, count=sections.velocity_sprints, timezone=timezone
        )
    return TeamJob(
        team=team.name,
        source=await open_source(team, wiring, timezone=timezone),
        sinks=await open_sinks(team, wiring),
        plan=options.plans.get(team.name),
        plan_path=wiring.loaded.resolve(team.plan) if team.plan else None,
        timezone=timezone,
        cutoff=cutoff,
        as_of=as_of,
        count_subtasks=bool(getattr(team.source, "count_subtasks", False)),
        template_dir=wiring.loaded.resolve(templates) if templates else None,
        **formats_needed(team.publish, on_actions=on_github_actions(environment())),
        jira_server_id=next(
            (s.jira_server_id for s in team.publish if isinstance(s, ConfluenceSinkConfig)), None
        ),
        sections=sections,
        velocity=velocity,
    )


def section_options(report: ReportConfig) -> SectionOptions:
    """The `report:` settings as the view's plain section options."""
    return SectionOptions(
        sections=frozenset(report.sections),
        stuck_after_days=report.stuck_after_days,
        velocity_sprints=report.velocity_sprints,
    )


async def run_one(team: TeamConfig, wiring: Wiring, *, options: RunOptions) -> TeamOutcome:
    """One team's run: its job built, then run under the team's lock (none on a dry run)."""
    job = await build_job(team, wiring, options=options)
    if options.dry_run:  # publishes nothing, so it takes no lock (and writes no lock file)
        return await run_team(job, dry_run=True)
    lock_path = wiring.loaded.state_path().parent / "locks" / f"{team.name}.lock"
    with RunLock(lock_path, team=team.name):
        return await run_team(job, dry_run=options.dry_run)


# --- Jira deployment detection (issue 13): serverInfo before credentials are chosen ---
