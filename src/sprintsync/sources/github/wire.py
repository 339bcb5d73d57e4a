"""GitHub Projects (v2) wire shapes -> plain values: fields, iterations, items (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sprintsync.domain import SnapshotItem, Sprint
from sprintsync.domain.points import UNUSABLE_POINTS, to_estimate
from sprintsync.errors import ConfigError, UpstreamError
from sprintsync.sources.github.blocked import BlockedMarker


@dataclass(frozen=True)
class Iteration:
    """One iteration of the iteration field; `completed` = listed in completedIterations."""

    id: str
    title: str
    start_date: date
    duration: int
    completed: bool

    def contains(self, day: date) -> bool:
        """Whether `day` is in [start, start + duration)."""
        return self.start_date <= day < self.start_date + timedelta(days=self.duration)


@dataclass(frozen=True, kw_only=True)
class ProjectInfo:
    """The project and the configuration of the fields sprintsync reads."""

    owner_kind: str  # "organization" | "user"
    title: str
    url: str | None
    iterations: tuple[Iteration, ...]


@dataclass(frozen=True, kw_only=True)
class CurrentItem:
    """A project item now: what a snapshot stores plus what only the report shows."""

    snapshot: SnapshotItem
    issue_type: str
    labels: tuple[str, ...]
    assignee: str | None
    unusable_points: str | None = None  # the points value when it was no usable number


def to_project_info(
    project: dict[str, Any],
    *,
    owner_kind: str,
    where: str,
    field_names: dict[str, str],
    blocked: BlockedMarker | None = None,
) -> ProjectInfo:
    """Check the configured fields exist with the right types; return the iterations."""
    fields = {f["name"]: f for f in project["fields"]["nodes"] if f.get("name")}
    expected = {"iteration_field": "ITERATION", "points_field": "NUMBER"}
    expected["status_field"] = "SINGLE_SELECT"
    for key, data_type in expected.items():
        name = field_names[key]
        found = fields.get(name)
        if found is None or found.get("dataType") != data_type:
            known = ", ".join(f"{n} ({f.get('dataType')})" for n, f in fields.items())
            raise ConfigError(
                f"{where}: source.{key}: expected a {data_type} field named {name!r} "
                f"(the project has: {known})"
            )
    if blocked is not None:
        _check_blocked_field(fields, blocked, where)
    configuration = fields[field_names["iteration_field"]]["configuration"]
    iterations = [_iteration(i, completed=False) for i in configuration["iterations"]]
    iterations += [_iteration(i, completed=True) for i in configuration["completedIterations"]]
    return ProjectInfo(
        owner_kind=owner_kind,
        title=project.get("title") or "",
        url=project.get("url"),
        iterations=tuple(sorted(iterations, key=lambda i: i.start_date)),
    )


def _check_blocked_field(
    fields: dict[str, dict[str, Any]], blocked: BlockedMarker, where: str
) -> None:
    """source.blocked.field is a single-select field of the project, with the option."""
    if blocked.field is None:
        return  # a label alone: labels belong to repositories, any name may appear later
    found = fields.get(blocked.field)
    if found is None or found.get("dataType") != "SINGLE_SELECT":
        known = ", ".join(n for n, f in fields.items() if f.get("dataType") == "SINGLE_SELECT")
        raise ConfigError(
            f"{where}: source.blocked.field: expected a SINGLE_SELECT field named "
            f"{blocked.field!r} (the project's single-select fields: {known or 'none'})"
        )
    options = [option["name"] for option in found.get("options") or ()]
    if blocked.option not in options:
        raise ConfigError(
            f"{where}: source.blocked.option: the field {blocked.field!r} has no option "
            f"{blocked.option!r} (its options: {', '.join(options) or 'none'})"
        )


def _iteration(value: dict[str, Any], *, completed: bool) -> Iteration:
    return Iteration(
        id=value["id"],
        title=value["title"],
        start_date=date.fromisoformat(value["startDate"]),
        duration=int(value["duration"]),
        completed=completed,
    )


def select_iteration(
    iterations: tuple[Iteration, ...], wanted: str, *, cutoff_day: date, where: str
) -> Iteration:
    """`current` = the iteration containing the cut-off day; else the iteration titled `wanted`."""
    if wanted == "current":
        found = [i for i in iterations if i.contains(cutoff_day)]
    else:
        found = [i for i in iterations if i.title == wanted]
    if found:
        return found[0]
    known = ", ".join(f"{i.title} ({i.start_date}, {i.duration}d)" for i in iterations) or "none"
    what = f"containing {cutoff_day}" if wanted == "current" else f"titled {wanted!r}"
    raise UpstreamError(  # known only once GitHub answered: exit 3, as README's exit codes say
        f"{where}: source.iteration: no iteration {what} (iterations: {known})", service="GitHub"
    )


def to_sprint(
    iteration: Iteration, *, timezone: ZoneInfo, cutoff: datetime, url: str | None
) -> Sprint:
    """The iteration as a domain Sprint: start at 00:00 team time, end = start + duration."""
    start = datetime.combine(iteration.start_date, time(0), tzinfo=timezone)
    end = datetime.combine(
        iteration.start_date + timedelta(days=iteration.duration), time(0), tzinfo=timezone
    )
    if iteration.completed or end <= cutoff:
        state, complete = "closed", end
    else:
        state, complete = ("active" if start <= cutoff else "future"), None
    return Sprint(
        id=iteration.id,
        name=iteration.title,
        state=state,
        start=start,
        end=end,
        complete=complete,
        board_url=url,
    )


def to_current_item(node: dict[str, Any], *, blocked_field: str | None = None) -> CurrentItem:
    """One `items.nodes` entry as a CurrentItem (content null = redacted: no access).

    With `blocked_field`, the node's `blocked` value (that field's option) is recorded too.
    """
    content = node.get("content") or {}
    kind = content.get("__typename", "Redacted")
    iteration = node.get("iteration") or {}
    points_value = node.get("points") or {}
    raw_points = points_value.get("number")
    points = to_estimate(raw_points)
    labels = tuple(label["name"] for label in (content.get("labels") or {}).get("nodes") or [])
    field_options = None
    if blocked_field is not None:
        field_options = ((blocked_field, (node.get("blocked") or {}).get("name")),)
    snapshot = SnapshotItem(
        item_id=node["id"],
        content_key=_content_key(node, content),
        title=content.get("title") or "(no access to this item)",
        iteration_id=iteration.get("iterationId"),
        points=points,
        status=(node.get("status") or {}).get("name"),
        closed=content.get("issueState") == "CLOSED"
        or content.get("prState") in {"CLOSED", "MERGED"},
        completed=content.get("stateReason") == "COMPLETED" or content.get("prState") == "MERGED",
        closed_at=_time(content.get("closedAt")),
        created_at=datetime.fromisoformat(node["createdAt"]),
        url=content.get("url"),
        iteration_set_at=_time(iteration.get("updatedAt")),
        points_set_at=_time(points_value.get("updatedAt")),
        labels=labels,
        field_options=field_options,
    )
    assignees = (content.get("assignees") or {}).get("nodes") or []
    return CurrentItem(
        snapshot=snapshot,
        issue_type={"PullRequest": "Pull request", "DraftIssue": "Draft"}.get(kind, kind),
        labels=labels,
        assignee=assignees[0]["login"] if assignees else None,
        unusable_points=None if raw_points is None or points is not None else repr(raw_points),
    )


def build_points_notices(items: list[CurrentItem]) -> tuple[str, ...]:
    """One data-quality notice naming every item whose points were no usable number."""
    found = [
        f"{item.snapshot.content_key} ({item.unusable_points})"
        for item in items
        if item.unusable_points is not None
    ]
    return (f"{UNUSABLE_POINTS}: {'; '.join(found)}",) if found else ()


def unique_items(items: list[CurrentItem]) -> list[CurrentItem]:
    """Items with each item id once (the first): a page may repeat an earlier item."""
    first: dict[str, CurrentItem] = {}
    for item in items:
        first.setdefault(item.snapshot.item_id, item)
    return list(first.values())


def _content_key(node: dict[str, Any], content: dict[str, Any]) -> str:
    repository = (content.get("repository") or {}).get("nameWithOwner")
    if repository and content.get("number") is not None:
        return f"{repository}#{content['number']}"
    return str(content.get("id") or node["id"])


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
