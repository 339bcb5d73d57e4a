"""A stateful fake of GitHub's REST issue-comment endpoints (API-NOTES §C.2, specs subset)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from graphql import graphql_sync

from fakes.github_graphql import github_error, github_schema, resolve_field, schema_errors
from fakes.server import FakeRequest, FakeResponse, RunningServer, serve

BODY_LIMIT = 65_536
DOCS = "https://docs.github.com/rest/issues/comments"
BOT = {
    "login": "github-actions[bot]",
    "id": 41898282,
    "node_id": "MDM6Qm90NDE4OTgyODI=",
    "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4",
    "gravatar_id": "",
    "url": "https://api.github.com/users/github-actions%5Bbot%5D",
    "html_url": "https://github.com/apps/github-actions",
    "followers_url": "https://api.github.com/users/github-actions%5Bbot%5D/followers",
    "following_url": "https://api.github.com/users/github-actions%5Bbot%5D/following{/other_user}",
    "gists_url": "https://api.github.com/users/github-actions%5Bbot%5D/gists{/gist_id}",
    "starred_url": "https://api.github.com/users/github-actions%5Bbot%5D/starred{/owner}{/repo}",
    "subscriptions_url": "https://api.github.com/users/github-actions%5Bbot%5D/subscriptions",
    "organizations_url": "https://api.github.com/users/github-actions%5Bbot%5D/orgs",
    "repos_url": "https://api.github.com/users/github-actions%5Bbot%5D/repos",
    "events_url": "https://api.github.com/users/github-actions%5Bbot%5D/events{/privacy}",
    "received_events_url": "https://api.github.com/users/github-actions%5Bbot%5D/received_events",
    "type": "Bot",
    "user_view_type": "public",
    "site_admin": False,
}
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000."
)


def account(login: str, *, kind: str = "User", number: int = 583231) -> dict[str, Any]:
    """A `user` object like the one on every comment (API-NOTES §C.2): login, id, type."""
    quoted = login.replace("[", "%5B").replace("]", "%5D")
    return {
        "login": login,
        "id": number,
        "node_id": f"MDQ6VXNlcj{number}",
        "url": f"https://api.github.com/users/{quoted}",
        "html_url": f"https://github.com/{quoted}",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


_LIST = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/(?P<number>\d+)/comments$")
_ONE = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues/comments/(?P<id>\d+)$")


def error(status: int, message: str, **extra: Any) -> FakeResponse:
    """GitHub's basic error envelope: `status` is a string (API-NOTES §C.2)."""
    body = {"message": message, "documentation_url": DOCS, "status": str(status), **extra}
    return FakeResponse(status=status, body=body)


def body_too_long() -> FakeResponse:
    """422 with the validation-error envelope for a body over 65,536 characters."""
    detail = {
        "resource": "IssueComment",
        "code": "custom",
        "field": "body",
        "message": "body is too long (maximum is 65536 characters)",
    }
    return error(422, "Validation Failed", errors=[detail])


