"""A fake GitHub GraphQL API: validates every query against GitHub's schema and executes it.

The in-memory project is plain dicts; graphql-core resolves abstract types from each dict's
`__typename`. Errors follow GitHub's envelope (API-NOTES §C.1): `type` at the top level.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_ast_schema,
    graphql_sync,
    parse,
    validate,
)

from fakes.server import FakeRequest, FakeResponse

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "specs" / "github-schema.graphql"
MAX_PAGE = 100


@functools.cache
def github_schema() -> GraphQLSchema:
    """GitHub's public schema (tests/specs/README.md: provenance)."""
    sdl = SCHEMA_PATH.read_text(encoding="utf-8")
    # assume_valid: GitHub's published SDL trips graphql-core 3.3's deprecation-consistency
    # check on a few unrelated types; the server GitHub runs serves it as it is.
    return build_ast_schema(parse(sdl), assume_valid=True, assume_valid_sdl=True)


def schema_errors(query: str) -> list[GraphQLError]:
    """Validation errors of `query` against GitHub's schema ([] when valid)."""
    return validate(github_schema(), parse(query))


def github_error(message: str, kind: str) -> GraphQLError:
    """A resolver error that the envelope turns into GitHub's `{"type": kind, ...}`."""
    return GraphQLError(message, extensions={"type": kind})


def to_cursor(index: int) -> str:
    """An opaque cursor like GitHub's ("Mg" is base64 of "2")."""
    return base64.b64encode(str(index).encode()).decode().rstrip("=")


def from_cursor(cursor: str) -> int:
    """The index in a cursor made by `to_cursor`."""
    return int(base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode())


def connection(name: str, nodes: list[Any]) -> Callable[..., dict[str, Any]]:
    """A connection resolver that enforces GitHub's first/last rule and paginates."""

    def resolve(first: int | None = None, after: str | None = None, **_: Any) -> dict[str, Any]:
        if first is None:
            raise github_error(
                f"You must provide a `first` or `last` value to properly paginate the `{name}` "
                "connection.",
                "MISSING_PAGINATION_BOUNDARIES",
            )
        if first > MAX_PAGE:
            raise github_error(
                f"Requesting {first} records on the `{name}` connection exceeds the `first` "
                f"limit of {MAX_PAGE} records.",
                "EXCESSIVE_PAGINATION",
            )
        start = 0 if after is None else from_cursor(after) + 1
        page = nodes[start : start + first]
        end = start + len(page) - 1
        return {
            "totalCount": len(nodes),
            "nodes": page,
            "pageInfo": {
                "hasNextPage": start + len(page) < len(nodes),
                "endCursor": to_cursor(end) if page else None,
            },
        }

    return resolve


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """Dict values by the schema's field name (aliases apply); callables get the arguments."""
    value = source.get(info.field_name) if isinstance(source, dict) else None
    return value(**args) if callable(value) else value


@dataclass
class FakeItem:
    """A project item: field values by role, content as GitHub shapes it."""

    id: str
    created_at: str
    content: dict[str, Any] | None
    iteration: str | None = None  # iteration id
    points: float | None = None
    status: str | None = None
    # The values' `updatedAt` (when last set); None: when the item was created.
    iteration_updated_at: str | None = None
    points_updated_at: str | None = None


@dataclass
class FakeProject:
    """A Projects (v2) board with an iteration field, a number field and a Status field."""

    owner: str
    number: int
    iterations: list[dict[str, Any]]
    completed_iterations: list[dict[str, Any]] = field(default_factory=list)
    items: list[FakeItem] = field(default_factory=list)
    owner_kind: str = "organization"
    title: str = "Team Sprint Board"
    points_field: str = "Story Points"
    status_options: tuple[str, ...] = ("Todo", "In Progress", "Done")

    def item(self, item_id: str) -> FakeItem:
        """The item with this id."""
        return next(i for i in self.items if i.id == item_id)


