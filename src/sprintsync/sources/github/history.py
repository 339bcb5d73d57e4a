"""Item histories rebuilt from stored snapshots of a GitHub iteration (pure, no I/O).

GitHub keeps no history of iteration, points or Status changes, so a change is placed at the
snapshot that first shows it. Where GitHub does keep a time we use it: an item's `createdAt`
(it joined the project then) and the content's `closedAt` (the move into Done). Every
assumption made where snapshots are missing is returned as a notice (SEMANTICS §2).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sprintsync.domain import Snapshot, SnapshotItem, Timeline, TrackedIssue, WorkState

# Consecutive snapshots further apart than this are reported as a gap (a skipped day).
GAP = timedelta(hours=36)


@dataclass(frozen=True, kw_only=True)
class HistoryRules:
    """What the iteration is and how Status names map to board states."""

    iteration_id: str
    start: datetime  # t0: the iteration's start in the team's time zone
    done: tuple[str, ...]
    in_progress: tuple[str, ...]


@dataclass(frozen=True)
class Histories:
    """Tracked issues by project item id, plus what had to be assumed."""

    issues: dict[str, TrackedIssue]
    notices: tuple[str, ...] = ()


@dataclass
class _Notes:
    assumed_at_start: list[str] = field(default_factory=list)
    done_without_date: list[str] = field(default_factory=list)


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
    return TrackedIssue(
        key=latest.content_key,
        title=latest.title,
        in_sprint=_in_sprint(times, observed, rules, notes),
        state=_state(times, observed, rules, notes),
        estimate=_estimate(times, observed),
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
        changes.append((at, value))
    return Timeline(initial, tuple(changes))


def _in_at_start(moment: datetime, item: SnapshotItem, rules: HistoryRules, notes: _Notes) -> bool:
    """Whether an item in the first snapshot was in the iteration from its start."""
    if moment <= rules.start:
        return True
    if item.created_at > rules.start:
        return False  # joined later: placed at createdAt by the caller
    notes.assumed_at_start.append(item.content_key)
    return True


def _estimate(times: list[datetime], observed: list[SnapshotItem | None]) -> Timeline[float | None]:
    values = [(t, i.points) for t, i in zip(times, observed, strict=True) if i is not None]
    initial = values[0][1]
    changes: list[tuple[datetime, float | None]] = []
    current = initial
    for moment, points in values[1:]:
        if points != current:
            changes.append((moment, points))
            current = points
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
    previous = first_time
    for moment, item in present[1:]:
        value = to_work_state(item, rules)
        if value is not current:
            at = _done_moment(item, previous, moment) if value is WorkState.DONE else moment
            changes.append((at, value))
            current = value
        previous = moment
    return Timeline(initial, tuple(changes))


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