@dataclass
class FakeGitHubComments:
    """Repositories with issues and their comments; answers like api.github.com."""

    token: str = "ghs_fake_token"
    author: dict[str, Any] = field(default_factory=lambda: BOT)  # whom `token` belongs to
    issues: dict[str, set[int]] = field(default_factory=dict)  # "owner/repo" -> issue numbers
    comments: list[dict[str, Any]] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 6, 0, tzinfo=UTC))
    injected: list[tuple[str, FakeResponse]] = field(default_factory=list)  # (method, answer)
    lose_next_create_answer: bool = False  # create the comment, then drop the connection
    next_id: int = 1_000
    lock: threading.Lock = field(default_factory=threading.Lock)
    minimized: dict[str, str] = field(default_factory=dict)  # node_id -> classifier, in order
    refuse_minimize: bool = False  # answer minimizeComment with FORBIDDEN (a read-only token)
    graphql_queries: list[str] = field(default_factory=list)

    def add_issue(self, repo: str, number: int) -> None:
        """Make `repo` exist with issue `number`."""
        self.issues.setdefault(repo, set()).add(number)

    def bodies(self, repo: str, number: int) -> list[str]:
        """The bodies of an issue's comments, in ascending id."""
        return [c["body"] for c in self._on(repo, number)]

    def seed(
        self, repo: str, number: int, body: str, *, author: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A comment already there before the test: by `author`, else by the token's owner."""
        return self._create(repo, number, body, host="api.github.com", author=author)

    def _whoami(self) -> FakeResponse:
        """`GET /user`: the token's account; an installation token (a bot) is refused with 403."""
        if self.author.get("type") == "Bot":
            return error(403, "Resource not accessible by integration")
        return FakeResponse(body=dict(self.author))

    def inject(self, method: str, response: FakeResponse) -> None:
        """Answer the next `method` request with `response` instead (e.g. a rate limit)."""
        self.injected.append((method, response))

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Route one request (`GET /user`, then the comment routes)."""
        with self.lock:
            for index, (method, response) in enumerate(self.injected):
                if method == request.method:
                    del self.injected[index]
                    return response
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return error(401, "Bad credentials")
            if request.path == "/user" and request.method == "GET":
                return self._whoami()
            if request.path == "/graphql" and request.method == "POST":
                return self._graphql(request)
            return self._route(request)

    def _route(self, request: FakeRequest) -> FakeResponse:  # noqa: PLR0911 - one per route
        host = request.headers.get("host", "api.github.com")
        if match := _LIST.match(request.path):
            repo, number = f"{match['owner']}/{match['repo']}", int(match["number"])
            if number not in self.issues.get(repo, set()):
                return error(404, "Not Found")
            if request.method == "GET":
                return self._list(request, repo, number, host)
            if request.method == "POST":
                return self._post(request, repo, number, host)
        elif match := _ONE.match(request.path):
            comment = self._find(f"{match['owner']}/{match['repo']}", int(match["id"]))
            if comment is None:
                return error(404, "Not Found")
            if request.method == "PATCH":
                return self._patch(request, comment)
            if request.method == "DELETE":
                self.comments.remove(comment)
                return FakeResponse(status=204)
            if request.method == "GET":
                return FakeResponse(body=comment)
        return error(404, "Not Found")

    def _graphql(self, request: FakeRequest) -> FakeResponse:
        """`POST /graphql`: `nodes(ids:)` and `minimizeComment`, validated against the schema."""
        payload = request.json()
        query, variables = payload["query"], payload.get("variables") or {}
        self.graphql_queries.append(query)
        invalid = schema_errors(query)
        if invalid:
            return FakeResponse(body={"errors": [e.formatted for e in invalid]})
        root = {"nodes": self._nodes, "minimizeComment": self._minimize}
        result = graphql_sync(
            github_schema(),
            query,
            root_value=root,
            variable_values=variables,
            field_resolver=resolve_field,
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [
                {**e.formatted, "type": (e.extensions or {}).get("type")} for e in result.errors
            ]
        return FakeResponse(body=answer)

    def _node(self, node_id: str) -> dict[str, Any] | None:
        if not any(c["node_id"] == node_id for c in self.comments):
            return None
        shown = {"__typename": "IssueComment", "id": node_id}
        return shown | {"isMinimized": node_id in self.minimized}

    def _nodes(self, ids: list[str]) -> list[dict[str, Any] | None]:
        return [self._node(node_id) for node_id in ids]

    def _minimize(self, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002 - the schema's name
        node = self._node(input["subjectId"])
        if node is None:
            message = f"Could not resolve to a node with the global id of '{input['subjectId']}'"
            raise github_error(message, "NOT_FOUND")
        if self.refuse_minimize:
            raise github_error("Resource not accessible by integration", "FORBIDDEN")
        self.minimized[input["subjectId"]] = input["classifier"]
        return {"clientMutationId": None, "minimizedComment": self._node(input["subjectId"])}

    def _list(self, request: FakeRequest, repo: str, number: int, host: str) -> FakeResponse:
        per_page = min(int(request.arg("per_page") or 30), 100)
        page = max(int(request.arg("page") or 1), 1)
        items = self._on(repo, number)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chosen = items[(page - 1) * per_page : page * per_page]
        links = []
        base = f"http://{host}{request.path}"
        for rel, target in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if 1 <= target <= last and (rel in {"prev", "next"} or page != target):
                query = urlencode({"per_page": per_page, "page": target})
                links.append(f'<{base}?{query}>; rel="{rel}"')
        headers = {"Link": ", ".join(links)} if links else {}
        return FakeResponse(body=chosen, headers=headers)

    def _post(self, request: FakeRequest, repo: str, number: int, host: str) -> FakeResponse:
        body = _body_of(request)
        if body is None:
            return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
        if len(body) > BODY_LIMIT:
            return body_too_long()
        comment = self._create(repo, number, body, host=host, author=None)
        if self.lose_next_create_answer:
            self.lose_next_create_answer = False
            return FakeResponse(drop_connection=True)
        return FakeResponse(status=201, body=comment, headers={"Location": comment["url"]})

    def _patch(self, request: FakeRequest, comment: dict[str, Any]) -> FakeResponse:
        body = _body_of(request)
        if body is None:
            return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.')
        if len(body) > BODY_LIMIT:
            return body_too_long()
        self.now += timedelta(seconds=1)
        comment["body"] = body
        comment["updated_at"] = _stamp(self.now)
        return FakeResponse(body=comment)

    def _create(
        self, repo: str, number: int, body: str, *, host: str, author: dict[str, Any] | None
    ) -> dict[str, Any]:
        self.next_id += 1
        self.now += timedelta(seconds=1)
        api = f"http://{host}/repos/{repo}"
        comment = {
            "id": self.next_id,
            "node_id": f"IC_kwDOFake{self.next_id}",
            "url": f"{api}/issues/comments/{self.next_id}",
            "html_url": f"https://github.com/{repo}/issues/{number}#issuecomment-{self.next_id}",
            "body": body,
            "user": author or self.author,
            "created_at": _stamp(self.now),
            "updated_at": _stamp(self.now),
            "issue_url": f"{api}/issues/{number}",
            "author_association": "NONE",
            "performed_via_github_app": None,
            "reactions": _no_reactions(f"{api}/issues/comments/{self.next_id}/reactions"),
        }
        self.comments.append(comment)
        return comment

    def _on(self, repo: str, number: int) -> list[dict[str, Any]]:
        suffix = f"/repos/{repo}/issues/{number}"
        found = [c for c in self.comments if c["issue_url"].endswith(suffix)]
        return sorted(found, key=lambda c: c["id"])

    def _find(self, repo: str, comment_id: int) -> dict[str, Any] | None:
        suffix = f"/repos/{repo}/issues/comments/{comment_id}"
        return next((c for c in self.comments if c["url"].endswith(suffix)), None)


def secondary_rate_limit(retry_after: str | None = "0") -> FakeResponse:
    """GitHub's 403 'secondary rate limit', with `retry-after` if given."""
    response = error(403, SECONDARY_LIMIT_MESSAGE)
    if retry_after is not None:
        response.headers["retry-after"] = retry_after
    return response


def _body_of(request: FakeRequest) -> str | None:
    try:
        payload = request.json()
    except ValueError:
        return None
    body = payload.get("body") if isinstance(payload, dict) else None
    return body if isinstance(body, str) else None


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _no_reactions(url: str) -> dict[str, Any]:
    counts = dict.fromkeys(
        ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"), 0
    )
    return {"url": url, "total_count": 0, **counts}


@contextmanager
def serve_github(fake: FakeGitHubComments) -> Iterator[RunningServer]:
    """Run `fake` on 127.0.0.1 for the duration of the block."""
    with serve(fake.handle) as server:
        yield server
