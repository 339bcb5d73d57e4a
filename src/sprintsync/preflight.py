"""Offline checks before any request: URLs, credentials and the deployment they imply."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import structlog
from pydantic import SecretStr

from sprintsync.config import (
    ConfluenceSinkConfig,
    GitHubCommentSinkConfig,
    GitHubSourceConfig,
    JiraSourceConfig,
    LoadedConfig,
    Secrets,
    SinkConfig,
    TeamConfig,
)
from sprintsync.domain import Plan
from sprintsync.errors import ConfigError

log = structlog.get_logger("sprintsync.preflight")

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def check_teams_offline(loaded: LoadedConfig, teams: list[TeamConfig]) -> None:
    """Every URL of every team is HTTPS (or loopback, or an explicit opt-out); keys agree."""
    for team in teams:
        check_team_urls(team, loaded)
        check_jira_macros(team, loaded)


def check_jira_macros(team: TeamConfig, loaded: LoadedConfig) -> None:
    """`jira_server_id` makes Confluence show Jira issue macros: only a Jira source has those."""
    if isinstance(team.source, JiraSourceConfig):
        return
    index = loaded.settings.teams.index(team)
    for number, sink in enumerate(team.publish):
        if isinstance(sink, ConfluenceSinkConfig) and sink.jira_server_id:
            raise ConfigError(
                f"{loaded.path}: teams[{index}].publish[{number}].jira_server_id: Jira issue "
                f"macros need a Jira source, but team {team.name!r} reads GitHub Projects "
                "(remove the key: issues are then plain links)"
            )


def check_team_urls(team: TeamConfig, loaded: LoadedConfig) -> None:
    """The team's source and destination URLs pass `check_url`, each named by its key."""
    allow = loaded.settings.http.allow_insecure_http
    index = loaded.settings.teams.index(team)
    urls = [(f"teams[{index}].source.url", getattr(team.source, "url", None))]
    urls.append((f"teams[{index}].source.api_url", getattr(team.source, "api_url", None)))
    for number, sink in enumerate(team.publish):
        urls.append((f"teams[{index}].publish[{number}].url", getattr(sink, "url", None)))
        urls.append((f"teams[{index}].publish[{number}].api_url", getattr(sink, "api_url", None)))
    for key, url in urls:
        if url:
            check_url(url, key=key, config_path=loaded.path, allow_insecure=allow)


def refuse_future_as_of(
    as_of: date | None, *, now: datetime, loaded: LoadedConfig, teams: list[TeamConfig]
) -> None:
    """`--as-of` may not be later than today in any team's time zone."""
    if as_of is None:
        return
    latest = max(now.astimezone(loaded.timezone_of(team)).date() for team in teams)
    if as_of > latest:
        raise ConfigError(f"--as-of {as_of} is in the future (today is {latest})")


def is_jira_cloud(source: JiraSourceConfig) -> bool:
    """Cloud unless configured otherwise; a *.atlassian.net host is always Cloud."""
    return jira_deployment(source) == "cloud"


def jira_deployment(source: JiraSourceConfig) -> Literal["cloud", "datacenter"] | None:
    """The configured deployment; a gateway `api_url` or a *.atlassian.net host is Cloud.

    None: undetermined offline; `serverInfo` decides at run time (compose).
    """
    if source.deployment:
        return source.deployment
    if source.api_url or (urlsplit(source.url).hostname or "").endswith(".atlassian.net"):
        return "cloud"
    return None


def check_credentials(
    team: TeamConfig, secrets: Secrets, *, config_path: Path, teams: tuple[TeamConfig, ...] = ()
) -> None:
    """Fail before any request when a credential the team needs is not in the environment.

    A Jira whose deployment is undetermined offline accepts either credential set here.
    """
    index_of = _indexer(teams)
    where = f"{config_path}: team {team.name!r}"
    source = team.source
    if isinstance(source, JiraSourceConfig):
        deployment = jira_deployment(source)
        if deployment is not None:
            require_jira_credentials(deployment, secrets, where=where, key=None)
        elif not (secrets.jira_pat or secrets.jira_token):  # either set will do until detection
            raise ConfigError(
                f"{where}: neither SPRINTSYNC_JIRA_EMAIL + SPRINTSYNC_JIRA_TOKEN (Jira Cloud) "
                "nor SPRINTSYNC_JIRA_PAT (Jira Data Center) is set; set the pair or the PAT "
                f"(and teams[{index_of(team)}].source.deployment: cloud|datacenter to skip "
                "the detection)"
            )
    if isinstance(source, GitHubSourceConfig):
        _require(
            secrets.projects_token(),
            "SPRINTSYNC_GITHUB_PROJECTS_TOKEN (or SPRINTSYNC_GITHUB_TOKEN)",
            where,
            "GitHub Projects",
        )
    for sink in team.publish:
        _check_sink_credentials(sink, secrets, where)


