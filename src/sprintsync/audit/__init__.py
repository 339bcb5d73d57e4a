"""`sprintsync audit` (pure): our ledger against Jira's own Sprint Report, differences explained."""

from sprintsync.audit.compare import compare
from sprintsync.audit.model import ChangeEntry, Difference, IssueRow, SprintAudit, TotalRow
from sprintsync.audit.render import AUDIT_JSON_VERSION, render_text, to_json

__all__ = [
    "AUDIT_JSON_VERSION",
    "ChangeEntry",
    "Difference",
    "IssueRow",
    "SprintAudit",
    "TotalRow",
    "compare",
    "render_text",
    "to_json",
]
