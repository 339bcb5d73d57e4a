"""Reconciliation of the sprint plan with the tracker's ledger (SEMANTICS §6), pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from sprintsync.domain import (
    DateMismatch,
    Ledger,
    Outcome,
    Plan,
    PlanItem,
    PointsMismatch,
    Reconciliation,
    SprintData,
    TrackedIssue,
)
from sprintsync.points import total


def reconcile(plan: Plan, ledger: Ledger, data: SprintData) -> Reconciliation:
    """Every difference between `plan` and the tracker; no tracker figure is changed.

    An item claims the issues it lists, and issues carrying one of its labels or in its epic;
    an issue listed by an item belongs to the first item listing it, else to the first item
    whose labels or epic match (plan order). Only ledger issues are claimed (removed ones
    included, so the report can show them under their item). "In the sprint" means a ledger
    issue whose outcome is not removed: an item with none is `missing` (and not also a points
    mismatch), such an issue no item claims is `unplanned`.
    """
    tracked = {issue.key: issue for issue in data.issues}
    keys = [line.key for line in ledger.issues]
    claims = claim_issues(plan.items, keys, tracked)
    present = [line for line in ledger.issues if line.outcome is not Outcome.REMOVED]
    claimed_items = {claims[line.key] for line in present if line.key in claims}
    missing = tuple(item.id for item in plan.items if item.id not in claimed_items)
    return Reconciliation(
        missing=missing,
        unplanned=tuple(line.key for line in present if line.key not in claims),
        points_mismatch=points_mismatches(plan.items, ledger, claims),
        date_mismatch=date_mismatches(plan, ledger),
        item_of_issue=claims,
    )


def claim_issues(
    items: Sequence[PlanItem], keys: Sequence[str], tracked: Mapping[str, TrackedIssue]
) -> dict[str, str]:
    """Issue key -> plan item id for every key some item claims (see `reconcile`)."""
    claims: dict[str, str] = {}
    for key in keys:
        listing = [item for item in items if key in item.issues]
        issue = tracked.get(key)
        matching = [] if issue is None else [item for item in items if _matches(item, issue)]
        chosen = (listing or matching)[:1]
        if chosen:
            claims[key] = chosen[0].id
    return claims


def _matches(item: PlanItem, issue: TrackedIssue) -> bool:
    """Whether the issue carries one of the item's labels or sits in the item's epic."""
    shares_label = any(label in issue.labels for label in item.labels)
    return shares_label or (item.epic is not None and item.epic == issue.epic)


def points_mismatches(
    items: Sequence[PlanItem], ledger: Ledger, claims: Mapping[str, str]
) -> tuple[PointsMismatch, ...]:
    """Items whose planned points differ from Σ final_estimate of their issues still in S."""
    found = []
    for item in items:
        lines = [
            line
            for line in ledger.issues
            if claims.get(line.key) == item.id and line.outcome is not Outcome.REMOVED
        ]
        tracker = total(line.final_estimate for line in lines)
        planned = total((item.points,))
        if lines and planned != tracker:
            found.append(PointsMismatch(item=item.id, planned=item.points, tracker=tracker))
    return tuple(found)


def date_mismatches(plan: Plan, ledger: Ledger) -> tuple[DateMismatch, ...]:
    """Plan start/end dates that differ from the sprint's start / planned end (team dates)."""
    tz = ZoneInfo(ledger.timezone)
    sprint = ledger.sprint
    pairs = (("start", plan.start, sprint.start), ("end", plan.end, sprint.end))
    found = []
    for name, planned, moment in pairs:
        if planned is None or moment is None:
            continue
        tracker = moment.astimezone(tz).date()
        if planned != tracker:
            found.append(DateMismatch(field=name, planned=planned, tracker=tracker))
    return tuple(found)
