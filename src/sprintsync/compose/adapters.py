"""Sources and sinks opened from a team's settings (one fetch per identical source)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import structlog

from sprintsync.compose.target import comment_target
from sprintsync.compose.wiring import (
    Wiring,
    atlassian_auth,
    github_client,
    installation_login,
    jira_client,
    open_client,
    resolve_jira_deployment,
)
from sprintsync.config import (
    ConfluenceSinkConfig,
    FileSinkConfig,
    GitHubBlockedConfig,
    GitHubCommentSinkConfig,
    GitHubSourceConfig,
    JiraSourceConfig,
    LoadedConfig,
    TeamConfig,
    environment,
)
from sprintsync.domain import Sink, Source, SprintData
from sprintsync.preflight import (
    confluence_base_url,
    confluence_deployment,
    confluence_uses_pat,
)
from sprintsync.sinks.file import FileSink
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.sources.jira.incremental import CacheOptions
from sprintsync.state import DryRunSnapshotStore, SnapshotStore

if TYPE_CHECKING:  # the GitHub and Confluence adapters load when a team uses them
    from sprintsync.sinks.confluence import ConfluenceSink
    from sprintsync.sources.github import BlockedMarker, GitHubProjectsSource

log = structlog.get_logger("sprintsync.compose")


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
            inner = await jira_source(source, wiring)
        else:
            inner = await github_source(source, wiring, timezone=timezone)
        wiring.sources[key] = SharedSource(inner)
    return wiring.sources[key]


async def jira_source(source: JiraSourceConfig, wiring: Wiring, *, cache: bool = True) -> Source:
    """The Jira source of a team: Cloud or Data Center as the site says (or the config).

    `cache=False`: no per-sprint cache (a closed sprint of the velocity history, cached apart).
    """
    client = await jira_client(source, wiring)
    cloud = await resolve_jira_deployment(source, wiring) == "cloud"
    kind = JiraCloudSource if cloud else JiraDataCenterSource
    options = None
    if cache and wiring.jira_cache is not None and not wiring.dry_run:  # a dry run stores nothing
        options = CacheOptions(folder=wiring.jira_cache, now=wiring.now, full=wiring.full)
    return kind(
        client,
        board=source.board,
        sprint=source.sprint,
        done_statuses=source.done_statuses,
        estimation_field=source.estimation_field,
        base_url_for_links=source.url.rstrip("/"),
        cache=options,
    )


async def github_source(
    source: GitHubSourceConfig, wiring: Wiring, *, timezone: ZoneInfo
) -> GitHubProjectsSource:
    """The GitHub Projects source of a team (a dry run's wiring stores no snapshot)."""
    from sprintsync.sources.github import GitHubProjectsSource  # noqa: PLC0415 - see TYPE_CHECKING

    client = await github_client(
        wiring, api_url=source.api_url, token=wiring.secrets.projects_token()
    )
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
        blocked=_blocked_marker(source.blocked),
        store=(DryRunSnapshotStore if wiring.dry_run else SnapshotStore)(
            wiring.loaded.state_path()
        ),
        now=wiring.now,
        timezone=timezone,
    )


def _blocked_marker(blocked: GitHubBlockedConfig | None) -> BlockedMarker | None:
    if blocked is None:
        return None
    from sprintsync.sources.github import BlockedMarker  # noqa: PLC0415 - see TYPE_CHECKING

    return BlockedMarker(label=blocked.label, field=blocked.field, option=blocked.option)


async def open_sinks(team: TeamConfig, wiring: Wiring) -> list[Sink]:
    """The team's destinations, in the order the config lists them."""
    sinks: list[Sink] = []
    for index, sink in enumerate(team.publish):
        if isinstance(sink, FileSinkConfig):
            sinks.append(FileSink(path=wiring.loaded.resolve(sink.path)))
        elif isinstance(sink, GitHubCommentSinkConfig):
            sinks.append(await _github_comment_sink(sink, team, wiring, index=index))
        else:
            sinks.append(await confluence_sink(sink, wiring))
    return sinks


async def confluence_sink(sink: ConfluenceSinkConfig, wiring: Wiring) -> ConfluenceSink:
    """The Confluence sink of one destination, its client opened with the run's policy."""
    from sprintsync.sinks.confluence import ConfluenceSink  # noqa: PLC0415 - see TYPE_CHECKING

    secrets = wiring.secrets
    auth, headers, credential = atlassian_auth(
        pat=secrets.confluence_pat if confluence_uses_pat(sink, secrets) else None,
        email=secrets.confluence_email or secrets.jira_email,
        token=secrets.confluence_token or secrets.jira_token,
    )
    client = await open_client(
        wiring,
        service="Confluence",
        base_url=f"{sink.api_url.rstrip('/')}/wiki" if sink.api_url else confluence_base_url(sink),
        credential=credential,
        auth=auth,
        headers=headers,
    )
    return ConfluenceSink(
        client,
        space=sink.space,
        title=sink.title,
        parent=sink.parent,
        deployment="cloud" if sink.api_url else confluence_deployment(sink),
    )


def github_comment_target(
    sink: GitHubCommentSinkConfig, team: TeamConfig, loaded: LoadedConfig, *, index: int
) -> tuple[str, int]:
    """The comment's repo and issue: configured, else the GitHub Actions run's own."""
    key = f"teams[{loaded.settings.teams.index(team)}].publish[{index}]"
    where = f"{loaded.path}: team {team.name!r}"
    return comment_target(sink, key=key, env=environment(), where=where)


async def _github_comment_sink(
    sink: GitHubCommentSinkConfig, team: TeamConfig, wiring: Wiring, *, index: int
) -> Sink:
    from sprintsync.sinks.github.comment import GitHubCommentSink  # noqa: PLC0415 - on use
    from sprintsync.sources.github.graphql import graphql_endpoint  # noqa: PLC0415 - on use

    repo, issue = github_comment_target(sink, team, wiring.loaded, index=index)
    client = await github_client(wiring, api_url=sink.api_url, token=wiring.secrets.github_token)
    return GitHubCommentSink(
        client,
        repo=repo,
        issue=issue,
        team=team.name,
        mode=sink.mode,
        author=sink.author or installation_login(wiring),
        hide_previous_at=graphql_endpoint(sink.api_url) if sink.hide_previous else None,
    )
