"""Frozen domain values shared by sources, the ledger, the plan and the reports (no I/O)."""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeAlias, TypeVar

T = TypeVar("T")

# Parsed JSON from a service (wire data): checked and narrowed where it is read.
JSON: TypeAlias = Any
JSONObject: TypeAlias = dict[str, Any]


@dataclass(frozen=True, slots=True)  # one per issue (x4 timelines): no __dict__
class Timeline(Generic[T]):
    """A value over time: `initial` before the first change, then each `(moment, value)` change.

    `changes` are sorted by moment (ties keep the source's order). `value_at(m)` includes a
    change made exactly at `m`; `value_before(m)` excludes it.
    """

    initial: T
    changes: tuple[tuple[datetime, T], ...] = ()
    # The changes' moments, computed once so a look-up is a bisect and not a list rebuild.
    moments: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        moments = tuple(moment for moment, _ in self.changes)
        if list(moments) != sorted(moments):
            raise ValueError("Timeline changes must be sorted by moment")
        object.__setattr__(self, "moments", moments)

    def value_at(self, moment: datetime) -> T:
        """The value in force at `moment`, a change at exactly `moment` included."""
        index = bisect.bisect_right(self.moments, moment)
        return self.initial if index == 0 else self.changes[index - 1][1]

    def value_before(self, moment: datetime) -> T:
        """The value in force just before `moment` (a change at exactly `moment` excluded)."""
        index = bisect.bisect_left(self.moments, moment)
        return self.initial if index == 0 else self.changes[index - 1][1]

    def until(self, moment: datetime) -> Timeline[T]:
        """The same timeline with every change after `moment` dropped."""
        return Timeline(self.initial, self.changes[: bisect.bisect_right(self.moments, moment)])


class WorkState(enum.Enum):
    """Where an issue's status sits on the board: Done is the right-most column (SEMANTICS §1)."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class Sprint:
    """A sprint (Jira) or iteration (GitHub Projects), with `start` = actual start `t0`."""

    id: str
    name: str
    state: str  # "active" | "closed" | "future"
    start: datetime
    end: datetime | None
    complete: datetime | None = None
    goal: str = ""
    board_url: str | None = None


@dataclass(frozen=True, slots=True)  # one per issue (x4 timelines): no __dict__
class TrackedIssue:
    """One issue's identity and history as a source reconstructed it.

    `in_sprint` says whether the report's sprint was in the issue's Sprint field (Jira) or
    iteration field (GitHub) at each moment; `state` is the board state; `estimate` is the
    board's estimation field (None = unestimated); `flagged` is Jira's impediment flag or
    GitHub's configured blocked marker (`source.blocked`).
    """

    key: str
    title: str
    in_sprint: Timeline[bool]
    state: Timeline[WorkState]
    estimate: Timeline[float | None]
    flagged: Timeline[bool] = field(default_factory=lambda: Timeline(initial=False))
    issue_type: str = "Story"
    is_subtask: bool = False
    url: str | None = None
    assignee: str | None = None
    status_name: str = ""
    blocked_by: tuple[str, ...] = ()  # keys of unresolved issues that block this one (now)
    details: tuple[str, ...] = ()  # detail bullets (documented: the description's bullet list)
    result: str | None = None  # result line (documented: a description paragraph "Result: ...")
    labels: tuple[str, ...] = ()
    epic: str | None = None
    former_keys: tuple[str, ...] = ()  # keys before moves to other projects (Jira `Key` items)
    # False when the current status is on no column of the board (Jira): the board hides the
    # issue, and sprintsync counts it as To Do.
    status_on_board: bool = True
    other_open_sprints: tuple[str, ...] = ()  # names of other active or future sprints it is in
    # (moment the flag was cleared, resolution text) per clear with a comment (Jira only):
    # the text of the comment made when the flag was cleared (docs/read-the-report.md).
    flag_notes: tuple[tuple[datetime, str], ...] = ()


@dataclass(frozen=True)
class SprintData:
    """Everything a source returns for one run: the sprint and its issues' histories."""

    sprint: Sprint
    issues: tuple[TrackedIssue, ...]
    tracker_url: str | None = None  # base URL for links, e.g. https://acme.atlassian.net
    notices: tuple[str, ...] = ()  # what the source could not know (e.g. missing snapshots)


class Outcome(enum.Enum):
    """An issue's single outcome at the cut-off (SEMANTICS §3, in order of precedence)."""

    REMOVED = "removed"
    COMPLETED_OUTSIDE = "completed_outside"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


