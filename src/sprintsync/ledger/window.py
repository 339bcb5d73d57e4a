"""The moments a ledger looks at (SEMANTICS §1) and an issue's histories as seen from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sprintsync.domain import Sprint, Timeline, TrackedIssue, WorkState

V = TypeVar("V")


@dataclass(frozen=True)
class Window:
    """`start` = t0, `cutoff` = T, and whether the "complete sprint" dialog rule applies.

    `dialog` is true when the sprint is closed and T is its `complete` moment: the dialog moves
    unfinished issues out at exactly that moment, and such a move is not a removal (§3).
    """

    start: datetime
    cutoff: datetime
    dialog: bool
    tz: ZoneInfo

    def local_date(self, moment: datetime) -> date:
        """The team-time-zone calendar date of a moment."""
        return moment.astimezone(self.tz).date()

    def day_end(self, day: date) -> datetime:
        """The first moment after team-time-zone day `day` (its next local midnight)."""
        return datetime.combine(day + timedelta(days=1), time(), tzinfo=self.tz)


def build_window(sprint: Sprint, *, cutoff: datetime, tz: ZoneInfo) -> Window:
    """The ledger's window: t0 = sprint start, T = min(cutoff, complete) for a closed sprint."""
    if cutoff.tzinfo is None:
        raise ValueError(f"cut-off {cutoff.isoformat()} has no time zone; expected an aware time")
    moment = cutoff if sprint.complete is None else min(cutoff, sprint.complete)
    if moment < sprint.start:
        raise ValueError(
            f"cut-off {moment.isoformat()} is before sprint {sprint.name!r} started"
            f" ({sprint.start.isoformat()}); expected a cut-off at or after the start"
        )
    dialog = sprint.complete is not None and moment == sprint.complete
    return Window(start=sprint.start, cutoff=moment, dialog=dialog, tz=tz)


@dataclass(frozen=True)
class SeenIssue:
    """An issue's timelines with every change the window ignores dropped (§1: events after T)."""

    issue: TrackedIssue
    in_sprint: Timeline[bool]
    state: Timeline[WorkState]
    estimate: Timeline[float | None]

    def estimate_at(self, moment: datetime) -> float:
        """The estimate in force at `moment`, 0 when unestimated (§1)."""
        return self.estimate.value_at(moment) or 0.0

    def estimate_before(self, moment: datetime) -> float:
        """The estimate in force just before `moment`, 0 when unestimated (§1)."""
        return self.estimate.value_before(moment) or 0.0


def see(issue: TrackedIssue, window: Window) -> SeenIssue:
    """The issue as of T; under the dialog rule a membership change at T itself is dropped too."""
    membership = issue.in_sprint.until(window.cutoff)
    if window.dialog:
        kept = tuple(c for c in membership.changes if c[0] < window.cutoff)
        membership = Timeline(membership.initial, kept)
    return SeenIssue(
        issue=issue,
        in_sprint=membership,
        state=issue.state.until(window.cutoff),
        estimate=issue.estimate.until(window.cutoff),
    )


def entries(membership: Timeline[bool], start: datetime) -> tuple[datetime, ...]:
    """When each stay in the sprint began: `start` if in it then, and every later move into it."""
    found = [start] if membership.value_at(start) else []
    previous = membership.initial
    for moment, value in membership.changes:
        if value and not previous and moment > start:
            found.append(moment)
        previous = value
    return tuple(found)


def last_exit(membership: Timeline[bool]) -> datetime | None:
    """The last moment the issue left the sprint, if it ever did."""
    return _last_move(membership, lambda value: not value)


def last_move_into_done(state: Timeline[WorkState]) -> datetime | None:
    """The last moment the state moved into Done from another state (None: never moved there)."""
    return _last_move(state, lambda value: value is WorkState.DONE)


def _last_move(timeline: Timeline[V], arrives: Callable[[V], bool]) -> datetime | None:
    """The last change that moved `timeline` from a value failing `arrives` to one passing it."""
    found = None
    previous = timeline.initial
    for moment, value in timeline.changes:
        if arrives(value) and not arrives(previous):
            found = moment
        previous = value
    return found
