"""Pure parsing of Jira changelogs (bulkfetch pages, issue histories) into change records."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sprintsync.domain.points import UNUSABLE_POINTS, to_estimate
from sprintsync.sources.jira.parse import FieldIds, parse_time


class Tracked(enum.Enum):
    """The fields whose history a TrackedIssue needs."""

    STATUS = "status"
    SPRINT = "sprint"
    ESTIMATE = "estimate"
    FLAGGED = "flagged"
    KEY = "key"  # a move to another project: `fromString` is the old key


@dataclass(frozen=True)
class Change:
    """One changelog item of a tracked field, with its history's moment and id."""

    moment: datetime
    history_id: int
    field: Tracked
    from_id: str | None
    from_text: str | None
    to_id: str | None
    to_text: str | None


def _history_id(raw: object) -> int:
    text = str(raw or "")
    return int(text) if text.isdigit() else 0


def classify(item: Mapping[str, Any], fields: FieldIds) -> Tracked | None:
    """Which tracked field an item changes: by `fieldId` if present, else by `field` name.

    `fieldId` is often absent on custom-field items (API-NOTES A.2.3), so both are compared
    case-insensitively with the site's ids and display names.
    """
    key = str(item.get("fieldId") or item.get("field") or "").casefold()
    candidates: list[tuple[Tracked, str | None]] = [
        (Tracked.STATUS, "status"),
        (Tracked.SPRINT, fields.sprint),
        (Tracked.SPRINT, fields.name(fields.sprint) or "sprint"),
        (Tracked.ESTIMATE, fields.estimate),
        (Tracked.ESTIMATE, fields.name(fields.estimate)),
        (Tracked.FLAGGED, fields.flagged),
        (Tracked.FLAGGED, fields.name(fields.flagged) or "flagged"),
        (Tracked.KEY, "key"),
    ]
    for tracked, name in candidates:
        if name and key == name.casefold():
            return tracked
    return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def parse_history(history: Mapping[str, Any], fields: FieldIds) -> list[Change]:
    """The tracked-field changes of one history (`created` as a string or an epoch number)."""
    moment = parse_time(history.get("created"))
    history_id = _history_id(history.get("id"))
    changes = []
    for item in history.get("items") or []:
        tracked = classify(item, fields)
        if tracked is not None:
            changes.append(
                Change(
                    moment=moment,
                    history_id=history_id,
                    field=tracked,
                    from_id=_text(item.get("from")),
                    from_text=_text(item.get("fromString")),
                    to_id=_text(item.get("to")),
                    to_text=_text(item.get("toString")),
                )
            )
    return changes


def to_changes(histories: Iterable[Mapping[str, Any]], fields: FieldIds) -> list[Change]:
    """One issue's tracked changes sorted by (moment, numeric history id).

    Embedded and paged histories come in no guaranteed order (API-NOTES A.2.3).
    """
    changes = [change for history in histories for change in parse_history(history, fields)]
    return sorted(changes, key=lambda c: (c.moment, c.history_id))


def histories_by_issue(pages: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Issue id -> its histories, over every bulkfetch page (API-NOTES A.2.1)."""
    by_issue: dict[str, list[dict[str, Any]]] = {}
    for page in pages:
        for log in page.get("issueChangeLogs") or []:
            histories = by_issue.setdefault(str(log.get("issueId")), [])
            histories.extend(log.get("changeHistories") or [])
    return by_issue


def group_changes(pages: Iterable[Mapping[str, Any]], fields: FieldIds) -> dict[str, list[Change]]:
    """Issue id -> its sorted changes, over every bulkfetch page."""
    return {
        issue: to_changes(histories, fields)
        for issue, histories in histories_by_issue(pages).items()
    }


def sprint_ids(value: str | None) -> frozenset[str]:
    """Sprint ids in a Sprint item's `from`/`to`: a comma-space list (`"76, 79"`), never names."""
    if not value:
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def mentions_sprint(changes: Iterable[Change], sprint_id: str) -> bool:
    """Whether any Sprint change has `sprint_id` in its from or to list."""
    return any(
        sprint_id in sprint_ids(c.from_id) | sprint_ids(c.to_id)
        for c in changes
        if c.field is Tracked.SPRINT
    )


def parse_points(value: str | None) -> float | None:
    """An estimate from a changelog `fromString`/`toString` (a number as text, or null).

    Text that is no usable number ("NaN", "Infinity", "1e308") is no estimate (`to_estimate`).
    """
    if value is None or not value.strip():
        return None
    try:
        return to_estimate(float(value))
    except ValueError:
        return None


def unusable_points(raw: Mapping[str, Any], changes: Iterable[Change], estimate: str) -> list[str]:
    """The estimates of one issue (field value, changelog text) that are no usable number."""
    current = raw.get("fields", {}).get(estimate)
    values = [] if current is None or to_estimate(current) is not None else [repr(current)]
    for change in changes:
        if change.field is Tracked.ESTIMATE:
            texts = (change.from_text, change.to_text)
            values += [repr(t) for t in texts if t and t.strip() and parse_points(t) is None]
    return values


def build_points_notices(
    issues: Iterable[tuple[Mapping[str, Any], Iterable[Change]]], estimate: str
) -> tuple[str, ...]:
    """One data-quality notice naming every issue whose estimate was no usable number."""
    found = []
    for raw, changes in issues:
        values = unusable_points(raw, changes, estimate)
        if values:
            found.append(f"{raw.get('key')} ({', '.join(dict.fromkeys(values))})")
    if not found:
        return ()
    return (f"{UNUSABLE_POINTS}: {'; '.join(found)}",)
