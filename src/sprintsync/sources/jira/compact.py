"""An issue bean cut down to what `to_tracked_issue` reads, so the raw JSON can be dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sprintsync.domain import TrackedIssue
from sprintsync.sources.jira.changelog import Change
from sprintsync.sources.jira.issue import (
    BLOCKS_LINK,
    IssueContext,
    build_blocked_by,
    build_description,
    build_epic,
    to_tracked_issue,
)
from sprintsync.sources.jira.parse import to_open_sprints, to_sprint_ids


@dataclass(frozen=True, slots=True)
class CompactIssue:
    """One issue's current values, small: the description already read, links already judged."""

    issue_id: str
    key: str
    fields: dict[str, Any]
    details: tuple[str, ...]
    result: str | None
    updated: str | None = None  # the bean's `updated`, as Jira wrote it (kept by the cache)


def _pick(value: object, keys: Sequence[str]) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    return {key: value[key] for key in keys if key in value}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def to_compact_fields(fields: Mapping[str, Any], context: IssueContext) -> dict[str, Any]:
    """The fields `to_tracked_issue` reads, each reduced to the parts it reads.

    Read back by the same functions (`build_blocked_by`, `build_epic`, `to_sprint_ids`), so a
    compact issue gives the TrackedIssue the whole bean gives.
    """
    ids = context.fields
    assignee = fields.get("assignee")
    compact: dict[str, Any] = {
        "summary": fields.get("summary"),
        "status": _pick(fields.get("status"), ("id", "name")),
        "issuetype": _pick(fields.get("issuetype"), ("name", "subtask", "hierarchyLevel")),
        "assignee": _pick(assignee, ("displayName",)) if assignee else None,
        "created": fields.get("created"),
        "labels": fields.get("labels"),
        "issuelinks": [
            {"type": {"name": BLOCKS_LINK}, "inwardIssue": {"key": key}}
            for key in build_blocked_by(fields.get("issuelinks"))
        ],
        ids.sprint: _compact_sprints(fields.get(ids.sprint)),
        ids.estimate: fields.get(ids.estimate),
    }
    if ids.flagged:
        compact[ids.flagged] = bool(fields.get(ids.flagged))
    epic = build_epic(fields.get("parent"))
    if epic is not None:
        compact["parent"] = {"key": epic, "fields": {"issuetype": {"name": "Epic"}}}
    return compact


def _compact_sprints(value: object) -> list[dict[str, str]]:
    """The Sprint field's ids; the open ones keep their name and state (`to_open_sprints`)."""
    open_sprints = {i: {"name": name, "state": state} for i, name, state in to_open_sprints(value)}
    return [{"id": i, **open_sprints.get(i, {})} for i in sorted(to_sprint_ids(value))]


def to_compact_issue(raw: Mapping[str, Any], context: IssueContext) -> CompactIssue:
    """A CompactIssue from one issue bean (search hit or bulkfetch answer)."""
    fields = raw.get("fields") or {}
    details, result = build_description(fields.get("description"))
    return CompactIssue(
        issue_id=str(raw["id"]),
        key=str(raw["key"]),
        fields=to_compact_fields(fields, context),
        details=details,
        result=result,
        updated=_text(fields.get("updated")),
    )


def to_issue(
    compact: CompactIssue, changes: Sequence[Change], context: IssueContext, *, cutoff: datetime
) -> TrackedIssue:
    """The TrackedIssue of a compact issue and its sorted changes, cut at `cutoff`."""
    raw = {"id": compact.issue_id, "key": compact.key, "fields": compact.fields}
    issue = to_tracked_issue(raw, changes, context, cutoff=cutoff)
    return replace(issue, details=compact.details, result=compact.result)
