"""Orchestration: one team's run (fetch -> ledger -> reconcile -> render -> publish) and audit."""

from typing import TYPE_CHECKING

from sprintsync.app.team import TeamJob, TeamOutcome, check_plan_matches, log_summary, run_team

if TYPE_CHECKING:
    from sprintsync.app.audit import AuditJob, AuditOutcome, run_audit_job

_AUDIT = frozenset({"AuditJob", "AuditOutcome", "run_audit_job"})


def __getattr__(name: str) -> object:
    """The audit's names load on first use: `sprintsync run` never imports the audit."""
    if name in _AUDIT:
        from sprintsync.app import audit  # noqa: PLC0415 - see the docstring

        return getattr(audit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
