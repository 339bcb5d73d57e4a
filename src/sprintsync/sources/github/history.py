"""Item histories rebuilt from stored snapshots of a GitHub iteration (pure, no I/O).

GitHub keeps no history of iteration, points or Status changes, so a change is placed at the
snapshot that first shows it. Where GitHub does keep a time we use it: an item's `createdAt`
(it joined the project then), the iteration and points values' `updatedAt` (when they were
last set) and the content's `closedAt` (the last move into Done, even when it closed again
between two snapshots that both show it Done). Every assumption made where snapshots are
missing is returned as a notice (SEMANTICS §2, §3).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeGuard

from sprintsync.domain import Snapshot, SnapshotItem, Timeline, TrackedIssue, WorkState
from sprintsync.sources.github.blocked import BlockedMarker, build_blocked

# Consecutive snapshots further apart than this are reported as a gap (a skipped day).
GAP = timedelta(hours=36)


@dataclass(frozen=True, kw_only=True)
class HistoryRules:
    """What the iteration is and how Status names map to board states."""

    iteration_id: str
    start: datetime  # t0: the iteration's start in the team's time zone
    done: tuple[str, ...]
    in_progress: tuple[str, ...]
    blocked: BlockedMarker | None = None  # None: no item is ever blocked


@dataclass(frozen=True)
class Histories:
    """Tracked issues by project item id, plus what had to be assumed."""

    issues: dict[str, TrackedIssue]
    notices: tuple[str, ...] = ()


@dataclass
class _Notes:
    assumed_at_start: list[str] = field(default_factory=list)
    done_without_date: list[str] = field(default_factory=list)
    estimate_when_added: list[str] = field(default_factory=list)
    blocked_unknown: list[str] = field(default_factory=list)


def to_work_state(item: SnapshotItem, rules: HistoryRules) -> WorkState:
    """DONE if Status is a done option or the content closed as completed (or merged)."""
    if item.completed or (item.status is not None and item.status in rules.done):
        return WorkState.DONE
    if item.status is not None and item.status in rules.in_progress:
        return WorkState.IN_PROGRESS
    return WorkState.TODO


def build_histories(snapshots: Sequence[Snapshot], rules: HistoryRules) -> Histories:
    """Every item seen in this iteration in any snapshot, with its timelines."""
    if not snapshots:
        return Histories({})
    notes = _Notes()
    issues: dict[str, TrackedIssue] = {}
    for item_id in _items_seen_in(snapshots, rules.iteration_id):
        observed = [s.items_by_id.get(item_id) for s in _indexed(snapshots)]
        issues[item_id] = _build_issue(snapshots, observed, rules, notes)
    return Histories(issues, _notices(snapshots, rules, notes))


@dataclass(frozen=True)
class _Indexed:
    taken_at: datetime
    items_by_id: dict[str, SnapshotItem]


def _indexed(snapshots: Sequence[Snapshot]) -> list[_Indexed]:
    return [_Indexed(s.taken_at, {i.item_id: i for i in s.items}) for s in snapshots]


def _items_seen_in(snapshots: Sequence[Snapshot], iteration_id: str) -> list[str]:
    seen: dict[str, None] = {}
    for snapshot in snapshots:
        for item in snapshot.items:
            if item.iteration_id == iteration_id:
                seen.setdefault(item.item_id)
    return list(seen)


def _build_issue(
    snapshots: Sequence[Snapshot],
    observed: list[SnapshotItem | None],
    rules: HistoryRules,
    notes: _Notes,
) -> TrackedIssue:
    times = [s.taken_at for s in snapshots]
    latest = next(item for item in reversed(observed) if item is not None)
    in_sprint = _in_sprint(times, observed, rules, notes)
    if _estimate_unknown_when_added(in_sprint, observed, rules):
        notes.estimate_when_added.append(latest.content_key)
    blocked = build_blocked(times, observed, rules.blocked)
    if blocked.unknown:
        notes.blocked_unknown.append(latest.content_key)
    return TrackedIssue(
        key=latest.content_key,
        title=latest.title,
        in_sprint=in_sprint,
        state=_state(times, observed, rules, notes),
        estimate=_estimate(times, observed),
        flagged=blocked.flagged,
        url=latest.url,
        status_name=latest.status or "",
    )


def _in_sprint(
    times: list[datetime],
    observed: list[SnapshotItem | None],
    rules: HistoryRules,
    notes: _Notes,
) -> Timeline[bool]:
    initial = False
    changes: list[tuple[datetime, bool]] = []
    current = False
    for index, (moment, item) in enumerate(zip(times, observed, strict=True)):
        value = item is not None and item.iteration_id == rules.iteration_id
        if value == current:
            continue
        current = value
        if index == 0 and item is not None and _in_at_start(moment, item, rules, notes):
            initial = True
            continue
        joined = value and item is not None and all(o is None for o in observed[:index])
        previous = times[index - 1] if index else rules.start
        at = moment
        if joined and item is not None and previous < item.created_at <= moment:
            at = item.created_at  # GitHub keeps when the item joined the project
        if item is not None and _between(item.iteration_set_at, previous, moment):
            at = item.iteration_set_at  # when the iteration value was set
        changes.append((at, value))
    return Timeline(initial, tuple(changes))


def _between(moment: datetime | None, previous: datetime, later: datetime) -> TypeGuard[datetime]:
    """Whether a GitHub time falls in (previous, later]: between two snapshots."""
    return moment is not None and previous < moment <= later


def _estimate_unknown_when_added(
    in_sprint: Timeline[bool], observed: list[SnapshotItem | None], rules: HistoryRules
) -> bool:
    """Whether an added item's estimate when it joined is unknown.

    It joined after the start, its points were set after it joined, and no earlier snapshot
    of the whole project holds it (so what its points were before is not known).
    """
    joins = [at for at, value in in_sprint.changes if value and at > rules.start]
    if not joins:
        return False
    first = next(n for n, item in enumerate(observed) if item is not None)
    item = observed[first]
    if item is None:  # pragma: no cover - `first` is an observed index
        return False
    return item.points_set_at is not None and item.points_set_at > joins[0]


def _in_at_start(moment: datetime, item: SnapshotItem, rules: HistoryRules, notes: _Notes) -> bool:
    """Whether an item in the first snapshot was in the iteration from its start."""
    if moment <= rules.start:
        return True
    if item.created_at > rules.start:
        return False  # joined later: placed at createdAt by the caller
    notes.assumed_at_start.append(item.content_key)
    return True


def _estimate(times: list[datetime], observed: list[SnapshotItem | None]) -> Timeline[float | None]:
    """Points over time; a change at the value's `updatedAt` when between the two snapshots.

    With the whole project in every snapshot, an item added to the iteration and re-estimated
    the same day keeps its estimate from before (the previous snapshot) until the re-estimate.
    """
    values = [(t, i) for t, i in zip(times, observed, strict=True) if i is not None]
    initial = values[0][1].points
    changes: list[tuple[datetime, float | None]] = []
    current = initial
    previous = values[0][0]
    for moment, item in values[1:]:
        if item.points != current:
            at = item.points_set_at if _between(item.points_set_at, previous, moment) else moment
            changes.append((at, item.points))
            current = item.points
        previous = moment
    return Timeline(initial, tuple(changes))


def _state(
    times: list[datetime],
    observed: list[SnapshotItem | None],
    rules: HistoryRules,
    notes: _Notes,
) -> Timeline[WorkState]:
    present = [(t, i) for t, i in zip(times, observed, strict=True) if i is not None]
    first_time, first = present[0]
    initial = to_work_state(first, rules)
    changes: list[tuple[datetime, WorkState]] = []
    if initial is WorkState.DONE and not (first_time <= rules.start and first.closed_at is None):
        initial = WorkState.TODO  # what came before the close is unknown; the close time is not
        changes.append((_done_moment(first, None, first_time), WorkState.DONE))
        if first.closed_at is None and first_time == times[0]:
            notes.done_without_date.append(first.content_key)
    current = changes[-1][1] if changes else initial
    previous, last = first_time, first
    for moment, item in present[1:]:
        value = to_work_state(item, rules)
        if value is not current:
            at = _done_moment(item, previous, moment) if value is WorkState.DONE else moment
            changes.append((at, value))
            current = value
        elif value is WorkState.DONE and (reclosed := _closed_again(item, last, previous, moment)):
            # Closed, reopened and closed again between two snapshots that both show it Done:
            # the last move into Done is the new closedAt (SEMANTICS §3). When it was reopened
            # is unknown, so the reopening is placed at the new close and adds no open time.
            changes += [(reclosed, WorkState.IN_PROGRESS), (reclosed, WorkState.DONE)]
        previous, last = moment, item
    return Timeline(initial, tuple(changes))


def _closed_again(
    item: SnapshotItem, last: SnapshotItem, previous: datetime, moment: datetime
) -> datetime | None:
    """The new closedAt when it moved to between the two snapshots (closed again), else None."""
    moved = item.completed and last.closed_at is not None and item.closed_at != last.closed_at
    return item.closed_at if moved and _between(item.closed_at, previous, moment) else None


def _done_moment(item: SnapshotItem, previous: datetime | None, moment: datetime) -> datetime:
    """The content's closedAt when it falls in (previous, moment], else the snapshot time."""
    closed = item.closed_at if item.completed else None
    if closed is not None and (previous is None or previous < closed) and closed <= moment:
        return closed
    return moment


