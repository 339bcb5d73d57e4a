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
from sprintsync.domain.points import total


def reconcile(plan: Plan, ledger: Ledger, data: SprintData) -> Reconciliation:
    """Every difference between `plan` and the tracker; no tracker figure is changed.

    An item claims the issues it lists (by their key, or a key they had before a move to
    another project), and issues carrying one of its labels or in its epic;
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
    """Issue key -> plan item id for every key some item claims (see `reconcile`).

    Linear in items + issues: each key, label and epic is indexed by the first item (plan
    order) that lists or carries it, so "the first matching item" is a minimum of positions.
    """
    listed: dict[str, int] = {}
    by_label: dict[str, int] = {}
    by_epic: dict[str, int] = {}
    for index, item in enumerate(items):
        for key in item.issues:
            listed.setdefault(key, index)
        for label in item.labels:
            by_label.setdefault(label, index)
        if item.epic is not None:
            by_epic.setdefault(item.epic, index)
    claims: dict[str, str] = {}
    for key in keys:
        position: int | None = listed.get(key)
        issue = tracked.get(key)
        if position is None and issue is not None:  # listed under a key before a move
            position = min((listed[k] for k in issue.former_keys if k in listed), default=None)
        if position is None and issue is not None:
            position = _first_match(issue, by_label, by_epic)
        if position is not None:
            claims[key] = items[position].id
    return claims


def _first_match(
    issue: TrackedIssue, by_label: Mapping[str, int], by_epic: Mapping[str, int]
) -> int | None:
    """The position of the first item sharing a label with the issue or holding its epic."""
    found = [by_label[label] for label in issue.labels if label in by_label]
    if issue.epic is not None and issue.epic in by_epic:
        found.append(by_epic[issue.epic])
    return min(found, default=None)


def points_mismatches(
    items: Sequence[PlanItem], ledger: Ledger, claims: Mapping[str, str]
) -> tuple[PointsMismatch, ...]:
    """Items whose planned points differ from Σ final_estimate of their issues still in S."""
    estimates: dict[str, list[float]] = {}
    for line in ledger.issues:
        if line.key in claims and line.outcome is not Outcome.REMOVED:
            estimates.setdefault(claims[line.key], []).append(line.final_estimate)
    found = []
    for item in items:
        lines = estimates.get(item.id, [])
        tracker = total(lines)
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
