"""Orchestration of one `sprintsync audit` sprint: fetch -> ledger -> Jira's report -> compare."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from sprintsync.audit import SprintAudit, compare, render_text, to_json
from sprintsync.domain import Source, SprintReportSource
from sprintsync.domain.jira_report import JiraSprintReport
from sprintsync.errors import EXIT_AUDIT_DIFFERS, EXIT_OK, EXIT_UPSTREAM, ReportUnavailableError
from sprintsync.ledger import build_ledger

log = structlog.get_logger("sprintsync.audit")


@dataclass(frozen=True, kw_only=True)
class AuditJob:
    """One sprint to audit: its source, Jira's reports of its board, and the clock."""

    team: str
    source: Source
    reports: SprintReportSource
    cutoff: datetime
    timezone: ZoneInfo
    count_subtasks: bool = False


@dataclass(frozen=True, kw_only=True)
class AuditOutcome:
    """One sprint's result: the audit, or why Jira's report could not be had; its exit code."""

    team: str
    exit_code: int
    audit: SprintAudit | None = None
    sprint: dict[str, str] | None = None
    message: str | None = None

    def text(self) -> str:
        """The table and explanations, or the one-line reason the report was unavailable."""
        if self.audit is not None:
            return f"Team {self.team}: " + render_text(self.audit)
        return f"Team {self.team}: {self.message}\n"

    def as_json(self) -> dict[str, Any]:
        """The `--json` entry of this sprint (docs/semantics.md, "sprintsync audit")."""
        if self.audit is not None:
            return {"team": self.team, **to_json(self.audit)}
        status = "unavailable" if self.exit_code == EXIT_UPSTREAM else "unsupported"
        return {"team": self.team, "sprint": self.sprint, "status": status, "message": self.message}


async def run_audit_job(job: AuditJob) -> AuditOutcome:
    """Fetch the sprint and Jira's report of it, compare them; an unavailable report is exit 3."""
    data = await job.source.fetch(cutoff=job.cutoff)
    sprint = {"id": data.sprint.id, "name": data.sprint.name, "state": data.sprint.state}
    ledger = build_ledger(
        data, cutoff=job.cutoff, timezone=job.timezone, count_subtasks=job.count_subtasks
    )
    try:
        report = await job.reports.sprint_report(data.sprint.id)
    except ReportUnavailableError as error:
        log.warning("audit.report_unavailable", team=job.team, sprint=data.sprint.id)
        return AuditOutcome(
            team=job.team, exit_code=EXIT_UPSTREAM, sprint=sprint, message=str(error)
        )
    if data.sprint.state == "closed":
        report = await _with_velocity(job, report)
    else:
        note = "the Velocity chart lists closed sprints only: committed is read from the report"
        report = replace(report, notes=(*report.notes, note))
    audit = compare(ledger, data, report)
    log.info(
        "audit.compared", team=job.team, sprint=data.sprint.id, differences=len(audit.differences)
    )
    code = EXIT_OK if audit.agrees else EXIT_AUDIT_DIFFERS
    return AuditOutcome(team=job.team, exit_code=code, audit=audit, sprint=sprint)


async def _with_velocity(job: AuditJob, report: JiraSprintReport) -> JiraSprintReport:
    """Jira's committed and completed from the Velocity chart, when it lists the sprint."""
    try:
        velocity = await job.reports.velocity()
    except ReportUnavailableError as error:
        return replace(report, notes=(*report.notes, f"Velocity chart not read: {error}"))
    if report.sprint_id not in velocity:
        note = (
            f"the Velocity chart does not list sprint {report.sprint_id} "
            "(it shows recent closed sprints only): committed is read from the report"
        )
        return replace(report, notes=(*report.notes, note))
    estimated, completed = velocity[report.sprint_id]
    return replace(report, velocity_estimated=estimated, velocity_completed=completed)
