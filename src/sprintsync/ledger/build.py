"""The sprint ledger: SEMANTICS §1-§4 applied to a sprint's histories at a cut-off (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sprintsync.domain import IssueLedger, Ledger, Outcome, SprintData, Totals, WorkState
from sprintsync.domain.points import PointScale, percent, scale_for
from sprintsync.ledger.days import build_day_figures
from sprintsync.ledger.window import (
    SeenIssue,
    Window,
    build_window,
    entries,
    last_exit,
    last_move_into_done,
    see,
)

WORKING_WEEK = (0, 1, 2, 3, 4)  # date.weekday() numbers, Monday = 0


def build_ledger(
    data: SprintData,
    *,
    cutoff: datetime,
    timezone: ZoneInfo,
    working_days: tuple[int, ...] = WORKING_WEEK,
    count_subtasks: bool = False,
) -> Ledger:
    """Apply SEMANTICS §1-§5 to `data` as of `cutoff` in the team's `timezone`.

    T = `cutoff`, or the sprint's `complete` moment when that is earlier; every change after T
    is ignored, so an old cut-off reproduces an old report. Issues that were never in the sprint
    within [t0, T] are dropped (§2); sub-tasks are left out of every figure and listed in
    `excluded_subtasks` unless `count_subtasks` (§1). `Ledger.issues` keeps the source's order;
    `Ledger.cutoff` is T. Point sums are exact to six decimals (see `sprintsync.domain.points`).
    Per-day figures, scope change and the ideal line: `sprintsync.ledger.days`.
    Raises ValueError when `cutoff` is naive or T is before the sprint's start.
    """
    window = build_window(data.sprint, cutoff=cutoff, tz=timezone)
    seen = [see(issue, window) for issue in data.issues]
    belonging = [issue for issue in seen if entries(issue.in_sprint, window.start)]
    counted = [item for item in belonging if count_subtasks or not item.issue.is_subtask]
    excluded = tuple(i.issue.key for i in belonging if i.issue.is_subtask and not count_subtasks)
    verdicts = tuple(build_issue_ledger(item, window) for item in counted)
    scale = scale_for(_estimates(counted))
    totals = build_totals(verdicts, scale=scale)
    planned_end = data.sprint.end or window.cutoff
    days = build_day_figures(
        tuple(zip(counted, verdicts, strict=True)),
        window=window,
        committed=totals.committed,
        planned_end=window.local_date(planned_end),
        working_days=working_days,
        scale=scale,
    )
    return Ledger(
        sprint=data.sprint,
        cutoff=window.cutoff,
        timezone=timezone.key,
        issues=verdicts,
        totals=totals,
        days=days,
        excluded_subtasks=excluded,
    )


def build_issue_ledger(seen: SeenIssue, window: Window) -> IssueLedger:
    """One belonging issue's verdict (§3); `unestimated` means no estimate at T."""
    entered = entries(seen.in_sprint, window.start)[0]
    cutoff = window.cutoff
    outcome = issue_outcome(seen, entered=entered, cutoff=cutoff)
    left = last_exit(seen.in_sprint) if outcome is Outcome.REMOVED else None
    done = last_move_into_done(seen.state) if outcome is Outcome.COMPLETED else None
    return IssueLedger(
        key=seen.issue.key,
        title=seen.issue.title,
        outcome=outcome,
        added_after_start=entered != window.start,
        entered=entered,
        initial_estimate=seen.estimate_at(entered),
        final_estimate=seen.estimate_at(cutoff),
        unestimated=seen.estimate.value_at(cutoff) is None,
        done_on=None if done is None else window.local_date(done),
        removed_on=None if left is None else window.local_date(left),
        removed_estimate=None if left is None else seen.estimate_at(left),
        done_when_entered=seen.state.value_at(entered) is WorkState.DONE,
        state_at_cutoff=seen.state.value_at(cutoff),
    )


def issue_outcome(seen: SeenIssue, *, entered: datetime, cutoff: datetime) -> Outcome:
    """The single outcome at T, in §3's order: removed, completed_outside, completed, not."""
    if not seen.in_sprint.value_at(cutoff):
        return Outcome.REMOVED
    if seen.state.value_at(cutoff) is not WorkState.DONE:
        return Outcome.NOT_COMPLETED
    moved = last_move_into_done(seen.state)
    # Done from the start of its history counts as done before it joined.
    if moved is None or moved <= entered:
        return Outcome.COMPLETED_OUTSIDE
    return Outcome.COMPLETED


def _estimates(issues: Sequence[SeenIssue]) -> list[float | None]:
    """Every estimate value the issues' histories hold (what the point scale must cover)."""
    found: list[float | None] = []
    for item in issues:
        found.append(item.estimate.initial)
        found += [value for _, value in item.estimate.changes]
    return found


def build_totals(issues: Sequence[IssueLedger], *, scale: PointScale) -> Totals:
    """The sprint totals of §4, exactly as its table defines them.

    Sums are exact in `scale`'s units (it must hold every estimate of `issues`), each rounded
    to six decimals where `sprintsync.domain.points.total` would round.
    """
    units, rounded = scale.units, scale.rounded
    committed, added, removed, change = 0, 0, 0, 0
    finals = dict.fromkeys(Outcome, 0)
    for i in issues:
        if not i.done_when_entered:
            if i.added_after_start:
                added += units(i.initial_estimate)
            else:
                committed += units(i.initial_estimate)
        finals[i.outcome] += units(i.final_estimate)
        if i.outcome is Outcome.REMOVED:
            removed += units(i.removed_estimate)
        else:
            change += rounded(units(i.final_estimate) - units(i.initial_estimate))
    completed = scale.to_points(finals[Outcome.COMPLETED])
    remaining = scale.to_points(finals[Outcome.NOT_COMPLETED])
    scope = scale.to_points(
        rounded(finals[Outcome.COMPLETED]) + rounded(finals[Outcome.NOT_COMPLETED])
    )
    return Totals(
        committed=scale.to_points(committed),
        added=scale.to_points(added),
        removed=scale.to_points(removed),
        completed=completed,
        completed_outside=scale.to_points(finals[Outcome.COMPLETED_OUTSIDE]),
        remaining=remaining,
        scope=scope,
        percent_complete=percent(completed, scope),
        estimate_change=scale.to_points(change),
    )
