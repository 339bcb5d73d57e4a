"""The one composition root: settings -> clients -> adapters -> jobs -> app, for a run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import PurePath
from typing import TextIO
from zoneinfo import ZoneInfo

import httpx
import structlog
from pydantic import SecretStr

from sprintsync.app import TeamJob, TeamOutcome, log_summary, run_team
from sprintsync.config import (
    ConfluenceSinkConfig,
    FileSinkConfig,
    GitHubCommentSinkConfig,
    GitHubSourceConfig,
    JiraSourceConfig,
    LoadedConfig,
    Secrets,
    TeamConfig,
    environment,
)
from sprintsync.domain import Plan, Sink, Source
from sprintsync.errors import EXIT_OK, SprintsyncError, exit_code_for
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.preflight import (
    confluence_base_url,
    confluence_deployment,
    confluence_uses_pat,
    is_jira_cloud,
)
from sprintsync.sinks.confluence import ConfluenceSink
from sprintsync.sinks.file import FileSink
from sprintsync.sinks.github import GitHubCommentSink, github_headers, report_to_actions
from sprintsync.sinks.github.actions import on_github_actions
from sprintsync.sources.github import GitHubProjectsSource
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.state import RunLock, SnapshotStore

log = structlog.get_logger("sprintsync.compose")


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """What `sprintsync run` asked for, once parsed and validated."""

    dry_run: bool
    as_of: date | None
    plans: dict[str, Plan]  # team name -> its validated plan


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """What the composition root shares between teams in one run."""

    loaded: LoadedConfig
    secrets: Secrets
    budget: RunBudget
    now: datetime
    stack: AsyncExitStack
    transport: httpx.AsyncBaseTransport | None = None  # demo and tests inject one


def atlassian_auth(
    *, pat: SecretStr | None, email: str | None, token: SecretStr | None
) -> tuple[httpx.Auth | None, dict[str, str]]:
    """A Data Center PAT as a Bearer header when given, else Cloud's Basic email:token."""
    if pat is not None:
        return None, {"Authorization": f"Bearer {pat.get_secret_value()}"}
    return httpx.BasicAuth(email or "", token.get_secret_value() if token else ""), {}


