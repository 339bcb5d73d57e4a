"""Pure parts of the per-sprint Jira cache: its JSON form, its key, what a rerun asks for."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sprintsync.sources.jira.changelog import Change, Tracked, mentions_sprint
from sprintsync.sources.jira.compact import CompactIssue
from sprintsync.sources.jira.parse import to_sprint_ids

CACHE_SCHEMA = 1
# Issues updated this long before the cached fetch are asked again: clock skew between us and
# Jira, and a search index that lags a write by seconds (API-NOTES A.1, eventual consistency).
CACHE_OVERLAP = timedelta(minutes=10)
# JQL dates are read in the searching user's zone; without `myself.timeZone`, a day covers all.
UNKNOWN_ZONE_MARGIN = timedelta(days=1)
JQL_MINUTE_FORMAT = "%Y/%m/%d %H:%M"  # Jira's minute-granular JQL date (as build_removed_jql)

Role = Literal["member", "removed", "checked"]


class CacheRejectedError(ValueError):
    """A cache document that must not be trusted; the message says why."""


@dataclass(frozen=True, slots=True)
class CachedIssue:
    """What the ledger needs of one issue: its compact current values and its sorted changes."""

    compact: CompactIssue
    changes: tuple[Change, ...]


@dataclass(frozen=True, kw_only=True)
class SprintCache:
    """One sprint's issues as a fetch that started at `fetched_at` saw them."""

    key: str
    fetched_at: datetime
    members: tuple[str, ...]  # in the sprint, in search order
    removed: tuple[str, ...]  # left the sprint (their changelog says so), in search order
    checked: frozenset[str]  # removal candidates whose changelog never names the sprint
    issues: Mapping[str, CachedIssue]  # members and removed

    def role(self, issue_id: str) -> Role | None:
        """What the cached fetch decided about an issue; None: unknown to it."""
        if issue_id in self.checked:
            return "checked"
        if issue_id not in self.issues:
            return None
        return "removed" if issue_id in self.removed else "member"


def build_cache_key(*parts: str) -> str:
    """A digest of everything a cached issue depends on (code, site, board, sprint, fields)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _encode_change(change: Change) -> list[Any]:
    return [
        change.moment.isoformat(),
        change.history_id,
        change.field.value,
        change.from_id,
        change.from_text,
        change.to_id,
        change.to_text,
    ]


def _decode_change(raw: Sequence[Any]) -> Change:
    moment, history_id, field, from_id, from_text, to_id, to_text = raw
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None or not isinstance(history_id, int):
        raise CacheRejectedError("a change without a time zone or a numeric history id")
    return Change(parsed, history_id, Tracked(field), from_id, from_text, to_id, to_text)


def encode_issue(entry: CachedIssue) -> dict[str, Any]:
    """One issue as JSON values."""
    compact = entry.compact
    return {
        "id": compact.issue_id,
        "key": compact.key,
        "updated": compact.updated,
        "fields": compact.fields,
        "details": list(compact.details),
        "result": compact.result,
        "changes": [_encode_change(c) for c in entry.changes],
    }


def decode_issue(raw: Mapping[str, Any]) -> CachedIssue:
    """One issue from its JSON values (KeyError, TypeError, ValueError when malformed)."""
    if not isinstance(raw["fields"], dict):
        raise CacheRejectedError("an issue without fields")
    compact = CompactIssue(
        issue_id=str(raw["id"]),
        key=str(raw["key"]),
        fields=raw["fields"],
        details=tuple(str(d) for d in raw["details"]),
        result=None if raw["result"] is None else str(raw["result"]),
        updated=None if raw["updated"] is None else str(raw["updated"]),
    )
    return CachedIssue(compact, tuple(_decode_change(c) for c in raw["changes"]))


def to_document(cache: SprintCache) -> dict[str, Any]:
    """The cache as one JSON document."""
    return {
        "schema": CACHE_SCHEMA,
        "key": cache.key,
        "fetched_at": cache.fetched_at.astimezone(UTC).isoformat(),
        "members": list(cache.members),
        "removed": list(cache.removed),
        "checked": sorted(cache.checked),
        "issues": [encode_issue(cache.issues[i]) for i in (*cache.members, *cache.removed)],
    }


def from_document(raw: object, *, key: str) -> SprintCache:
    """The cache a document holds, if it is whole, of this schema and of this key."""
    if not isinstance(raw, dict):
        raise CacheRejectedError("not a cache document")
    if raw.get("schema") != CACHE_SCHEMA:
        raise CacheRejectedError(
            f"schema {raw.get('schema')!r}, this sprintsync reads {CACHE_SCHEMA}"
        )
    if raw.get("key") != key:
        raise CacheRejectedError("written for other settings, fields or sprintsync code")
    try:
        issues = {entry.compact.issue_id: entry for entry in map(decode_issue, raw["issues"])}
        cache = SprintCache(
            key=key,
            fetched_at=datetime.fromisoformat(raw["fetched_at"]),
            members=tuple(str(i) for i in raw["members"]),
            removed=tuple(str(i) for i in raw["removed"]),
            checked=frozenset(str(i) for i in raw["checked"]),
            issues=issues,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CacheRejectedError(f"malformed ({type(error).__name__}: {error})") from None
    if cache.fetched_at.tzinfo is None or set(issues) != {*cache.members, *cache.removed}:
        raise CacheRejectedError("malformed (its issues do not match its lists)")
    return cache


def user_zone(me: Mapping[str, Any]) -> ZoneInfo | None:
    """The zone Jira reads the user's JQL dates in (`myself.timeZone`), if it is a known one."""
    name = me.get("timeZone")
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def build_since_moment(fetched_at: datetime, zone: ZoneInfo | None) -> str:
    """The JQL minute, in the user's zone, at or before `fetched_at` less the overlap.

    Floored to the minute; a wall time that a DST change makes ambiguous or skipped is moved
    back an hour until every reading of it lies at or before the moment.
    """
    since = fetched_at - CACHE_OVERLAP
    if zone is None:
        since, zone = since - UNKNOWN_ZONE_MARGIN, ZoneInfo("UTC")
    local = since.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    while any(local.replace(tzinfo=zone, fold=f).astimezone(UTC) > since for f in (0, 1)):
        local -= timedelta(hours=1)
    return local.strftime(JQL_MINUTE_FORMAT)


def build_union_jql(sprint_jql: str, removed_jql: str | None) -> str:
    """The sprint's issues and its removal candidates in one search (ids only: one page)."""
    return f"({sprint_jql}) OR ({removed_jql})" if removed_jql else sprint_jql


def build_since_jql(union_jql: str, moment: str) -> str:
    """Of those, the issues updated since `moment` (a JQL minute in the user's zone)."""
    return f'updated >= "{moment}" AND ({union_jql})'


def build_refetch(cache: SprintCache, everyone: Sequence[str], changed: set[str]) -> list[str]:
    """The ids to fetch again: updated since the cache, or unknown to it; in search order."""
    return [i for i in dict.fromkeys(everyone) if i in changed or cache.role(i) is None]


def classify(entry: CachedIssue, *, sprint_id: str, sprint_field: str) -> Role:
    """In the sprint now (its Sprint field), else removed if its changelog names the sprint.

    The same split as the full fetch's `sprint = S` search and its removal candidates.
    """
    if sprint_id in to_sprint_ids(entry.compact.fields.get(sprint_field)):
        return "member"
    return "removed" if mentions_sprint(entry.changes, sprint_id) else "checked"
