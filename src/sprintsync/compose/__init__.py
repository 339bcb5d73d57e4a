"""The one composition root: settings -> clients -> adapters -> jobs -> app, for a run.

`wiring` holds what a run shares and opens clients, `adapters` opens a team's source and
sinks, `run` builds and runs the teams' jobs, `audit` runs `sprintsync audit`, `doctor` runs
`sprintsync doctor`.
"""

from typing import TYPE_CHECKING

from sprintsync.compose.adapters import open_sinks, open_source
from sprintsync.compose.run import RunOptions, build_job, cutoff_for, formats_needed, run_teams
from sprintsync.compose.wiring import Wiring, jira_client, opened_wiring

if TYPE_CHECKING:
    from sprintsync.compose.audit import AuditOptions, run_audit

_AUDIT = frozenset({"AuditOptions", "run_audit"})


def __getattr__(name: str) -> object:
    """The audit's names load on first use: `sprintsync run` never imports the audit."""
    if name in _AUDIT:
        from sprintsync.compose import audit  # noqa: PLC0415 - see the docstring

        return getattr(audit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AuditOptions",
    "RunOptions",
    "Wiring",
    "build_job",
    "cutoff_for",
    "formats_needed",
    "jira_client",
    "open_sinks",
    "open_source",
    "opened_wiring",
    "run_audit",
    "run_teams",
]
