"""The one composition root: settings -> clients -> adapters -> jobs -> app, for a run.

`wiring` holds what a run shares and opens clients, `adapters` opens a team's source and
sinks, `run` builds and runs the teams' jobs, `audit` runs `sprintsync audit`, `doctor` runs
`sprintsync doctor`.
"""

from sprintsync.compose.adapters import open_sinks, open_source
from sprintsync.compose.audit import AuditOptions, run_audit
from sprintsync.compose.run import RunOptions, build_job, cutoff_for, formats_needed, run_teams
from sprintsync.compose.wiring import Wiring, jira_client

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
    "run_audit",
    "run_teams",
]