def require_jira_credentials(
    deployment: Literal["cloud", "datacenter"],
    secrets: Secrets,
    *,
    where: str,
    key: str | None,
    why: str = "",
) -> None:
    """The credentials `deployment` needs are set; else the variable, and the key to set.

    `key` is the `deployment` key when the deployment was not configured; `why` says how it
    was decided (detected), else it could not be told.
    """
    hint = ""
    if key and why:
        other = "datacenter" if deployment == "cloud" else "cloud"
        hint = f"; {why}: if that is wrong, set {key}: {other}"
    elif key:
        hint = f"; Cloud or Data Center could not be told: set {key}: cloud|datacenter"
    if deployment == "cloud":
        purpose = f"Jira Cloud (Basic auth){hint}"
        _require(secrets.jira_email, "SPRINTSYNC_JIRA_EMAIL", where, purpose)
        _require(secrets.jira_token, "SPRINTSYNC_JIRA_TOKEN", where, purpose)
    else:
        _require(secrets.jira_pat, "SPRINTSYNC_JIRA_PAT", where, f"Jira Data Center (Bearer){hint}")


def _indexer(teams: tuple[TeamConfig, ...]) -> Callable[[TeamConfig], int]:
    def index_of(team: TeamConfig) -> int:
        return teams.index(team) if team in teams else 0

    return index_of


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
    text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
    # An HTTP header holds ASCII only; a pasted newline or space would be sent as part of it.
    if not (text.isascii() and text.isprintable()) or text != text.strip():
        raise ConfigError(
            f"{where}: {variable} holds a non-ASCII character, a control character or "
            "surrounding whitespace (a pasted newline?); expected the credential alone, "
            "printable ASCII"
        )


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


# --- More offline checks (issue 13): what `check` can know before any request ---

BOARD_PAGE = re.compile(r"/(?:jira/software|secure/RapidBoard|jira/core|browse)|/boards?/")
BOARD_NUMBER = re.compile(r"/boards/(\d+)|[?&]rapidView=(\d+)")


def check_config_offline(loaded: LoadedConfig, teams: list[TeamConfig]) -> None:
    """Team names are unique; a Jira `url` is a site root, not a board page."""
    names = [team.name for team in loaded.settings.teams]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(
            f"{loaded.path}: teams: team names must be unique (repeated: {', '.join(repeated)}); "
            "rename one: the name keys its lock, snapshots and report"
        )
    for team in teams:
        if isinstance(team.source, JiraSourceConfig):
            _check_site_root(team.source, loaded=loaded, index=loaded.settings.teams.index(team))


def _check_site_root(source: JiraSourceConfig, *, loaded: LoadedConfig, index: int) -> None:
    parts = urlsplit(source.url)
    if not BOARD_PAGE.search(f"{parts.path}?{parts.query}"):
        return
    root = f"{parts.scheme}://{parts.netloc}"
    number = BOARD_NUMBER.search(f"{parts.path}?{parts.query}")
    board = next((g for g in number.groups() if g), None) if number else None
    raise ConfigError(
        f"{loaded.path}: teams[{index}].source.url: {source.url!r} is a page of the Jira site, "
        f"not its root; use the site root {root} and board: {board or source.board}"
    )


def check_plan_can_match(team: TeamConfig, plan: Plan, *, plan_path: Path) -> None:
    """A plan for a named Jira sprint must name the same sprint (two ids or two names differ).

    Offline, only like with like can be compared: an id against a name needs Jira's answer
    (`run` checks that), and `sprint: active` is whichever sprint is active then.
    """
    source = team.source
    if not isinstance(source, JiraSourceConfig) or source.sprint == "active":
        return
    wanted, planned = str(source.sprint), plan.sprint
    if wanted.isdigit() == planned.isdigit() and wanted != planned:
        raise ConfigError(
            f"{plan_path}: sprint: the plan is for sprint {planned!r}, but team {team.name!r} "
            f"reads sprint {wanted!r} (source.sprint); they can never match: point the team's "
            "`plan` at that sprint's plan or fix one of the two"
        )