async def open_client(
    wiring: Wiring,
    *,
    service: str,
    base_url: str,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """A client for one service, closed with the run."""
    client = build_client(
        service=service,
        base_url=base_url,
        budget=wiring.budget,
        auth=auth,
        headers=headers,
        transport=wiring.transport,
    )
    return await wiring.stack.enter_async_context(client)


async def open_source(
    team: TeamConfig,
    wiring: Wiring,
    *,
    timezone: ZoneInfo,
) -> Source:
    """The team's tracker adapter."""
    source = team.source
    if isinstance(source, JiraSourceConfig):
        return await _jira_source(source, wiring)
    return await _github_source(source, wiring, timezone=timezone)


async def _jira_source(source: JiraSourceConfig, wiring: Wiring) -> Source:

    secrets = wiring.secrets
    cloud = is_jira_cloud(source)
    auth, headers = atlassian_auth(
        pat=None if cloud else secrets.jira_pat, email=secrets.jira_email, token=secrets.jira_token
    )
    client = await open_client(
        wiring, service="Jira", base_url=source.url, auth=auth, headers=headers
    )
    kind = JiraCloudSource if cloud else JiraDataCenterSource
    return kind(
        client,
        board=source.board,
        sprint=source.sprint,
        done_statuses=source.done_statuses,
        estimation_field=source.estimation_field,
        base_url_for_links=source.url.rstrip("/"),
    )


async def _github_source(
    source: GitHubSourceConfig, wiring: Wiring, *, timezone: ZoneInfo
) -> Source:

    client = await _github_client(wiring, api_url=source.api_url)
    return GitHubProjectsSource(
        client,
        owner=source.owner,
        project=source.project,
        iteration=source.iteration,
        iteration_field=source.iteration_field,
        points_field=source.points_field,
        status_field=source.status_field,
        done=source.done,
        in_progress=source.in_progress,
        store=SnapshotStore(wiring.loaded.state_path()),
        now=wiring.now,
        timezone=timezone,
    )


async def open_sinks(team: TeamConfig, wiring: Wiring) -> list[Sink]:
    """The team's destinations, in the order the config lists them."""
    sinks: list[Sink] = []
    for sink in team.publish:
        if isinstance(sink, FileSinkConfig):
            sinks.append(FileSink(path=wiring.loaded.resolve(sink.path)))
        elif isinstance(sink, GitHubCommentSinkConfig):
            sinks.append(await _github_comment_sink(sink, team, wiring))
        else:
            sinks.append(await _confluence_sink(sink, wiring))
    return sinks


async def _confluence_sink(sink: ConfluenceSinkConfig, wiring: Wiring) -> Sink:

    secrets = wiring.secrets
    auth, headers = atlassian_auth(
        pat=secrets.confluence_pat if confluence_uses_pat(sink, secrets) else None,
        email=secrets.confluence_email or secrets.jira_email,
        token=secrets.confluence_token or secrets.jira_token,
    )
    client = await open_client(
        wiring,
        service="Confluence",
        base_url=confluence_base_url(sink),
        auth=auth,
        headers=headers,
    )
    return ConfluenceSink(
        client,
        space=sink.space,
        title=sink.title,
        parent=sink.parent,
        deployment=confluence_deployment(sink),
    )


async def _github_comment_sink(
    sink: GitHubCommentSinkConfig, team: TeamConfig, wiring: Wiring
) -> Sink:

    client = await _github_client(wiring, api_url=sink.api_url)
    return GitHubCommentSink(
        client, repo=sink.repo, issue=sink.issue, team=team.name, mode=sink.mode
    )


async def _github_client(wiring: Wiring, *, api_url: str) -> httpx.AsyncClient:
    """One client shape for GitHub's REST and GraphQL APIs (Bearer token, API version)."""
    token = wiring.secrets.github_token
    return await open_client(
        wiring,
        service="GitHub",
        base_url=api_url,
        headers=github_headers(token.get_secret_value() if token else ""),
    )


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
    summary the GitHub-flavoured Markdown, Confluence the storage format.
    """
    suffixes = {PurePath(s.path).suffix.lower() for s in publish if isinstance(s, FileSinkConfig)}
    comment = any(isinstance(s, GitHubCommentSinkConfig) for s in publish)
    return {
        "needs_markdown": ".md" in suffixes,
        "needs_github_markdown": comment or on_actions,
        "needs_json": ".json" in suffixes,
        "needs_storage": any(_wants_storage(s) for s in publish),
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
) -> int:
    """Every team's report, one after another; one team's failure never stops the others."""
    http = loaded.settings.http
    policy = RetryPolicy(**http.model_dump(exclude={"allow_insecure_http"}))
    budget = RunBudget(policy=policy)
    worst = EXIT_OK
    async with AsyncExitStack() as stack:
        wiring = Wiring(loaded=loaded, secrets=secrets, budget=budget, now=now, stack=stack)
        for team in teams:
            started, requests_before = time.monotonic(), budget.requests
            try:
                outcome = await _run_one(team, wiring, options=options)
            except SprintsyncError as error:
                if len(teams) == 1:
                    raise
                log.error("team.failed", team=team.name, error=str(error))  # noqa: TRY400 - no traceback
                worst = max(worst, exit_code_for(error))
                continue
            if options.dry_run:
                print(outcome.report.markdown, file=stdout, end="")
            else:
                report_to_actions(outcome.report, outcome.published, env=environment())
            log_summary(
                outcome,
                dry_run=options.dry_run,
                requests=budget.requests - requests_before,
                seconds=time.monotonic() - started,
            )
    return worst


async def build_job(team: TeamConfig, wiring: Wiring, *, options: RunOptions) -> TeamJob:
    """The team's job: its source and sinks opened, its plan, clock and outputs decided."""
    timezone = wiring.loaded.timezone_of(team)
    cutoff, as_of = cutoff_for(now=wiring.now, as_of=options.as_of, timezone=timezone)
    templates = wiring.loaded.settings.templates
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
    )


async def _run_one(team: TeamConfig, wiring: Wiring, *, options: RunOptions) -> TeamOutcome:
    job = await build_job(team, wiring, options=options)
    lock_path = wiring.loaded.state_path().parent / "locks" / f"{team.name}.lock"
    with RunLock(lock_path, team=team.name):
        return await run_team(job, dry_run=options.dry_run)
