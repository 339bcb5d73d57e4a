"""Jira's own Sprint Report and Velocity answers for the fakes (API-NOTES A.5.5), from the world.

An independent reconstruction (not sprintsync's ledger): the raw histories replayed per
SEMANTICS §2-§4, rendered like greenhopper's `rapid/charts/sprintreport` and `velocity`.
Cloud renders the ids + `contents.entityData` form, Data Center the inline-names form.
Deliberate differences for audit tests: overrides shaped like the harness fake's
(`{"key", "move_to"?, "initial_estimate"?, "final_estimate"?, "added"?}`, `{"sums": {...}}`,
`{"velocity": {"estimated"|"completed": n}}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fakes.jira_world import POINTS_FIELD, SPRINT_FIELD, STATUSES, FakeIssue
from fakes.jql import moment

LISTS = {
    "completed": "completedIssues",
    "not_completed": "issuesNotCompletedInCurrentSprint",
    "removed": "puntedIssues",
    "completed_outside": "issuesCompletedInAnotherSprint",
}
SUMS = {
    "completedIssues": "completedIssues",
    "issuesNotCompletedInCurrentSprint": "issuesNotCompleted",
    "puntedIssues": "puntedIssues",
    "issuesCompletedInAnotherSprint": "issuesCompletedInAnotherSprint",
}
SUM_OVERRIDE = {
    "completed": "completedIssuesEstimateSum",
    "remaining": "issuesNotCompletedEstimateSum",
    "removed": "puntedIssuesEstimateSum",
    "completed_outside": "issuesCompletedInAnotherSprintEstimateSum",
}
BEGINNING = datetime(1, 1, 2, tzinfo=UTC)  # before any history


@dataclass
class Replayed:
    """One issue's verdict as Jira's report gives it."""

    key: str
    category: str
    added: bool
    initial: float | None
    final: float | None
    status: str
    done_at_start: bool
    subtask: bool


def _series(issue: FakeIssue, match, parse, current) -> list[tuple[datetime, Any]]:
    """(moment, value) from the start: the first item's `from`, else the current value."""
    events = []
    for hist in issue.histories:
        events += [(moment(hist["created"]), item) for item in hist["items"] if match(item)]
    events.sort(key=lambda e: e[0])
    start = parse(events[0][1], "from") if events else current
    return [(BEGINNING, start)] + [(when, parse(item, "to")) for when, item in events]


def _at(series: list[tuple[datetime, Any]], when: datetime) -> Any:
    value = series[0][1]
    for at, new in series:
        if at <= when:
            value = new
    return value


def _sprint_ids(item: dict[str, Any], side: str) -> frozenset[str]:
    return frozenset(p.strip() for p in (item.get(side) or "").split(",") if p.strip())


def _points(item: dict[str, Any], side: str) -> float | None:
    text = item.get(f"{side}String")
    return None if text in (None, "") else float(text)


def replay(issue: FakeIssue, sprint: dict[str, Any], *, now: datetime) -> Replayed | None:
    """The issue as the report lists it, or None when it never was in the sprint in [t0, T]."""
    sid = str(sprint["id"])
    start = moment(sprint.get("activatedDate") or sprint["startDate"])
    cutoff = moment(sprint["completeDate"]) if sprint.get("completeDate") else now
    current_ids = frozenset(str(s["id"]) for s in issue.fields.get(SPRINT_FIELD) or [])
    member = _series(
        issue,
        lambda i: i["field"] == "Sprint",
        lambda i, side: sid in _sprint_ids(i, side),
        sid in current_ids,
    )
    status = _series(
        issue,
        lambda i: i["field"] == "status",
        lambda i, side: i[f"{side}String"],
        issue.fields["status"]["name"],
    )
    points = _series(
        issue,
        lambda i: i.get("fieldId") == POINTS_FIELD or i["field"] == "Story point estimate",
        _points,
        issue.fields.get(POINTS_FIELD),
    )
    created = moment(issue.fields["created"])
    if created > start:  # no issue before its creation: created into the sprint = added
        member = [(BEGINNING, False), (created, member[0][1]), *member[1:]]
    entered = start if _at(member, start) else None
    if entered is None:
        entered = next((at for at, v in member if v and start < at <= cutoff), None)
    if entered is None:
        return None
    done_moves = [at for at, v in status[1:] if v == "Done" and at <= cutoff]
    done = _at(status, cutoff) == "Done"
    if not _at(member, cutoff):
        left = max(at for at, v in member if not v and at <= cutoff)
        category, final = "removed", _at(points, left)
    elif done and (not done_moves or done_moves[-1] <= entered):
        category, final = "completed_outside", _at(points, cutoff)
    else:
        category = "completed" if done else "not_completed"
        final = _at(points, cutoff)
    return Replayed(
        key=issue.key,
        category=category,
        added=entered != start,
        initial=_at(points, entered),
        final=final,
        status=_at(status, cutoff),
        done_at_start=_at(status, entered) == "Done",
        subtask=bool(issue.fields["issuetype"].get("subtask")),
    )


def _stat(value: float | None) -> dict[str, Any]:
    field = {"value": float(value)} if value is not None else {}
    return {"statFieldId": POINTS_FIELD, "statFieldValue": field}


def _sum(values: list[float | None]) -> dict[str, Any]:
    known = [v for v in values if v is not None]
    if not known:
        return {"text": "null"}
    total = float(round(sum(known), 6))
    return {"value": total, "text": f"{total:.1f}"}


