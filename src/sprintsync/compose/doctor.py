"""`sprintsync doctor`: each team's hosts, credentials, board, space and issue, read only."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

import httpx

from sprintsync.compose.adapters import confluence_sink, github_comment_target, github_source
from sprintsync.compose.wiring import (
    Wiring,
    github_client,
    jira_client,
    opened_wiring,
)
from sprintsync.compose.wiring import resolve_jira_deployment as detected_deployment
from sprintsync.config import (
    ConfluenceSinkConfig,
    FileSinkConfig,
    GitHubCommentSinkConfig,
    GitHubSourceConfig,
    JiraSourceConfig,
)
from sprintsync.domain import JSONObject
from sprintsync.errors import (
    EXIT_CONFIG,
    EXIT_OK,
    ConfigError,
    SprintsyncError,
    UpstreamError,
    exit_code_for,
)
from sprintsync.logs import Redactor
from sprintsync.sinks.confluence.api import PageApi
from sprintsync.sinks.confluence.cloud import CloudPageApi
from sprintsync.sinks.confluence.sink import build_title
from sprintsync.sinks.github.writes import CommentApi
from sprintsync.sources.github.wire import select_iteration
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.sources.jira.parse import select_sprint, to_board_config, to_field_ids

if TYPE_CHECKING:  # annotations only
    from sprintsync.config import LoadedConfig, Secrets, TeamConfig

_T = TypeVar("_T")
OK, FAILED = "✓", "✗"
HTTP_UNAUTHORIZED = 401
# API-NOTES documents no read-only way to ask either service whether a write would be allowed.
CONFLUENCE_CREATE_UNCHECKED = (
    "not checked: permission to create or edit pages in space {space} "
    "(no read-only way to ask Confluence for it; the first run shows it)"
)
GITHUB_WRITE_UNCHECKED = (
    "not checked: permission to write comments on {where} "
    "(no read-only way to ask GitHub for it; the first run shows it)"
)


@dataclass(frozen=True, kw_only=True)
class Check:
    """One line of the doctor's answer: passed, failed (fix, exit code), or not checked (None)."""

    what: str
    ok: bool | None = True
    fix: str = ""
    exit_code: int = EXIT_OK

    def render(self) -> str:
        """`✓ what`, `✗ what — fix: …`, or the not-checked sentence as it is."""
        if self.ok is None:
            return f"- {self.what}"
        if self.ok:
            return f"{OK} {self.what}"
        return f"{FAILED} {self.what} — fix: {self.fix}"


def failed(what: str, error: BaseException) -> Check:
    """A failed check whose fix is the error's own message (it names the key or variable)."""
    return Check(what=what, ok=False, fix=str(error), exit_code=exit_code_for(error))


def worst_exit(checks: list[Check]) -> int:
    """The run's exit code: the highest of the failed checks', 0 when none failed."""
    return max((c.exit_code for c in checks), default=EXIT_OK)


class Doctor:
    """Collects the checks of one `doctor` run; a step that fails stops only its own chain."""

    def __init__(self) -> None:
        self.checks: list[Check] = []

    async def step(self, what: str, call: Callable[[], Awaitable[_T]]) -> _T | None:
        """`call()`'s value, or None after recording the failure under `what`."""
        try:
            return await call()
        except SprintsyncError as error:
            self.checks.append(failed(what, error))
            return None

    def passed(self, what: str) -> None:
        """Record a passed check."""
        self.checks.append(Check(what=what))

    def unchecked(self, what: str) -> None:
        """Record what cannot be checked read-only, as such."""
        self.checks.append(Check(what=what, ok=None))


