"""Builders for a Jira Cloud world, every value shaped like the real API (API-NOTES A.*)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SITE = "https://acme.atlassian.net"
SPRINT_FIELD = "customfield_10020"
POINTS_FIELD = "customfield_10016"
FLAGGED_FIELD = "customfield_10021"

# GET /rest/api/3/field entries (API-NOTES A.3, verbatim shapes).
FIELDS: list[dict[str, Any]] = [
    {
        "id": "customfield_10016",
        "key": "customfield_10016",
        "name": "Story point estimate",
        "untranslatedName": "Story point estimate",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10016]", "Story point estimate"],
        "schema": {
            "type": "number",
            "custom": "com.pyxis.greenhopper.jira:jsw-story-points",
            "customId": 10016,
        },
    },
    {
        "id": "customfield_10028",
        "key": "customfield_10028",
        "name": "Story Points",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10028]", "Story Points"],
        "schema": {
            "type": "number",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
            "customId": 10028,
        },
    },
    {
        "id": "customfield_10020",
        "key": "customfield_10020",
        "name": "Sprint",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10020]", "Sprint"],
        "schema": {
            "type": "array",
            "items": "json",
            "custom": "com.pyxis.greenhopper.jira:gh-sprint",
            "customId": 10020,
        },
    },
    {
        "id": "customfield_10021",
        "key": "customfield_10021",
        "name": "Flagged",
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["cf[10021]", "Flagged", "Flagged[Checkboxes]"],
        "schema": {
            "type": "array",
            "items": "option",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
            "customId": 10021,
        },
    },
    {
        "id": "customfield_10019",
        "key": "customfield_10019",
        "name": "Rank",
        "custom": True,
        "schema": {
            "type": "any",
            "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank",
            "customId": 10019,
        },
    },
    {
        "id": "status",
        "key": "status",
        "name": "Status",
        "custom": False,
        "clauseNames": ["status"],
        "schema": {"type": "status", "system": "status"},
    },
]

CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
# status name -> (id, category key); ids as on a fresh Jira Cloud software project.
STATUSES = {
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "Done": ("10001", "done"),
}


def status(name: str, *, site: str = SITE) -> dict[str, Any]:
    """An issue's `status` field value."""
    status_id, category = STATUSES[name]
    return {
        "self": f"{site}/rest/api/3/status/{status_id}",
        "id": status_id,
        "name": name,
        "description": "",
        "iconUrl": f"{site}/images/icons/statuses/generic.png",
        "statusCategory": {
            "self": f"{site}/rest/api/3/statuscategory/{CATEGORIES[category]['id']}",
            **CATEGORIES[category],
        },
    }


def issuetype(name: str = "Story", *, subtask: bool = False) -> dict[str, Any]:
    """An issue's `issuetype` field value."""
    ids = {"Story": "10001", "Task": "10002", "Bug": "10004", "Subtask": "10003", "Epic": "10000"}
    level = -1 if subtask else (1 if name == "Epic" else 0)
    return {"id": ids.get(name, "10009"), "name": name, "subtask": subtask, "hierarchyLevel": level}


def board_config(*, board: int, project: str, filter_id: str, site: str = SITE) -> dict[str, Any]:
    """A Scrum board configuration (API-NOTES A.5.4)."""

    def col(name: str) -> dict[str, Any]:
        sid = STATUSES[name][0]
        return {"name": name, "statuses": [{"id": sid, "self": f"{site}/rest/api/3/status/{sid}"}]}

    return {
        "id": board,
        "name": f"{project} board",
        "type": "scrum",
        "self": f"{site}/rest/agile/1.0/board/{board}/configuration",
        "location": {
            "type": "project",
            "key": project,
            "id": "10000",
            "self": f"{site}/rest/api/2/project/10000",
            "name": f"{project} project",
        },
        "filter": {"id": filter_id, "self": f"{site}/rest/api/3/filter/{filter_id}"},
        "subQuery": {"query": "resolution = EMPTY OR resolution changed after -2w"},
        "columnConfig": {
            "columns": [col("To Do"), col("In Progress"), col("Done")],
            "constraintType": "issueCount",
        },
        "estimation": {
            "type": "field",
            "field": {"fieldId": POINTS_FIELD, "displayName": "Story point estimate"},
        },
        "ranking": {"rankCustomFieldId": 10019},
    }


def sprint(
    sid: int,
    name: str,
    state: str,
    *,
    board: int,
    site: str = SITE,
    start: str | None = None,
    end: str | None = None,
    complete: str | None = None,
    goal: str = "",
) -> dict[str, Any]:
    """An Agile sprint object (dates in `Z`, A.5.1)."""
    value: dict[str, Any] = {
        "id": sid,
        "self": f"{site}/rest/agile/1.0/sprint/{sid}",
        "state": state,
        "name": name,
        "originBoardId": board,
        "goal": goal,
    }
    dates = {"startDate": start, "endDate": end, "completeDate": complete}
    return {**value, **{key: moment for key, moment in dates.items() if moment}}


def sprint_field_value(sprint_obj: dict[str, Any]) -> dict[str, Any]:
    """The Sprint custom-field form of a sprint (`boardId`, not `originBoardId`)."""
    keys = ("id", "name", "state", "goal", "startDate", "endDate", "completeDate")
    value = {k: sprint_obj[k] for k in keys if k in sprint_obj}
    return {**value, "boardId": sprint_obj["originBoardId"]}


