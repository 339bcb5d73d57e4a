"""Orchestration: one team's run (fetch -> ledger -> reconcile -> render -> publish) and audit."""

from sprintsync.app.audit import AuditJob, AuditOutcome, run_audit_job
from sprintsync.app.team import TeamJob, TeamOutcome, check_plan_matches, log_summary, run_team

__all__ = [
    "AuditJob",
    "AuditOutcome",
    "TeamJob",
    "TeamOutcome",
    "check_plan_matches",
    "log_summary",
    "run_audit_job",
    "run_team",
]
