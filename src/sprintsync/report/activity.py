"""Who is in progress and who is flagged on each day of the report, from one sweep per issue.

Each issue's timelines are walked once into the spans where it is In Progress (and in the
sprint) or flagged; each span is then given to the days it covers, found by bisection. The
cost is O(issues + changes + days + what is shown), not O(days x issues) (pure).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter

from sprintsync.domain import TrackedIssue, WorkState
from sprintsync.report.context import DayContext

# A span of moments [since, until): None = from before the first change / past the last one.
Span = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class DayActivity:
    """One day's in-progress issues and flagged issues (ledger order) with "cleared" flags."""

    in_progress: tuple[str, ...]  # issue keys
    flagged: tuple[tuple[str, bool], ...]  # (issue key, flag off at the day's end)


def build_activity(context: DayContext, days: Sequence[date]) -> dict[date, DayActivity]:
    """Each of `days` (ascending) with its in-progress and flagged issues.

    In progress: in the sprint and In Progress at the day's end (changes at it included).
    Flagged: flagged at the day's first moment, or raised by a change within the rest of the day.
    """
    bounds = [context.day_bounds(day) for day in days]
    # In UTC: the same instants, compared faster with UTC change moments.
    firsts = [first.astimezone(UTC) for first, _ in bounds]
    ends = [end.astimezone(UTC) for _, end in bounds]
    doing: list[list[str]] = [[] for _ in days]
    flagged: list[list[tuple[str, bool]]] = [[] for _ in days]
    for key in context.issues:
        tracked = context.tracked.get(key)
        if tracked is None:
            continue
        for since, until in _doing_spans(tracked):
            low = 0 if since is None else bisect.bisect_left(ends, since)
            high = len(days) if until is None else bisect.bisect_left(ends, until)
            for index in range(low, high):
                doing[index].append(key)
        for since, until in _flag_spans(tracked):
            low = 0 if since is None else bisect.bisect_left(ends, since)
            high = len(days) if until is None else bisect.bisect_left(firsts, until)
            for index in range(low, high):
                flagged[index].append((key, not tracked.flagged.value_at(ends[index])))
    return {day: DayActivity(tuple(doing[n]), tuple(flagged[n])) for n, day in enumerate(days)}


def _doing_spans(tracked: TrackedIssue) -> list[Span]:
    """When the issue is in the sprint and In Progress, after all changes at each moment."""
    changes: list[tuple[datetime, int, object]] = [(m, 0, v) for m, v in tracked.in_sprint.changes]
    changes += [(m, 1, v) for m, v in tracked.state.changes]
    changes.sort(key=itemgetter(0))  # stable: each timeline's changes keep their order
    value: list[object] = [tracked.in_sprint.initial, tracked.state.initial]
    spans: list[Span] = []
    since: datetime | None = None
    active = bool(value[0]) and value[1] is WorkState.IN_PROGRESS
    index = 0
    while index < len(changes):
        moment = changes[index][0]
        while index < len(changes) and changes[index][0] == moment:
            value[changes[index][1]] = changes[index][2]
            index += 1
        now = bool(value[0]) and value[1] is WorkState.IN_PROGRESS
        if now and not active:
            since = moment
        elif active and not now:
            spans.append((since, moment))
        active = now
    if active:
        spans.append((since, None))
    return spans


def _flag_spans(tracked: TrackedIssue) -> list[Span]:
    """When the flag is up: from a change raising it to the next change lowering it.

    A raise and a lowering at one moment make an empty span [m, m): the day holding m after
    its first moment still counts it ("raised within the day").
    """
    flags = tracked.flagged
    spans: list[Span] = []
    up, since = flags.initial, None
    for moment, value in flags.changes:
        if value and not up:
            since = moment
        elif up and not value:
            spans.append((since, moment))
        up = value
    if up:
        spans.append((since, None))
    return spans
