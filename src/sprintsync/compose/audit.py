"""`sprintsync audit`: a team's sprints against Jira's own Sprint Report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

import httpx
import structlog

from sprintsync.app.audit import AuditJob, AuditOutcome, run_audit_job
from sprintsync.audit import AUDIT_JSON_VERSION
from sprintsync.compose.adapters import open_source
from sprintsync.compose.wiring import Wiring, jira_client, opened_wiring
from sprintsync.config import (
    JiraSourceConfig,
    LoadedConfig,
    Secrets,
    TeamConfig,
)
from sprintsync.errors import EXIT_CONFIG, EXIT_OK, ConfigError
from sprintsync.sources.jira.api import JiraApi
from sprintsync.sources.jira.greenhopper import GreenhopperReports
from sprintsync.sources.jira.parse import parse_time

log = structlog.get_logger("sprintsync.compose")


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
    outcomes: list[AuditOutcome] = []
    async with opened_wiring(loaded, secrets=secrets, now=now, transport=transport) as wiring:
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
            reports=GreenhopperReports(client, board=source.board),
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