@dataclass(frozen=True, slots=True)  # one per issue (x4 timelines): no __dict__
class IssueLedger:
    """The ledger's verdict on one issue (SEMANTICS §3)."""

    key: str
    title: str
    outcome: Outcome
    added_after_start: bool
    entered: datetime
    initial_estimate: float
    final_estimate: float
    unestimated: bool
    done_on: date | None = None
    removed_on: date | None = None
    removed_estimate: float | None = None
    done_when_entered: bool = False
    state_at_cutoff: WorkState = WorkState.TODO


@dataclass(frozen=True)
class Totals:
    """Sprint totals (SEMANTICS §4)."""

    committed: float
    added: float
    removed: float
    completed: float
    completed_outside: float
    remaining: float
    scope: float
    percent_complete: float
    estimate_change: float


@dataclass(frozen=True)
class DayFigures:
    """One calendar day of the sprint (SEMANTICS §5), figures at the end of that day."""

    date: date
    completed_points: float
    cumulative_points: float
    completed: tuple[str, ...]  # keys completed that day (final move into Done)
    remaining: float  # Σ estimate of issues in the sprint and not Done at the day's end
    scope: float  # cumulative_points + remaining
    scope_change: float  # net points added (+) or removed (-) that day, estimate changes included
    ideal_remaining: float  # ideal burndown line over the working days
    is_working_day: bool


@dataclass(frozen=True)
class Ledger:
    """The result of applying SEMANTICS §1-§5 to a sprint at a cut-off."""

    sprint: Sprint
    cutoff: datetime
    timezone: str
    issues: tuple[IssueLedger, ...]
    totals: Totals
    days: tuple[DayFigures, ...]
    excluded_subtasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanBlocker:
    """A blocker the team wrote into the plan for a day, with its resolution if any."""

    text: str
    resolution: str | None = None


@dataclass(frozen=True)
class PlanDay:
    """One day of the sprint plan."""

    date: date
    goal: str
    notes: tuple[str, ...] = ()
    blockers: tuple[PlanBlocker, ...] = ()


@dataclass(frozen=True)
class PlanItem:
    """A planned deliverable carried by one or more tracker issues (SEMANTICS §6)."""

    id: str
    title: str
    points: float
    issues: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    epic: str | None = None


@dataclass(frozen=True)
class Plan:
    """The team's sprint plan (YAML under version control)."""

    sprint: str
    theme: str = ""
    start: date | None = None
    end: date | None = None
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # date.weekday() numbers, Monday = 0
    total_points: float | None = None
    days: tuple[PlanDay, ...] = ()
    items: tuple[PlanItem, ...] = ()


@dataclass(frozen=True)
class PointsMismatch:
    """A plan item whose planned points differ from its issues' estimates."""

    item: str
    planned: float
    tracker: float


@dataclass(frozen=True)
class DateMismatch:
    """A plan date that differs from the sprint's."""

    field: str  # "start" | "end"
    planned: date
    tracker: date


@dataclass(frozen=True)
class Reconciliation:
    """Every difference between the plan and the tracker (SEMANTICS §6)."""

    missing: tuple[str, ...] = ()
    unplanned: tuple[str, ...] = ()
    points_mismatch: tuple[PointsMismatch, ...] = ()
    date_mismatch: tuple[DateMismatch, ...] = ()
    item_of_issue: dict[str, str] = field(default_factory=dict)  # issue key -> plan item id


@dataclass(frozen=True, kw_only=True)
class SnapshotItem:
    """One project item as a run saw it; `completed` = closed as completed or merged."""

    item_id: str
    content_key: str  # "acme/shop#123", or the draft issue's id
    title: str
    iteration_id: str | None
    points: float | None
    status: str | None
    closed: bool
    completed: bool
    closed_at: datetime | None
    created_at: datetime
    url: str | None = None
    # When the iteration and the points field values were last set (their `updatedAt`).
    iteration_set_at: datetime | None = None
    points_set_at: datetime | None = None
    # The content's label names, and (field name, option name or None) for each single-select
    # field read for the blocked marker. None: not recorded (a snapshot from before version 3).
    labels: tuple[str, ...] | None = None
    field_options: tuple[tuple[str, str | None], ...] | None = None


@dataclass(frozen=True)
class Snapshot:
    """Every item a run stored for one iteration, at the run's time."""

    taken_at: datetime
    items: tuple[SnapshotItem, ...]
