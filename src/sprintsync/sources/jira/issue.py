"""Pure building of a TrackedIssue from a search hit and its changelog."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sprintsync.domain import JSON, Timeline, TrackedIssue, WorkState
from sprintsync.domain.points import to_estimate
from sprintsync.sources.jira import adf, wiki
from sprintsync.sources.jira.changelog import Change, Tracked, parse_points, sprint_ids
from sprintsync.sources.jira.parse import (
    FieldIds,
    StateMap,
    parse_time,
    to_open_sprints,
    to_sprint_ids,
)

T = TypeVar("T")
BLOCKS_LINK = "Blocks"
BLOCKED_BY = "is blocked by"


@dataclass(frozen=True)
class IssueContext:
    """What every issue of one run is read against."""

    sprint_id: str
    fields: FieldIds
    states: StateMap
    base_url: str


def build_timeline(
    changes: Sequence[Change],
    *,
    current: T,
    before: Callable[[Change], T],
    after: Callable[[Change], T],
) -> Timeline[T]:
    """Walk one field's changes forward: initial = the first change's `from`, else `current`."""
    initial = before(changes[0]) if changes else current
    return Timeline(initial, tuple((c.moment, after(c)) for c in changes))


def _of(changes: Sequence[Change], field: Tracked) -> list[Change]:
    return [c for c in changes if c.field is field]


def build_in_sprint(
    changes: Sequence[Change], *, current: bool, sprint_id: str, created: datetime
) -> Timeline[bool]:
    """In S or not; before `created` the issue was in no sprint, at `created` its first value."""
    walked = build_timeline(
        _of(changes, Tracked.SPRINT),
        current=current,
        before=lambda c: sprint_id in sprint_ids(c.from_id),
        after=lambda c: sprint_id in sprint_ids(c.to_id),
    )
    moments = [(created, walked.initial), *walked.changes]
    return Timeline(initial=False, changes=tuple(sorted(moments, key=lambda pair: pair[0])))


def _status(fields: Mapping[str, Any]) -> tuple[str | None, str]:
    status = fields.get("status") or {}
    return (str(status["id"]) if "id" in status else None), str(status.get("name") or "")


def _on_board(status_id: str | None, context: IssueContext) -> bool:
    """Whether the status is on one of the board's columns (a board with none: not known)."""
    columns = context.states.board.column_of_status
    return status_id is None or not columns or status_id in columns


def build_timelines(
    fields: Mapping[str, Any], changes: Sequence[Change], context: IssueContext
) -> dict[str, Timeline[Any]]:
    """The four timelines of one issue from its current fields and its changes."""
    ids = context.fields
    status_id, status_name = _status(fields)
    state_of = context.states.state
    in_sprint = build_in_sprint(
        changes,
        current=context.sprint_id in to_sprint_ids(fields.get(ids.sprint)),
        sprint_id=context.sprint_id,
        created=parse_time(fields["created"]),
    )
    state: Timeline[WorkState] = build_timeline(
        _of(changes, Tracked.STATUS),
        current=state_of(status_id, status_name),
        before=lambda c: state_of(c.from_id, c.from_text),
        after=lambda c: state_of(c.to_id, c.to_text),
    )
    estimate: Timeline[float | None] = build_timeline(
        _of(changes, Tracked.ESTIMATE),
        current=to_estimate(fields.get(ids.estimate)),
        before=lambda c: parse_points(c.from_text),
        after=lambda c: parse_points(c.to_text),
    )
    flagged: Timeline[bool] = build_timeline(
        _of(changes, Tracked.FLAGGED),
        current=bool(fields.get(ids.flagged)) if ids.flagged else False,
        before=lambda c: bool(c.from_text),
        after=lambda c: bool(c.to_text),
    )
    return {"in_sprint": in_sprint, "state": state, "estimate": estimate, "flagged": flagged}


def build_blocked_by(links: JSON) -> tuple[str, ...]:
    """Keys of inward "Blocks" links ("is blocked by") whose status category is not done."""
    blockers = []
    for link in links or []:
        kind = link.get("type") or {}
        other = link.get("inwardIssue")
        is_blocks = kind.get("name") == BLOCKS_LINK or kind.get("inward") == BLOCKED_BY
        if other is None or not is_blocks:
            continue
        category = ((other.get("fields") or {}).get("status") or {}).get("statusCategory") or {}
        if category.get("key") != "done":
            blockers.append(str(other.get("key")))
    return tuple(blockers)


def build_epic(parent: JSON) -> str | None:
    """The parent's key when the parent is an Epic."""
    if not isinstance(parent, dict):
        return None
    kind = (parent.get("fields") or {}).get("issuetype") or {}
    is_epic = kind.get("name") == "Epic" or kind.get("hierarchyLevel") == 1
    return str(parent.get("key")) if is_epic else None


def build_description(value: JSON) -> tuple[tuple[str, ...], str | None]:
    """Details and result of a description: wiki markup (DC, a string) or ADF (Cloud v3)."""
    markup = wiki if isinstance(value, str) else adf
    return markup.build_details(value), markup.build_result(value)


def to_tracked_issue(
    raw: Mapping[str, Any], changes: Sequence[Change], context: IssueContext, *, cutoff: datetime
) -> TrackedIssue:
    """A TrackedIssue from one searched issue and its sorted changes, cut at `cutoff`."""
    fields = raw.get("fields") or {}
    timelines = build_timelines(fields, changes, context)
    kind = fields.get("issuetype") or {}
    details, result = build_description(fields.get("description"))
    key = str(raw["key"])
    status_id, status_name = _status(fields)
    return TrackedIssue(
        key=key,
        title=str(fields.get("summary") or ""),
        in_sprint=timelines["in_sprint"].until(cutoff),
        state=timelines["state"].until(cutoff),
        estimate=timelines["estimate"].until(cutoff),
        flagged=timelines["flagged"].until(cutoff),
        issue_type=str(kind.get("name") or ""),
        is_subtask=bool(kind.get("subtask")),
        url=f"{context.base_url.rstrip('/')}/browse/{key}",
        assignee=(fields.get("assignee") or {}).get("displayName"),
        status_name=status_name,
        status_on_board=_on_board(status_id, context),
        other_open_sprints=tuple(
            name
            for sprint_id, name, _state in to_open_sprints(fields.get(context.fields.sprint))
            if sprint_id != context.sprint_id
        ),
        blocked_by=build_blocked_by(fields.get("issuelinks")),
        details=details,
        result=result,
        labels=tuple(str(label) for label in fields.get("labels") or []),
        epic=build_epic(fields.get("parent")),
        former_keys=build_former_keys(changes, key),
    )


def build_former_keys(changes: Sequence[Change], key: str) -> tuple[str, ...]:
    """The keys the issue had before moves to other projects (`Key` items, oldest first)."""
    old = [c.from_text for c in changes if c.field is Tracked.KEY and c.from_text]
    return tuple(k for k in dict.fromkeys(old) if k != key)