def sprint_item(
    before: str | None,
    after: str | None,
    *,
    with_field_id: bool = True,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Sprint changelog item: `from`/`to` comma-space id lists, names in the strings."""

    def named(ids: str | None) -> str | None:
        return (
            None
            if ids is None
            else ", ".join((names or {}).get(i, f"Sprint {i}") for i in ids.split(", "))
        )

    item = {
        "field": "Sprint",
        "fieldtype": "custom",
        "from": before,
        "fromString": named(before),
        "to": after,
        "toString": named(after),
    }
    return {**item, "fieldId": SPRINT_FIELD} if with_field_id else item


def status_item(before: str, after: str) -> dict[str, Any]:
    """A status changelog item (ids in from/to, names in the strings)."""
    return {
        "field": "status",
        "fieldtype": "jira",
        "fieldId": "status",
        "from": STATUSES[before][0],
        "fromString": before,
        "to": STATUSES[after][0],
        "toString": after,
    }


def points_item(before: float | None, after: float | None, *, with_field_id: bool = False):
    """A story-points item: values only in fromString/toString (A.2.3), often no fieldId."""

    def text(v: float | None) -> str | None:
        return None if v is None else f"{v:g}"

    item = {
        "field": "Story point estimate",
        "fieldtype": "custom",
        "from": None,
        "fromString": text(before),
        "to": None,
        "toString": text(after),
    }
    return {**item, "fieldId": POINTS_FIELD} if with_field_id else item


def flagged_item(*, on: bool, with_field_id: bool = True) -> dict[str, Any]:
    """A Flagged item: null <-> "Impediment" (custom: often without `fieldId`, A.2.3)."""
    impediment = "Impediment"
    item = {
        "field": "Flagged",
        "fieldtype": "custom",
        "from": None if on else "[10019]",
        "fromString": None if on else impediment,
        "to": "[10019]" if on else None,
        "toString": impediment if on else None,
    }
    return {**item, "fieldId": FLAGGED_FIELD} if with_field_id else item


AUTHOR = {"accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Krystof", "active": True}


def history(hid: int, created: str, *items: dict[str, Any]) -> dict[str, Any]:
    """One Changelog entry (`created` as a `+0000` string, like the schema says)."""
    return {"id": str(hid), "author": AUTHOR, "created": created, "items": list(items)}


def comment(cid: int, created: str, text: str, *, flag_off: bool = True) -> dict[str, Any]:
    """A comment as both APIs hold it: `adf` (Cloud v3 body) and `wiki` (Data Center v2 body).

    With `flag_off`, shaped like the comment Jira's UI posts when a flag is cleared with a
    comment: "(flagoff) Flag removed", then the user's text.
    """
    emoticon = {"type": "emoji", "attrs": {"shortName": ":flagoff:", "id": "atlassian-flag_off"}}
    lead = [emoticon, {"type": "text", "text": " Flag removed"}] if flag_off else []
    blocks = [{"type": "paragraph", "content": lead}] if flag_off else []
    wiki = f"(flagoff) Flag removed\n\n{text}" if flag_off else text
    return {
        "id": str(cid),
        "author": AUTHOR,
        "created": created,
        "updated": created,
        "adf": adf(*blocks, paragraph(text)),
        "wiki": wiki,
    }


def clear_flag_with_comment(
    found: FakeIssue, *, raised: str, cleared: str, text: str, hid: int
) -> None:
    """Edit `found`: its flag raised at `raised`, cleared at `cleared` with comment `text`."""
    found.histories.append(history(hid, raised, flagged_item(on=True)))
    found.histories.append(history(hid + 1, cleared, flagged_item(on=False)))
    found.comments.append(comment(hid, cleared, text))
    found.fields.update({FLAGGED_FIELD: None, "updated": cleared})


def adf(*blocks: dict[str, Any]) -> dict[str, Any]:
    """An ADF document."""
    return {"type": "doc", "version": 1, "content": list(blocks)}


def paragraph(text: str) -> dict[str, Any]:
    """An ADF paragraph with one text node."""
    return {"type": "paragraph", "content": [{"type": "text", "text": text}]}


def bullets(*items: str) -> dict[str, Any]:
    """An ADF bullet list."""
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [paragraph(i)]} for i in items],
    }


@dataclass
class FakeIssue:
    """An issue of the fake world: the full `fields` and its change histories."""

    id: str
    key: str
    fields: dict[str, Any]
    histories: list[dict[str, Any]] = field(default_factory=list)
    in_board_filter: bool = True
    comments: list[dict[str, Any]] = field(default_factory=list)  # from `comment()`, oldest first


def issue(
    iid: str,
    key: str,
    summary: str,
    *,
    state: str,
    points: float | None,
    sprints: list[dict[str, Any]],
    created: str,
    updated: str | None = None,
    kind: str = "Story",
    subtask: bool = False,
    description: Any = None,
    histories: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> FakeIssue:
    """A FakeIssue with the fields the source asks for, values shaped like `/search/jql`."""
    fields: dict[str, Any] = {
        "summary": summary,
        "status": status(state),
        "issuetype": issuetype(kind, subtask=subtask),
        "assignee": None,
        "created": created,
        "updated": updated or created,
        "description": description,
        "issuelinks": [],
        "labels": [],
        "parent": None,
        SPRINT_FIELD: [sprint_field_value(s) for s in sprints] or None,
        POINTS_FIELD: points,
        FLAGGED_FIELD: None,
    }
    if fields["parent"] is None:
        del fields["parent"]
    fields.update(extra)
    return FakeIssue(id=iid, key=key, fields=fields, histories=histories or [])
