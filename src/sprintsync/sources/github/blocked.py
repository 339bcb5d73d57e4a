"""The blocked marker of a GitHub Projects item, and its span over snapshots (pure, no I/O).

GitHub keeps no history of labels or field values on a project, so an item counts as blocked
from the snapshot that first shows the marker to the snapshot that first shows it gone, like
every other change rebuilt from snapshots (sources/github/history.py). The result is the
item's `flagged` timeline: the same blocker figures Jira's Flagged field feeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sprintsync.domain import SnapshotItem, Timeline


@dataclass(frozen=True, kw_only=True)
class BlockedMarker:
    """A label (matched ignoring case, as GitHub's are) and/or a single-select field's option."""

    label: str | None = None
    field: str | None = None
    option: str | None = None

    def marks(self, item: SnapshotItem) -> bool | None:
        """Whether the item is blocked; None when the snapshot did not record what is needed."""
        found: list[bool] = []
        unknown = False
        if self.label is not None:
            if item.labels is None:
                unknown = True
            else:
                found.append(self.label.casefold() in {n.casefold() for n in item.labels})
        if self.field is not None:
            options = dict(item.field_options) if item.field_options is not None else {}
            if self.field not in options:
                unknown = True
            else:
                found.append(options[self.field] == self.option)
        if any(found):
            return True
        return None if unknown else False


@dataclass(frozen=True)
class BlockedSpan:
    """An item's blocked timeline and whether some snapshot could not tell."""

    flagged: Timeline[bool]
    unknown: bool


def build_blocked(
    times: list[datetime],
    observed: list[SnapshotItem | None],
    marker: BlockedMarker | None,
) -> BlockedSpan:
    """Blocked over time: a change at each snapshot that shows the marker come or go.

    Blocked at the iteration's first snapshot = blocked before the recorded history (the
    report says so and gives no age). An item first seen later (it joined the project then)
    and blocked is blocked from its `createdAt` when that falls after the previous snapshot,
    else from the snapshot. A snapshot that did not record the marker counts as not blocked.
    """
    if marker is None:
        return BlockedSpan(Timeline(initial=False), unknown=False)
    initial, current, unknown = False, False, False
    changes: list[tuple[datetime, bool]] = []
    seen = False
    for index, (moment, item) in enumerate(zip(times, observed, strict=True)):
        if item is None:
            continue
        marked = marker.marks(item)
        unknown = unknown or marked is None
        value = bool(marked)
        first, seen = not seen, True
        if value == current:
            continue
        current = value
        if first and index == 0:
            initial = value
            continue
        at = moment
        if first and index and times[index - 1] < item.created_at <= moment:
            at = item.created_at
        changes.append((at, value))
    return BlockedSpan(Timeline(initial, tuple(changes)), unknown=unknown)