async def run_doctor(
    loaded: LoadedConfig,
    teams: list[TeamConfig],
    *,
    now: datetime,
    secrets: Secrets,
    stdout: TextIO,
    redactor: Redactor,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Check every team online, read only; print one line per check; the worst exit code."""
    doctor = Doctor()
    async with opened_wiring(
        loaded, secrets=secrets, now=now, transport=transport, redactor=redactor, dry_run=True
    ) as wiring:
        for team in teams:
            await _check_team(team, wiring, doctor)
    doctor.checks.append(check_folder_writable(loaded.state_path().parent, what="state folder"))
    for check in doctor.checks:
        print(redactor.text(check.render()), file=stdout)
    return worst_exit(doctor.checks)


async def _check_team(team: TeamConfig, wiring: Wiring, doctor: Doctor) -> None:
    source = team.source
    sprint_name = None
    if isinstance(source, JiraSourceConfig):
        sprint_name = await check_jira(team.name, source, wiring, doctor)
    else:
        await check_github_source(team, source, wiring, doctor)
    for index, sink in enumerate(team.publish):
        if isinstance(sink, ConfluenceSinkConfig):
            await check_confluence(team.name, sink, wiring, doctor, sprint_name=sprint_name)
        elif isinstance(sink, GitHubCommentSinkConfig):
            try:
                target = github_comment_target(sink, team, wiring.loaded, index=index)
            except ConfigError as error:
                doctor.checks.append(failed(f"{team.name}: GitHub comment target", error))
                continue
            await check_github_comment(team.name, sink, target, wiring, doctor)
        elif isinstance(sink, FileSinkConfig):
            folder = wiring.loaded.resolve(sink.path).parent
            doctor.checks.append(check_folder_writable(folder, what=f"{team.name}: output folder"))


async def check_jira(
    team: str, source: JiraSourceConfig, wiring: Wiring, doctor: Doctor
) -> str | None:
    """Host, credentials (`myself`), board configuration, sprint and fields; the sprint name."""
    host = source.api_url or source.url
    deployment = await doctor.step(
        f"{team}: Jira at {host}: deployment", lambda: detected_deployment(source, wiring)
    )
    if deployment is None:
        return None
    client = await jira_client(source, wiring)
    kind = JiraCloudSource if deployment == "cloud" else JiraDataCenterSource
    api = kind.api_class(client, board=source.board)
    me = await _reach(
        doctor, f"{team}: Jira", host, api.fetch_myself, what=f"{team}: Jira credentials"
    )
    if me is None:
        return None
    who = me.get("displayName") or me.get("name") or me.get("accountId") or "a user"
    doctor.passed(f"{team}: Jira credentials accepted ({api.platform}/myself: {who})")
    raw_config = await doctor.step(f"{team}: Jira board {source.board}", api.fetch_board_config)
    if raw_config is None:
        return None
    config = to_board_config(raw_config)
    doctor.passed(f"{team}: Jira board {source.board} found (project {config.project_key})")
    sprint_name = await _check_sprint(team, source, api.fetch_sprints, doctor)
    estimate = source.estimation_field or config.estimation_field
    fields = await doctor.step(f"{team}: Jira fields", api.fetch_fields)
    if fields is not None:
        try:
            ids = to_field_ids(fields, estimate=estimate, board=source.board)
        except SprintsyncError as error:
            doctor.checks.append(failed(f"{team}: Jira fields", error))
        else:
            doctor.passed(
                f"{team}: Jira fields found (sprint {ids.sprint}, estimate {ids.estimate})"
            )
    return sprint_name


async def _check_sprint(
    team: str,
    source: JiraSourceConfig,
    fetch: Callable[[], Awaitable[list[JSONObject]]],
    doctor: Doctor,
) -> str | None:
    what = f"{team}: Jira sprint {source.sprint!r} on board {source.board}"
    sprints = await doctor.step(what, fetch)
    if sprints is None:
        return None
    try:
        sprint = select_sprint(sprints, source.sprint, board=source.board)
    except SprintsyncError as error:
        doctor.checks.append(failed(what, error))
        return None
    name = str(sprint.get("name"))
    doctor.passed(
        f"{team}: Jira sprint {name!r} found (id {sprint.get('id')}, {sprint.get('state')})"
    )
    return name


async def _reach(
    doctor: Doctor, service: str, host: str, call: Callable[[], Awaitable[_T]], *, what: str
) -> _T | None:
    """The first request to a host: `reachable` when it answered at all, then its answer.

    No HTTP answer fails the host itself; a 401 the credentials; any other failure `what`.
    """
    try:
        answer = await call()
    except UpstreamError as error:
        if error.status is None:  # no HTTP answer: the host itself
            doctor.checks.append(failed(f"{service} at {host} unreachable", error))
            return None
        doctor.passed(f"{service} at {host} reachable")
        refused = error.status == HTTP_UNAUTHORIZED
        doctor.checks.append(failed(f"{service} credentials refused" if refused else what, error))
        return None
    except SprintsyncError as error:
        doctor.checks.append(failed(what, error))
        return None
    doctor.passed(f"{service} at {host} reachable")
    return answer


async def check_github_source(
    team: TeamConfig, source: GitHubSourceConfig, wiring: Wiring, doctor: Doctor
) -> None:
    """Host and token (the project lookup), the project and its iteration."""
    projects = await github_source(source, wiring, timezone=wiring.loaded.timezone_of(team))
    where = f"GitHub project {source.owner}/{source.project}"
    info = await _reach(
        doctor, f"{team.name}: GitHub", source.api_url, projects.fetch_project, what=where
    )
    if info is None:
        return
    doctor.passed(f"{team.name}: {where} found ({info.title!r}; the token can read it)")
    day = wiring.now.astimezone(wiring.loaded.timezone_of(team)).date()
    try:
        found = select_iteration(info.iterations, source.iteration, cutoff_day=day, where=where)
    except SprintsyncError as error:
        doctor.checks.append(failed(f"{team.name}: iteration {source.iteration!r}", error))
        return
    doctor.passed(f"{team.name}: iteration {found.title!r} found ({source.iteration})")


async def check_confluence(
    team: str,
    sink: ConfluenceSinkConfig,
    wiring: Wiring,
    doctor: Doctor,
    *,
    sprint_name: str | None,
) -> None:
    """Host and credentials (the space lookup), the space, the parent page; create unchecked."""
    publisher = await confluence_sink(sink, wiring)
    label = f"{team}: Confluence space {sink.space}"

    async def find_space() -> PageApi:
        api = await publisher.api()
        if isinstance(api, CloudPageApi):  # v2 `GET /spaces?keys=` (B.1.1)
            await api.space_id()
        else:  # v1: the page search in the space answers 404 when the space is not visible
            await api.find_page(build_title(sink.title, sprint_name or ""))
        return api

    api = await _reach(
        doctor, f"{team}: Confluence", sink.api_url or sink.url, find_space, what=label
    )
    if api is None:
        return
    doctor.passed(f"{label} visible (the credentials were accepted)")
    if sink.parent:
        parent_id = str(sink.parent)
        parent = await doctor.step(
            f"{team}: Confluence parent page {parent_id}", lambda: api.get_page(parent_id)
        )
        if parent is not None:
            doctor.passed(f"{team}: Confluence parent page {parent_id} found ({parent.title!r})")
    doctor.unchecked(f"{team}: " + CONFLUENCE_CREATE_UNCHECKED.format(space=sink.space))


async def check_github_comment(
    team: str,
    sink: GitHubCommentSinkConfig,
    target: tuple[str, int],
    wiring: Wiring,
    doctor: Doctor,
) -> None:
    """Host, token (`GET /user`; 403 is an installation token), the issue's comments readable."""
    client = await github_client(wiring, api_url=sink.api_url, token=wiring.secrets.github_token)
    comments = CommentApi(client, *target)
    what = f"{team}: GitHub token"
    login = await _reach(doctor, f"{team}: GitHub", sink.api_url, comments.own_login, what=what)
    if doctor.checks[-1].ok is False:
        return
    if login is None:
        doctor.passed(
            f"{team}: GitHub token accepted (GET /user answers 403: an installation token, "
            "such as the Actions GITHUB_TOKEN, which is fine)"
        )
    else:
        doctor.passed(f"{team}: GitHub token accepted (GET /user: {login})")
    where = f"{target[0]}#{target[1]}"
    listed = await doctor.step(f"{team}: GitHub issue {where}", comments.list)
    if listed is None:
        return
    doctor.passed(f"{team}: GitHub issue {where} found ({len(listed)} comment(s) readable)")
    doctor.unchecked(f"{team}: " + GITHUB_WRITE_UNCHECKED.format(where=where))


def check_folder_writable(folder: Path, *, what: str) -> Check:
    """Create and remove a temporary file in `folder` (or its nearest existing parent)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    note = "" if existing == folder else f" (to be created under {existing})"
    try:
        handle, name = tempfile.mkstemp(prefix=".sprintsync-doctor-", dir=existing)
        os.close(handle)
        Path(name).unlink()
    except OSError as error:
        fix = (
            f"{existing} is not writable ({error.strerror or type(error).__name__}); "
            "make it writable for this user or set state.path / the output path elsewhere"
        )
        return Check(what=f"{what} {folder} writable", ok=False, fix=fix, exit_code=EXIT_CONFIG)
    return Check(what=f"{what} {folder} writable{note}")
