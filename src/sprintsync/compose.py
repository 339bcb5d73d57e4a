"""The one composition root: settings -> clients -> adapters -> jobs -> app, for a run."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path, PurePath
from typing import TextIO
from zoneinfo import ZoneInfo

import httpx
import structlog
from pydantic import SecretStr

from sprintsync.app import TeamJob, TeamOutcome, log_summary, run_team
from sprintsync.audit import AUDIT_JSON_VERSION
from sprintsync.auditor import AuditJob, AuditOutcome, run_audit_job
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
from sprintsync.domain import Plan, Sink, Source, SprintData
from sprintsync.errors import EXIT_CONFIG, EXIT_OK, ConfigError, SprintsyncError, exit_code_for
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.logs import Redactor
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
from sprintsync.sinks.github.comment import DEFAULT_AUTHOR, INSTALLATION_TOKEN_PREFIX
from sprintsync.sources.github import GitHubProjectsSource
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.sources.jira.api import JiraApi
from sprintsync.sources.jira.incremental import CacheOptions
from sprintsync.sources.jira.parse import parse_time
from sprintsync.state import RunLock, SnapshotStore

log = structlog.get_logger("sprintsync.compose")


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """What `sprintsync run` asked for, once parsed and validated."""

    dry_run: bool
    as_of: date | None
    plans: dict[str, Plan]  # team name -> its validated plan
    full: bool = False  # --full: ignore the Jira sprint caches (and write them afresh)


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """What the composition root shares between teams in one run."""

    loaded: LoadedConfig
    secrets: Secrets
    budget: RunBudget
    now: datetime
    stack: AsyncExitStack
    transport: httpx.AsyncBaseTransport | None = None  # demo and tests inject one
    sources: dict[str, Source] = field(default_factory=dict)  # one per identical source
    redactor: Redactor = field(default_factory=Redactor)  # learns every credential sent
    jira_cache: Path | None = None  # the Jira Cloud sprint caches' folder; None: no cache
    full: bool = False  # --full: the caches are not read, only written


@dataclass(frozen=True, kw_only=True)
class Credential:
    """What one client sends: the secret, and the user of a Basic pair."""

    secret: str
    user: str | None = None


class SharedSource:
    """A source several teams may use: each cut-off is fetched once, the others wait for it."""

    def __init__(self, inner: Source) -> None:
        self._inner = inner
        self._fetches: dict[datetime, asyncio.Future[SprintData]] = {}

    async def fetch(self, *, cutoff: datetime) -> SprintData:
        """The inner source's data for `cutoff`, fetched by the first team that asks."""
        if cutoff not in self._fetches:
            self._fetches[cutoff] = asyncio.ensure_future(self._inner.fetch(cutoff=cutoff))
        # shield: one waiting team cancelled does not cancel the fetch the others wait for
        return await asyncio.shield(self._fetches[cutoff])


def source_key(team: TeamConfig, timezone: ZoneInfo) -> str:
    """What makes two teams' sources the same fetch: the source settings and the zone."""
    settings = team.source.model_dump(mode="json", exclude={"count_subtasks"})
    return f"{sorted(settings.items())!r} {timezone.key}"


def atlassian_auth(
    *, pat: SecretStr | None, email: str | None, token: SecretStr | None
) -> tuple[httpx.Auth | None, dict[str, str], Credential]:
    """A Data Center PAT as a Bearer header when given, else Cloud's Basic email:token."""
    if pat is not None:
        secret = pat.get_secret_value()
        return None, {"Authorization": f"Bearer {secret}"}, Credential(secret=secret)
    user, secret = email or "", token.get_secret_value() if token else ""
    return httpx.BasicAuth(user, secret), {}, Credential(secret=secret, user=user)


