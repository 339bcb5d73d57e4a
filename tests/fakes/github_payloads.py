"""GitHub GraphQL answers shaped like API-NOTES §C.1, for pytest-httpx contract tests."""

from __future__ import annotations

from typing import Any

RATE_LIMIT = {
    "limit": 5000,
    "cost": 1,
    "remaining": 4987,
    "used": 13,
    "resetAt": "2026-11-26T06:30:00Z",
    "nodeCount": 6100,
}
ITERATIONS = [
    {"id": "cfc16e4d", "title": "Iteration 7", "startDate": "2026-11-16", "duration": 14},
    {"id": "a1b2c3d4", "title": "Iteration 8", "startDate": "2026-11-30", "duration": 14},
]
COMPLETED = [{"id": "0f0f0f0f", "title": "Iteration 6", "startDate": "2026-11-02", "duration": 14}]


def fields_project(*, points_name: str = "Story Points") -> dict[str, Any]:
    """`projectV2` of the fields query: Title, points, Status and Iteration fields."""
    return {
        "id": "PVT_kwDOAbc123",
        "title": "Team Sprint Board",
        "url": "https://github.com/orgs/acme/projects/5",
        "fields": {
            "nodes": [
                {
                    "__typename": "ProjectV2Field",
                    "id": "PVTF_1",
                    "name": "Title",
                    "dataType": "TITLE",
                },
                {
                    "__typename": "ProjectV2Field",
                    "id": "PVTF_2",
                    "name": points_name,
                    "dataType": "NUMBER",
                },
                {
                    "__typename": "ProjectV2SingleSelectField",
                    "id": "PVTSSF_1",
                    "name": "Status",
                    "dataType": "SINGLE_SELECT",
                    "options": [
                        {"id": "f75ad846", "name": "Todo"},
                        {"id": "98236657", "name": "Done"},
                    ],
                },
                {
                    "__typename": "ProjectV2IterationField",
                    "id": "PVTIF_1",
                    "name": "Iteration",
                    "dataType": "ITERATION",
                    "configuration": {
                        "duration": 14,
                        "startDay": 1,
                        "iterations": ITERATIONS,
                        "completedIterations": COMPLETED,
                    },
                },
            ]
        },
    }


def owner_not_found(kind: str, login: str = "acme") -> dict[str, Any]:
    """GitHub's NOT_FOUND error for the owner kind that is not the owner."""
    article = "an Organization" if kind == "organization" else "a User"
    return {
        "type": "NOT_FOUND",
        "path": [kind],
        "locations": [{"line": 3, "column": 3}],
        "message": f"Could not resolve to {article} with the login of '{login}'.",
    }


def fields_answer(owner_kind: str = "organization", **kwargs: Any) -> dict[str, Any]:
    """The fields query's answer when `owner_kind` owns the project."""
    other = "user" if owner_kind == "organization" else "organization"
    return {
        "data": {
            owner_kind: {"projectV2": fields_project(**kwargs)},
            other: None,
            "rateLimit": RATE_LIMIT,
        },
        "errors": [owner_not_found(other)],
    }


def issue_node(
    item_id: str = "PVTI_lADOAbc123zgAAAAE",
    *,
    number: int = 123,
    iteration: str | None = "cfc16e4d",
    points: float | None = 3.0,
    status: str | None = "In Progress",
    created_at: str = "2026-11-10T09:00:00Z",
    state: str = "OPEN",
    state_reason: str | None = None,
    closed_at: str | None = None,
) -> dict[str, Any]:
    """One `items.nodes` entry for an Issue, as the items query selects it."""
    field = {"id": "PVTF_x", "name": "x"}
    return {
        "id": item_id,
        "type": "ISSUE",
        "isArchived": False,
        "createdAt": created_at,
        "updatedAt": "2026-11-25T10:00:00Z",
        "iteration": None
        if iteration is None
        else {
            "__typename": "ProjectV2ItemFieldIterationValue",
            "iterationId": iteration,
            "title": "Iteration 7",
            "startDate": "2026-11-16",
            "duration": 14,
            "field": field,
        },
        "points": None
        if points is None
        else {"__typename": "ProjectV2ItemFieldNumberValue", "number": points, "field": field},
        "status": None
        if status is None
        else {
            "__typename": "ProjectV2ItemFieldSingleSelectValue",
            "name": status,
            "optionId": "47fc9ee4",
            "field": field,
        },
        "content": {
            "__typename": "Issue",
            "id": f"I_kwDO{number}",
            "number": number,
            "title": f"Issue {number}",
            "issueState": state,
            "stateReason": state_reason,
            "closedAt": closed_at,
            "createdAt": "2026-11-01T00:00:00Z",
            "url": f"https://github.com/acme/shop/issues/{number}",
            "repository": {"nameWithOwner": "acme/shop"},
            "labels": {"nodes": [{"name": "bug"}]},
            "assignees": {"nodes": [{"login": "octocat"}]},
        },
    }


def draft_node(item_id: str = "PVTI_lADOAbc123zgAAAAF") -> dict[str, Any]:
    """A draft issue item in the current iteration with no points."""
    return {
        "id": item_id,
        "type": "DRAFT_ISSUE",
        "isArchived": False,
        "createdAt": "2026-11-12T08:00:00Z",
        "updatedAt": "2026-11-24T08:00:00Z",
        "iteration": {
            "__typename": "ProjectV2ItemFieldIterationValue",
            "iterationId": "cfc16e4d",
            "title": "Iteration 7",
            "startDate": "2026-11-16",
            "duration": 14,
            "field": {"id": "PVTIF_1", "name": "Iteration"},
        },
        "points": None,
        "status": None,
        "content": {
            "__typename": "DraftIssue",
            "id": "DI_lADOAbc",
            "title": "Spike: caching",
            "createdAt": "2026-11-12T08:00:00Z",
            "assignees": {"nodes": []},
        },
    }


def items_answer(
    nodes: list[dict[str, Any]],
    *,
    owner_kind: str = "organization",
    has_next: bool = False,
    cursor: str = "Mg",
    rate_limit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One page of the items query."""
    page = {
        "totalCount": len(nodes),
        "pageInfo": {"hasNextPage": has_next, "endCursor": cursor},
        "nodes": nodes,
    }
    return {
        "data": {
            owner_kind: {"projectV2": {"items": page}},
            "rateLimit": rate_limit or RATE_LIMIT,
        }
    }