def _entry(one: Replayed, issue_id: str, *, inline: bool) -> dict[str, Any]:
    status_id = STATUSES.get(one.status, ("10000", "new"))[0]
    entry: dict[str, Any] = {
        "id": int(issue_id),
        "key": one.key,
        "hidden": False,
        "typeId": "10003" if one.subtask else "10001",
        "summary": one.key,
        "done": one.status == "Done",
        "flagged": False,
        "estimateStatistic": _stat(one.initial),
        "currentEstimateStatistic": _stat(one.final),
        "estimateStatisticRequired": False,
        "statusId": status_id,
        "projectId": 10000,
        "linkedPagesCount": 0,
    }
    if inline:
        entry |= {"typeName": "Sub-task" if one.subtask else "Story", "statusName": one.status}
    return entry


def apply_overrides(rows: list[Replayed], overrides: list[dict[str, Any]], sid: str) -> None:
    """The per-issue overrides: move, re-estimate, flag as added, or inject an unlisted key."""
    for override in overrides:
        if "key" not in override or str(override.get("sprint", sid)) != sid:
            continue
        found = next((r for r in rows if r.key == override["key"]), None)
        if found is None:
            found = Replayed(
                override["key"], "not_completed", False, None, None, "To Do", False, False
            )
            rows.append(found)
        if override.get("move_to") == "absent":
            rows.remove(found)
            continue
        found.category = override.get("move_to", found.category)
        found.initial = override.get("initial_estimate", found.initial)
        found.final = override.get("final_estimate", found.final)
        found.added = override.get("added", found.added)


def replay_all(
    issues: list[FakeIssue], sprint: dict[str, Any], *, now: datetime, subtasks: bool = False
) -> list[tuple[Replayed, str]]:
    """Every issue of the report with its id, sub-tasks left out unless `subtasks`."""
    found = []
    for issue in issues:
        one = replay(issue, sprint, now=now)
        if one is not None and (subtasks or not one.subtask):
            found.append((one, issue.id))
    return found


def sprint_report(
    issues: list[FakeIssue],
    sprint: dict[str, Any],
    *,
    now: datetime,
    inline: bool,
    overrides: list[dict[str, Any]] = (),  # type: ignore[assignment]
    subtasks: bool = False,
) -> dict[str, Any]:
    """The `rapid/charts/sprintreport` answer for `sprint`."""
    pairs = replay_all(issues, sprint, now=now, subtasks=subtasks)
    ids = {one.key: iid for one, iid in pairs}
    rows = [one for one, _ in pairs]
    apply_overrides(rows, list(overrides), str(sprint["id"]))
    contents: dict[str, Any] = {}
    for category, name in LISTS.items():
        chosen = [r for r in rows if r.category == category]
        contents[name] = [_entry(r, ids.get(r.key, "19999"), inline=inline) for r in chosen]
        contents[f"{SUMS[name]}InitialEstimateSum"] = _sum([r.initial for r in chosen])
        contents[f"{SUMS[name]}EstimateSum"] = _sum([r.final for r in chosen])
    added = [r for r in rows if r.added]
    contents["allIssuesEstimateSum"] = _sum([r.final for r in rows] + [r.final for r in added])
    contents["issueKeysAddedDuringSprint"] = {r.key: True for r in added}
    for override in overrides:
        if str(override.get("sprint", sprint["id"])) != str(sprint["id"]):
            continue
        for name, value in override.get("sums", {}).items():
            contents[SUM_OVERRIDE[name]] = _sum([value])
    if not inline:
        contents["entityData"] = {
            "statuses": {sid: {"statusName": name} for name, (sid, _) in STATUSES.items()},
            "types": {"10001": {"typeName": "Story"}, "10003": {"typeName": "Sub-task"}},
        }
    return {"contents": contents, "sprint": _sprint(sprint), "supportsPages": False}


def _sprint(sprint: dict[str, Any]) -> dict[str, Any]:
    value = {
        "id": sprint["id"],
        "sequence": sprint["id"],
        "name": sprint["name"],
        "state": str(sprint["state"]).upper(),
        "goal": sprint.get("goal", ""),
        "linkedPagesCount": 0,
    }
    for key, iso in (
        ("startDate", "isoStartDate"),
        ("endDate", "isoEndDate"),
        ("completeDate", "isoCompleteDate"),
    ):
        if sprint.get(key):
            value[iso] = moment(sprint[key]).strftime("%Y-%m-%dT%H:%M:%S+0000")
    return value


def velocity(
    issues: list[FakeIssue],
    sprints: list[dict[str, Any]],
    *,
    now: datetime,
    overrides: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """The `rapid/charts/velocity` answer: closed sprints, newest close first."""
    closed = sorted(
        (s for s in sprints if s["state"] == "closed" and s.get("completeDate")),
        key=lambda s: moment(s["completeDate"]),
        reverse=True,
    )
    entries = {}
    for sprint in closed:
        rows = [one for one, _ in replay_all(issues, sprint, now=now)]
        committed = [r.initial or 0.0 for r in rows if not r.added and not r.done_at_start]
        completed = [r.final or 0.0 for r in rows if r.category == "completed"]
        figures = {"estimated": round(sum(committed), 6), "completed": round(sum(completed), 6)}
        for override in overrides:
            if str(override.get("sprint", sprint["id"])) == str(sprint["id"]):
                figures |= override.get("velocity", {})
        entries[str(sprint["id"])] = {
            name: {"value": float(v), "text": f"{float(v):.1f}"} for name, v in figures.items()
        }
    return {
        "sprints": [
            {"id": s["id"], "sequence": s["id"], "name": s["name"], "state": "CLOSED", "goal": ""}
            for s in closed
        ],
        "velocityStatEntries": entries,
    }