def _notices(snapshots: Sequence[Snapshot], rules: HistoryRules, notes: _Notes) -> tuple[str, ...]:
    notices: list[str] = []
    first = snapshots[0].taken_at
    if first > rules.start:
        start_day = rules.start.date().isoformat()
        notices.append(
            f"no snapshot before {start_day}: items present at the first snapshot are assumed "
            f"committed at the iteration start unless GitHub's item createdAt is later "
            f"({_keys(notes.assumed_at_start)})"
        )
    if notes.done_without_date:
        notices.append(
            f"no close date for {_keys(notes.done_without_date)}: their move into Done is placed "
            f"at the first snapshot ({first.isoformat()})"
        )
    if notes.estimate_when_added:
        notices.append(
            f"estimate when added unknown for {_keys(notes.estimate_when_added)}: re-estimated "
            "after joining the iteration, and no earlier snapshot of the whole project holds "
            "its estimate before; the estimate at its first snapshot counts as added"
        )
    if notes.blocked_unknown:
        notices.append(
            f"blocked marker not recorded in every snapshot of {_keys(notes.blocked_unknown)} "
            "(taken before sprintsync stored labels and the blocked field, or before "
            "source.blocked changed): counted as not blocked there"
        )
    for before, after in itertools.pairwise(snapshots):
        if after.taken_at - before.taken_at > GAP:
            notices.append(
                f"no snapshot between {before.taken_at.isoformat()} and "
                f"{after.taken_at.isoformat()}: changes in that gap are placed at the later "
                "snapshot (closes at the issue's closedAt)"
            )
    return tuple(notices)


def _keys(keys: list[str]) -> str:
    return ", ".join(keys) if keys else "none"