@dataclass
class FakeGitHub:
    """The GraphQL endpoint: auth, scopes, rate limit, validation, execution."""

    project: FakeProject
    token: str = "ghp_fake_valid"
    scopes_ok: bool = True
    remaining: int = 5000
    rate_limited_answers: int = 0  # answer this many queries with RATE_LIMITED first
    queries: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one HTTP request like api.github.com/graphql."""
        if request.method != "POST" or request.path != "/graphql":
            return FakeResponse(404, {"message": "Not Found", "status": "404"})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return FakeResponse(
                401,
                {
                    "message": "Bad credentials",
                    "documentation_url": "https://docs.github.com/graphql",
                    "status": "401",
                },
            )
        body = request.json()
        self.queries.append(body["query"])
        return FakeResponse(200, self.answer(body["query"], body.get("variables") or {}))

    def answer(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The JSON GitHub would return for one query."""
        errors = schema_errors(query)
        if errors:
            self.invalid.append(query)
            return {"errors": [e.formatted for e in errors]}
        if not self.scopes_ok:
            return {"errors": [_insufficient_scopes()]}
        if self.rate_limited_answers > 0:
            self.rate_limited_answers -= 1
            return {
                "errors": [
                    {
                        "type": "RATE_LIMITED",
                        "message": "API rate limit already exceeded for user ID 1.",
                    }
                ]
            }
        self.remaining -= 1
        result = graphql_sync(
            github_schema(),
            query,
            root_value=self._root(),
            variable_values=variables,
            field_resolver=resolve_field,
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [_github_envelope(e) for e in result.errors]
        return json.loads(json.dumps(answer))

    def _root(self) -> dict[str, Any]:
        return {
            "organization": functools.partial(self._owner, "organization", "an Organization"),
            "user": functools.partial(self._owner, "user", "a User"),
            "rateLimit": lambda **_: {
                "cost": 1,
                "remaining": self.remaining,
                "resetAt": "2026-11-26T07:00:00Z",
                "limit": 5000,
                "used": 5000 - self.remaining,
                "nodeCount": 100,
            },
        }

    def _owner(self, kind: str, article: str, login: str) -> dict[str, Any]:
        project = self.project
        if kind != project.owner_kind or login.lower() != project.owner.lower():
            raise github_error(
                f"Could not resolve to {article} with the login of '{login}'.", "NOT_FOUND"
            )
        return {"login": project.owner, "projectV2": self._project}

    def _project(self, number: int) -> dict[str, Any]:
        if number != self.project.number:
            raise github_error(
                f"Could not resolve to a ProjectV2 with the number {number}.", "NOT_FOUND"
            )
        return project_dict(self.project)


def _insufficient_scopes() -> dict[str, Any]:
    return {
        "type": "INSUFFICIENT_SCOPES",
        "locations": [{"line": 3, "column": 5}],
        "message": "Your token has not been granted the required scopes to execute this query. "
        "The 'projectV2' field requires one of the following scopes: ['read:project'], but your "
        "token has only been granted the: ['repo'] scopes. Please modify your token's scopes at: "
        "https://github.com/settings/tokens.",
    }


def _github_envelope(error: GraphQLError) -> dict[str, Any]:
    formatted = dict(error.formatted)
    extensions = formatted.pop("extensions", None) or {}
    if "type" in extensions:
        formatted["type"] = extensions["type"]
    return formatted


def field_configs(project: FakeProject) -> dict[str, dict[str, Any]]:
    """The project's field configurations by role."""
    return {
        "title": {
            "__typename": "ProjectV2Field",
            "id": "PVTF_title",
            "name": "Title",
            "dataType": "TITLE",
        },
        "points": {
            "__typename": "ProjectV2Field",
            "id": "PVTF_points",
            "name": project.points_field,
            "dataType": "NUMBER",
        },
        "status": {
            "__typename": "ProjectV2SingleSelectField",
            "id": "PVTSSF_status",
            "name": "Status",
            "dataType": "SINGLE_SELECT",
            "options": [{"id": f"opt{i}", "name": n} for i, n in enumerate(project.status_options)],
        },
        "iteration": {
            "__typename": "ProjectV2IterationField",
            "id": "PVTIF_iteration",
            "name": "Iteration",
            "dataType": "ITERATION",
            "configuration": {
                "duration": 14,
                "startDay": 1,
                "iterations": project.iterations,
                "completedIterations": project.completed_iterations,
            },
        },
    }


def project_dict(project: FakeProject) -> dict[str, Any]:
    """The ProjectV2 object graph for the resolvers."""
    configs = field_configs(project)
    path = "orgs" if project.owner_kind == "organization" else "users"
    return {
        "id": "PVT_kwDOAbc123",
        "title": project.title,
        "url": f"https://github.com/{path}/{project.owner}/projects/{project.number}",
        "fields": connection("fields", list(configs.values())),
        "items": connection("items", [_item_dict(project, i, configs) for i in project.items]),
    }


def _item_dict(project: FakeProject, item: FakeItem, configs: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, dict[str, Any]] = {}
    if item.iteration is not None:
        every = project.iterations + project.completed_iterations
        found = next(i for i in every if i["id"] == item.iteration)
        values["Iteration"] = {
            "__typename": "ProjectV2ItemFieldIterationValue",
            "iterationId": found["id"],
            "title": found["title"],
            "startDate": found["startDate"],
            "duration": found["duration"],
            "updatedAt": item.iteration_updated_at or item.created_at,
            "field": configs["iteration"],
        }
    if item.points is not None:
        values[project.points_field] = {
            "__typename": "ProjectV2ItemFieldNumberValue",
            "number": item.points,
            "updatedAt": item.points_updated_at or item.created_at,
            "field": configs["points"],
        }
    if item.status is not None:
        values["Status"] = {
            "__typename": "ProjectV2ItemFieldSingleSelectValue",
            "name": item.status,
            "optionId": f"opt{project.status_options.index(item.status)}",
            "field": configs["status"],
        }
    kind = (item.content or {}).get("__typename")
    return {
        "id": item.id,
        "type": {"Issue": "ISSUE", "PullRequest": "PULL_REQUEST", "DraftIssue": "DRAFT_ISSUE"}.get(
            kind or "", "REDACTED"
        ),
        "isArchived": False,
        "createdAt": item.created_at,
        "updatedAt": item.created_at,
        "fieldValueByName": functools.partial(_value_by_name, values),
        "fieldValues": connection("fieldValues", list(values.values())),
        "content": _content_dict(item.content),
    }


def _value_by_name(values: dict[str, dict[str, Any]], name: str) -> dict[str, Any] | None:
    return values.get(name)


def _content_dict(content: dict[str, Any] | None) -> dict[str, Any] | None:
    if content is None:
        return None
    shaped = dict(content)
    shaped["labels"] = connection("labels", [{"name": n} for n in content.get("labels", [])])
    shaped["assignees"] = connection(
        "assignees", [{"login": n} for n in content.get("assignees", [])]
    )
    return shaped


def issue(
    repo: str,
    number: int,
    title: str,
    *,
    created_at: str,
    state: str = "OPEN",
    state_reason: str | None = None,
    closed_at: str | None = None,
    labels: tuple[str, ...] = (),
    assignees: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An Issue as the fake stores it (the schema field `state`, aliased by the query)."""
    return {
        "__typename": "Issue",
        "id": f"I_{repo.replace('/', '_')}_{number}",
        "number": number,
        "title": title,
        "state": state,
        "stateReason": state_reason,
        "closedAt": closed_at,
        "createdAt": created_at,
        "url": f"https://github.com/{repo}/issues/{number}",
        "repository": {"nameWithOwner": repo},
        "labels": list(labels),
        "assignees": list(assignees),
    }