async def open_client(
    wiring: Wiring,
    *,
    service: str,
    base_url: str,
    credential: Credential,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """A client for one service, closed with the run; its credential is redacted everywhere."""
    wiring.redactor.add_credential(credential.secret, user=credential.user)
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
    """The team's tracker adapter, shared with every team of the run that reads the same."""
    key = source_key(team, timezone)
    if key not in wiring.sources:
        source = team.source
        if isinstance(source, JiraSourceConfig):
            inner = await _jira_source(source, wiring)
        else:
            inner = await _github_source(source, wiring, timezone=timezone)
        wiring.sources[key] = SharedSource(inner)
    return wiring.sources[key]


async def jira_client(source: JiraSourceConfig, wiring: Wiring) -> httpx.AsyncClient:
    """A Jira client: Basic email:token on Cloud, the Data Center PAT as a Bearer header."""
    secrets = wiring.secrets
    auth, headers, credential = atlassian_auth(
        pat=None if is_jira_cloud(source) else secrets.jira_pat,
        email=secrets.jira_email,
        token=secrets.jira_token,
    )
    return await open_client(
        wiring,
        service="Jira",
        base_url=source.url,
        credential=credential,
        auth=auth,
        headers=headers,
    )


async def _jira_source(source: JiraSourceConfig, wiring: Wiring) -> Source:

    client = await jira_client(source, wiring)
    kind = JiraCloudSource if is_jira_cloud(source) else JiraDataCenterSource
    cache = None
    if wiring.jira_cache is not None:
        cache = CacheOptions(folder=wiring.jira_cache, now=wiring.now, full=wiring.full)
    return kind(
        client,
        board=source.board,
        sprint=source.sprint,
        done_statuses=source.done_statuses,
        estimation_field=source.estimation_field,
        base_url_for_links=source.url.rstrip("/"),
        cache=cache,
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
    auth, headers, credential = atlassian_auth(
        pat=secrets.confluence_pat if confluence_uses_pat(sink, secrets) else None,
        email=secrets.confluence_email or secrets.jira_email,
        token=secrets.confluence_token or secrets.jira_token,
    )
    client = await open_client(
        wiring,
        service="Confluence",
        base_url=confluence_base_url(sink),
        credential=credential,
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
        client,
        repo=sink.repo,
        issue=sink.issue,
        team=team.name,
        mode=sink.mode,
        author=sink.author or _installation_login(wiring),
    )


def _installation_login(wiring: Wiring) -> str | None:
    """The Actions token's login, known from its `ghs_` prefix; None: the sink asks GitHub.

    An installation token (the Actions `GITHUB_TOKEN` among them) cannot ask `GET /user`.
    """
    token = wiring.secrets.github_token
    if token is not None and token.get_secret_value().startswith(INSTALLATION_TOKEN_PREFIX):
        return DEFAULT_AUTHOR
    return None


async def _github_client(wiring: Wiring, *, api_url: str) -> httpx.AsyncClient:
    """One client shape for GitHub's REST and GraphQL APIs (Bearer token, API version)."""
    token = wiring.secrets.github_token
    secret = token.get_secret_value() if token else ""
    return await open_client(
        wiring,
        service="GitHub",
        base_url=api_url,
        credential=Credential(secret=secret),
        headers=github_headers(secret),
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
    redactor: Redactor,
) -> int:
    """Every team's report, `concurrent_teams` at a time; one team's failure never stops the others.

    All teams share the run's budget and per-host limits; their outputs and summaries come
    in the config's order once all are done.
    """
    http = loaded.settings.http
    policy = RetryPolicy(**http.model_dump(exclude={"allow_insecure_http"}))
    budget = RunBudget(policy=policy)
    gate = asyncio.Semaphore(loaded.settings.concurrent_teams)
    worst = EXIT_OK
    async with AsyncExitStack() as stack:
        wiring = Wiring(
            loaded=loaded,
            secrets=secrets,
            budget=budget,
            now=now,
            stack=stack,
            redactor=redactor,
            jira_cache=loaded.state_path().parent / "cache",
            full=options.full,
        )

        async def one(team: TeamConfig) -> _TeamResult:
            async with gate:
                started = time.monotonic()
                with budget.counting() as requests:
                    try:
                        outcome: TeamOutcome | SprintsyncError = await _run_one(
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
        for team, task in zip(teams, tasks, strict=True):
            result = task.result()
            if isinstance(result.outcome, SprintsyncError):
                if len(teams) == 1:
                    raise result.outcome
                log.error("team.failed", team=team.name, error=str(result.outcome))
                worst = max(worst, exit_code_for(result.outcome))
                continue
            _report(result, options=options, stdout=stdout)
    return worst


@dataclass(frozen=True)
class _TeamResult:
    outcome: TeamOutcome | SprintsyncError
    requests: int
    seconds: float


def _report(result: _TeamResult, *, options: RunOptions, stdout: TextIO) -> None:
    """A team's outputs: the dry-run Markdown or the Actions outputs, then its summary."""
    outcome = result.outcome
    if not isinstance(outcome, TeamOutcome):  # pragma: no cover - failures are logged instead
        return
    if options.dry_run:
        print(outcome.report.markdown, file=stdout, end="")
    else:
        report_to_actions(outcome.report, outcome.published, env=environment())
    log_summary(outcome, dry_run=options.dry_run, requests=result.requests, seconds=result.seconds)


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


# --- `sprintsync audit`: our ledger against Jira's own Sprint Report (docs/semantics.md) ---


@dataclass(frozen=True, kw_only=True)
class AuditOptions:
    """What `sprintsync audit` asked for: a sprint (id or name), or the last N closed ones."""

    sprint: str | None = None
    last: int | None = None
    as_json: bool = False


GITHUB_HAS_NO_REPORT = (
    "GitHub Projects has no Sprint Report to compare with; `audit` reads Jira's own report only"
)


async def run_audit(
    options: AuditOptions,
    loaded: LoadedConfig,
    teams: list[TeamConfig],
    *,
    secrets: Secrets,
    now: datetime,
    stdout: TextIO,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Audit each team's sprint(s); exit 0 agree, 4 differ, 3 report unavailable, 2 GitHub."""
    policy = RetryPolicy(**loaded.settings.http.model_dump(exclude={"allow_insecure_http"}))
    outcomes: list[AuditOutcome] = []
    async with AsyncExitStack() as stack:
        wiring = Wiring(
            loaded=loaded,
            secrets=secrets,
            budget=RunBudget(policy=policy),
            now=now,
            stack=stack,
            transport=transport,
        )
        for team in teams:
            outcomes += await _audit_team(team, wiring, options=options)
    worst = max((o.exit_code for o in outcomes), default=EXIT_OK)
    if options.as_json:
        audits = [o.as_json() for o in outcomes]
        document = {"version": AUDIT_JSON_VERSION, "exit_code": worst, "audits": audits}
        print(json.dumps(document, indent=2, ensure_ascii=False), file=stdout)
    else:
        print("\n".join(o.text() for o in outcomes), file=stdout, end="")
    return worst


async def _audit_team(
    team: TeamConfig, wiring: Wiring, *, options: AuditOptions
) -> list[AuditOutcome]:
    source = team.source
    if not isinstance(source, JiraSourceConfig):
        return [AuditOutcome(team=team.name, exit_code=EXIT_CONFIG, message=GITHUB_HAS_NO_REPORT)]
    client = await jira_client(source, wiring)
    wanted: list[int | str] = [options.sprint or source.sprint]
    if options.last:
        wanted = await last_closed_sprints(client, board=source.board, count=options.last)
    timezone = wiring.loaded.timezone_of(team)
    outcomes = []
    for sprint in wanted:
        one = team.model_copy(update={"source": source.model_copy(update={"sprint": sprint})})
        job = AuditJob(
            team=team.name,
            source=await open_source(one, wiring, timezone=timezone),
            client=client,
            board=source.board,
            cutoff=wiring.now,
            timezone=timezone,
            count_subtasks=source.count_subtasks,
        )
        outcomes.append(await run_audit_job(job))
    return outcomes


async def last_closed_sprints(
    client: httpx.AsyncClient, *, board: int, count: int
) -> list[int | str]:
    """The ids of the board's last `count` closed sprints, newest close first (Agile 1.0)."""
    sprints = await JiraApi(client, board=board).fetch_sprints()
    closed = [s for s in sprints if s.get("state") == "closed" and s.get("completeDate")]
    closed.sort(key=lambda s: parse_time(s["completeDate"]), reverse=True)
    if not closed:
        raise ConfigError(f"board {board} has no closed sprint to audit (--last {count})")
    return [str(s["id"]) for s in closed[:count]]
