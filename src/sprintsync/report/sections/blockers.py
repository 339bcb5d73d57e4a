"""Blockers with their age, assignee and what they block (pure).

An open issue (in the sprint at the cut-off, not Done) is listed when Jira's impediment flag
is up at the cut-off or the source reports it blocked by an unresolved issue ("is blocked by"
links). Flagged since = the date of the last change raising the flag (None when it was up
before the recorded history begins); age = working days after that date up to the cut-off's
day (Friday to Monday is 1). Blocks = the sprint's issues blocked by it. Links carry no date
in the fetched data, so a blocker known only from a link has no age. A flag cleared on the
cut-off's day with a clearing comment (the source's flag-clear note) lists the issue as a
resolved blocker, its resolution the comment's text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sprintsync.domain import Ledger, Outcome, SprintData, TrackedIssue
from sprintsync.report.context import DayContext
from sprintsync.report.resolution import build_resolution
from sprintsync.report.sections.calendar import age_in_working_days
from sprintsync.report.sections.model import BlockerAgeView
from sprintsync.report.text import long_date


def count_open_blockers(ledger: Ledger, data: SprintData) -> int:
    """How many open issues are flagged or blocked at the cut-off (the index's blockers)."""
    tracked = {issue.key: issue for issue in data.issues}
    count = 0
    for line in ledger.issues:
        issue = tracked.get(line.key)
        if issue is None or line.outcome is not Outcome.NOT_COMPLETED:
            continue
        if issue.flagged.value_at(ledger.cutoff) or issue.blocked_by:
            count += 1
    return count


def build_blockers(context: DayContext) -> tuple[BlockerAgeView, ...]:
    """Every flagged or blocked open issue, oldest flag first, then ledger order."""
    cutoff = context.ledger.cutoff
    today = cutoff.astimezone(context.zone).date()
    blocks: dict[str, list[str]] = defaultdict(list)
    for key in context.issues:
        tracked = context.tracked.get(key)
        for blocker in tracked.blocked_by if tracked else ():
            blocks[blocker].append(key)
    found: list[BlockerAgeView] = []
    for key, issue in context.issues.items():
        tracked = context.tracked.get(key)
        if tracked is None or issue.outcome is not Outcome.NOT_COMPLETED:
            continue
        flagged = tracked.flagged.value_at(cutoff)
        resolution = None if flagged else _resolution(tracked, today, context)
        if not flagged and not tracked.blocked_by and resolution is None:
            continue
        since = _flagged_since(tracked, context) if flagged else None
        age = age_in_working_days(since, today, context.working_days) if since else None
        found.append(
            BlockerAgeView(
                key=key,
                title=issue.title,
                assignee=tracked.assignee,
                flagged_since=since,
                age_working_days=age,
                blocked_by=tracked.blocked_by,
                blocks=tuple(blocks.get(key, ())),
                text=_text(key, issue.title, flagged=flagged, since=since, age=age)
                if resolution is None
                else f"{issue.title} ({key}): flag cleared on {long_date(today)}",
                resolution=resolution,
            )
        )
    found.sort(key=lambda b: (b.flagged_since is None, b.flagged_since or date.max))
    return tuple(found)


def _resolution(tracked: TrackedIssue, today: date, context: DayContext) -> str | None:
    return build_resolution(tracked, today, zone=context.zone, cutoff=context.ledger.cutoff)


def _flagged_since(tracked: TrackedIssue, context: DayContext) -> date | None:
    raised, up = None, tracked.flagged.initial
    for moment, value in tracked.flagged.changes:
        if moment > context.ledger.cutoff:
            break
        if value and not up:
            raised = moment
        up = value
    return raised.astimezone(context.zone).date() if raised else None


def _text(key: str, title: str, *, flagged: bool, since: date | None, age: int | None) -> str:
    if not flagged:
        return f"{title} ({key}): blocked by a link (no date recorded)"
    if since is None or age is None:
        return f"{title} ({key}): flagged since before its recorded history"
    unit = "day" if age == 1 else "days"
    return f"{title} ({key}): flagged since {long_date(since)} ({age} working {unit})"
