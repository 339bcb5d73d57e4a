"""Builds clients, sources and sinks from validated settings (part of the composition root)."""

from __future__ import annotations

import ipaddress
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import structlog
from pydantic import SecretStr

from sprintsync.config import (
    ConfluenceSinkConfig,
    FileSinkConfig,
    GitHubCommentSinkConfig,
    GitHubSourceConfig,
    JiraSourceConfig,
    LoadedConfig,
    Secrets,
    SinkConfig,
    TeamConfig,
)
from sprintsync.errors import ConfigError
from sprintsync.http import RunBudget, build_client
from sprintsync.sinks.base import Sink
from sprintsync.sinks.confluence import ConfluenceSink
from sprintsync.sinks.file import FileSink
from sprintsync.sinks.github_comment import GitHubCommentSink, github_headers
from sprintsync.sources.base import Source
from sprintsync.sources.github_projects import GitHubProjectsSource
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.state import SnapshotStore

log = structlog.get_logger("sprintsync.wiring")

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """What the composition root shares between teams in one run."""

    loaded: LoadedConfig
    secrets: Secrets
    budget: RunBudget
    now: datetime
    stack: AsyncExitStack
    transport: httpx.AsyncBaseTransport | None = None  # demo and tests inject one


def is_jira_cloud(source: JiraSourceConfig) -> bool:
    """Cloud unless configured otherwise; a *.atlassian.net host is always Cloud."""
    if source.deployment:
        return source.deployment == "cloud"
    return (urlsplit(source.url).hostname or "").endswith(".atlassian.net")


def check_credentials(team: TeamConfig, secrets: Secrets, *, config_path: Path) -> None:
    """Fail before any request when a credential the team needs is not in the environment."""
    where = f"{config_path}: team {team.name!r}"
    source = team.source
    if isinstance(source, JiraSourceConfig):
        if is_jira_cloud(source):
            _require(secrets.jira_email, "SPRINTSYNC_JIRA_EMAIL", where, "Jira Cloud (Basic auth)")
            _require(secrets.jira_token, "SPRINTSYNC_JIRA_TOKEN", where, "Jira Cloud (Basic auth)")
        else:
            _require(secrets.jira_pat, "SPRINTSYNC_JIRA_PAT", where, "Jira Data Center (Bearer)")
    if isinstance(source, GitHubSourceConfig):
        _require(secrets.github_token, "SPRINTSYNC_GITHUB_TOKEN (or GITHUB_TOKEN)", where, "GitHub")
    for sink in team.publish:
        _check_sink_credentials(sink, secrets, where)


def _check_sink_credentials(sink: SinkConfig, secrets: Secrets, where: str) -> None:
    if isinstance(sink, GitHubCommentSinkConfig):
        _require(secrets.github_token, "SPRINTSYNC_GITHUB_TOKEN (or GITHUB_TOKEN)", where, "GitHub")
    if isinstance(sink, ConfluenceSinkConfig):
        if confluence_uses_pat(sink, secrets):
            _require(secrets.confluence_pat, "SPRINTSYNC_CONFLUENCE_PAT", where, "Confluence DC")
        else:
            email = secrets.confluence_email or secrets.jira_email
            token = secrets.confluence_token or secrets.jira_token
            _require(
                email, "SPRINTSYNC_CONFLUENCE_EMAIL (or SPRINTSYNC_JIRA_EMAIL)", where, "Confluence"
            )
            _require(
                token, "SPRINTSYNC_CONFLUENCE_TOKEN (or SPRINTSYNC_JIRA_TOKEN)", where, "Confluence"
            )


def confluence_deployment(sink: ConfluenceSinkConfig) -> Literal["cloud", "datacenter"] | None:
    """The configured deployment; a *.atlassian.net host is Cloud; else detected at run time."""
    if sink.deployment:
        return sink.deployment
    return "cloud" if (urlsplit(sink.url).hostname or "").endswith(".atlassian.net") else None


def confluence_uses_pat(sink: ConfluenceSinkConfig, secrets: Secrets) -> bool:
    """Data Center takes a PAT; an undetected host uses one when only a PAT is set."""
    deployment = confluence_deployment(sink)
    if deployment is None:
        return secrets.confluence_pat is not None and not (
            secrets.confluence_token or secrets.jira_token
        )
    return deployment == "datacenter"


def confluence_base_url(sink: ConfluenceSinkConfig) -> str:
    """Confluence Cloud lives under /wiki; accept the site URL without it."""
    url = sink.url.rstrip("/")
    parts = urlsplit(url)
    if (parts.hostname or "").endswith(".atlassian.net") and not parts.path.endswith("/wiki"):
        return f"{url}/wiki"
    return url


def _require(value: object, variable: str, where: str, purpose: str) -> None:
    if not value:
        raise ConfigError(f"{where}: {variable} is not set; it is needed to reach {purpose}")


def check_url(url: str, *, key: str, config_path: Path, allow_insecure: bool) -> None:
    """HTTPS only, except for loopback addresses or an explicit, logged opt-out."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        if _is_loopback(parts.hostname):
            return
        if allow_insecure:
            log.warning("http.insecure_opt_out", key=key, host=parts.hostname)
            return
        raise ConfigError(
            f"{config_path}: {key}: expected an https:// URL, got {url!r} "
            "(plain http is allowed only to loopback, or with http.allow_insecure_http: true)"
        )
    raise ConfigError(f"{config_path}: {key}: expected an https:// URL, got {url!r}")


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


async def build_source(
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


async def build_sinks(team: TeamConfig, wiring: Wiring) -> list[Sink]:
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
