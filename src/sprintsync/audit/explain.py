"""Why our ledger decided as it did: the SEMANTICS.md rule and the timeline change behind it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sprintsync.audit.model import ChangeEntry
from sprintsync.domain import IssueLedger, Outcome, Timeline, TrackedIssue, WorkState

V = TypeVar("V")
SPRINT_FIELD = "Sprint"
STATUS_FIELD = "status (board column)"
ESTIMATE_FIELD = "estimate"


def estimate_text(value: float | None) -> str:
    """A point value as the audit prints it (`unestimated` for None)."""
    return "unestimated" if value is None else f"{value:g}"


def _state_text(value: WorkState) -> str:
    return value.value


def last_change(
    timeline: Timeline[V], *, until: datetime, arrives: Callable[[V], bool] | None = None
) -> tuple[datetime, V, V] | None:
    """The last change at or before `until` (into a value passing `arrives`): when, from, to."""
    found = None
    previous = timeline.initial
    for moment, value in timeline.changes:
        if moment > until:
            break
        if value != previous and (arrives is None or (arrives(value) and not arrives(previous))):
            found = (moment, previous, value)
        previous = value
    return found


def first_entry_after(membership: Timeline[bool], start: datetime) -> datetime | None:
    """The first move into the sprint after `start`."""
    previous = membership.initial
    for moment, value in membership.changes:
        if value and not previous and moment > start:
            return moment
        previous = value
    return None


def sprint_entry(
    issue: TrackedIssue, sprint_id: str, *, until: datetime, into: bool
) -> ChangeEntry:
    """The last Sprint change (into or out of the sprint) at or before `until`."""
    change = last_change(issue.in_sprint, until=until, arrives=lambda v: v is into)
    return _entry(change, SPRINT_FIELD, lambda v: _member(v, sprint_id), issue.in_sprint.initial)


def status_entry(issue: TrackedIssue, *, until: datetime, into_done: bool = False) -> ChangeEntry:
    """The last board-column change (the last move into Done, if `into_done`) until `until`."""
    arrives = (lambda v: v is WorkState.DONE) if into_done else None
    change = last_change(issue.state, until=until, arrives=arrives)
    return _entry(change, STATUS_FIELD, _state_text, issue.state.initial)


def estimate_entry(issue: TrackedIssue, *, until: datetime) -> ChangeEntry:
    """The last estimate change at or before `until`."""
    change = last_change(issue.estimate, until=until)
    return _entry(change, ESTIMATE_FIELD, estimate_text, issue.estimate.initial)


def _member(value: bool, sprint_id: str) -> str:  # noqa: FBT001 - a timeline's value
    return f"in sprint {sprint_id}" if value else f"not in sprint {sprint_id}"


def _entry(
    change: tuple[datetime, V, V] | None, field: str, text: Callable[[V], str], initial: V
) -> ChangeEntry:
    if change is None:
        return ChangeEntry(time=None, field=field, before="-", after=text(initial))
    moment, before, after = change
    return ChangeEntry(time=moment, field=field, before=text(before), after=text(after))


def category_reason(
    verdict: IssueLedger, issue: TrackedIssue, *, sprint_id: str, cutoff: datetime
) -> tuple[str, ChangeEntry]:
    """SEMANTICS §3's outcome, in its order of precedence, and the entry that decided it."""
    outcome = verdict.outcome
    if outcome is Outcome.REMOVED:
        return (
            f"§3.1 removed: sprint {sprint_id} is not in its Sprint field at T; it left here",
            sprint_entry(issue, sprint_id, until=cutoff, into=False),
        )
    if outcome is Outcome.COMPLETED_OUTSIDE:
        return (
            (
                "§3.2 completed_outside: Done at T, and its last move into Done happened at or "
                "before it entered the sprint"
            ),
            status_entry(issue, until=cutoff, into_done=True),
        )
    if outcome is Outcome.COMPLETED:
        return (
            (
                "§3.3 completed: in the sprint and Done at T, its last move into Done after it "
                "entered; Done = the board's right-most column (§1)"
            ),
            status_entry(issue, until=cutoff, into_done=True),
        )
    return (
        "§3.4 not_completed: in the sprint at T and not in the board's Done column (§1)",
        status_entry(issue, until=cutoff),
    )
