"""The values an audit produces: per-issue rows, totals, and every explained difference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sprintsync.domain import Sprint

ABSENT = "absent"  # the issue is not in that side's report
EXCLUDED_SUBTASK = "excluded sub-task"  # our ledger leaves sub-tasks out (SEMANTICS §1)
NO_AUTHOR = "not recorded (sprintsync's timelines keep the time and value of a change only)"


@dataclass(frozen=True)
class ChangeEntry:
    """The changelog entry behind a decision, as the source's timelines recorded it."""

    time: datetime | None  # None: the value held from the start of the issue's history
    field: str  # "Sprint", "status (board column)", "estimate"
    before: str
    after: str
    author: str | None = None  # the domain timelines do not carry it


@dataclass(frozen=True)
class Difference:
    """One disagreement: the issue (None for a total), both values, the rule and the entry."""

    key: str | None
    aspect: str  # category | added | initial_estimate | final_estimate | total name
    ours: str
    jira: str
    rule: str  # e.g. "SEMANTICS §3"
    explanation: str
    entry: ChangeEntry | None = None


@dataclass(frozen=True)
class IssueRow:
    """One issue as each side reports it: category, added flag, initial and final estimate."""

    key: str
    ours_category: str
    jira_category: str
    ours_added: bool | None
    jira_added: bool | None
    ours_initial: float | None
    jira_initial: float | None
    ours_final: float | None
    jira_final: float | None
    agrees: bool


@dataclass(frozen=True)
class TotalRow:
    """One total on each side; `basis` says which Jira figure it is compared with."""

    name: str
    ours: float
    jira: float | None
    basis: str
    agrees: bool


@dataclass(frozen=True)
class SprintAudit:
    """The comparison of one sprint's ledger with Jira's Sprint Report."""

    sprint: Sprint
    rows: tuple[IssueRow, ...]
    totals: tuple[TotalRow, ...]
    differences: tuple[Difference, ...]
    notes: tuple[str, ...] = ()

    @property
    def agrees(self) -> bool:
        """Whether no difference was found."""
        return not self.differences
