"""The lookups every day of the report view shares, indexed once (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sprintsync.domain import (
    IssueLedger,
    Ledger,
    Plan,
    PlanDay,
    PlanItem,
    Reconciliation,
    SprintData,
    TrackedIssue,
)
from sprintsync.report.text import working_days_between


@dataclass(frozen=True, kw_only=True)
class DayContext:
    """Lookups shared by every day's computation."""

    ledger: Ledger
    reconciliation: Reconciliation | None
    zone: ZoneInfo
    working_days: tuple[int, ...]
    tracked: dict[str, TrackedIssue]
    issues: dict[str, IssueLedger]
    item_of_issue: dict[str, str]
    items: dict[str, PlanItem]
    plan_days: dict[date, PlanDay]
    start_date: date
    end_date: date | None
    needed_pace: float
    added_on: dict[date, tuple[IssueLedger, ...]]  # adds that count (not Done when added)
    removed_on: dict[date, tuple[IssueLedger, ...]]

    @classmethod
    def build(
        cls,
        *,
        ledger: Ledger,
        data: SprintData,
        plan: Plan | None,
        reconciliation: Reconciliation | None,
        working_days: tuple[int, ...],
    ) -> DayContext:
        """Index the inputs once."""
        zone = ZoneInfo(ledger.timezone)
        start = ledger.sprint.start.astimezone(zone).date()
        end = ledger.sprint.end.astimezone(zone).date() if ledger.sprint.end else None
        sprint_days = working_days_between(start, end, working_days) if end else 0
        issues = {issue.key: issue for issue in ledger.issues}
        return cls(
            ledger=ledger,
            reconciliation=reconciliation,
            zone=zone,
            working_days=working_days,
            tracked={issue.key: issue for issue in data.issues},
            issues=issues,
            item_of_issue=dict(reconciliation.item_of_issue) if reconciliation else {},
            items={item.id: item for item in plan.items} if plan else {},
            plan_days={day.date: day for day in plan.days} if plan else {},
            start_date=start,
            end_date=end,
            needed_pace=ledger.totals.committed / max(sprint_days, 1),
            added_on=_by_day(
                (i.entered.astimezone(zone).date(), i)
                for i in issues.values()
                if i.added_after_start and not i.done_when_entered
            ),
            removed_on=_by_day((i.removed_on, i) for i in issues.values() if i.removed_on),
        )

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The first and last moment of `day` in the team's time zone, capped at the cut-off."""
        first = datetime.combine(day, time(), tzinfo=self.zone)
        next_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=self.zone)
        return first, min(next_day - timedelta(microseconds=1), self.ledger.cutoff)


def _by_day(pairs: Iterable[tuple[date, IssueLedger]]) -> dict[date, tuple[IssueLedger, ...]]:
    """Issues grouped by a date, each group in the order given."""
    found: dict[date, list[IssueLedger]] = defaultdict(list)
    for day, issue in pairs:
        found[day].append(issue)
    return {day: tuple(issues) for day, issues in found.items()}
