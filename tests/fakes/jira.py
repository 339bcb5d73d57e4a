"""A stateful fake Jira Cloud (REST v3 + Agile 1.0) for end-to-end tests, on fakes.server.

Behaves like the real site where sprintsync depends on it (API-NOTES §0, A.*, E):
Basic auth or 401; `/rest/api/{2,3}/search` answer 410 (CHANGE-2046); `/search/jql` needs
bounded JQL, returns `id` only unless `fields` are named, pages of `page_size` with opaque
tokens and no `nextPageToken` key on the last page; bulkfetch pages with tokens and refuses
more than 1000 ids or 10 field ids, and its `fieldIds` filter drops items that carry no
`fieldId`; `issue/bulkfetch` takes 1..100 ids or keys, answers
`{expand, issues (ascending id), issueErrors}` and leaves out issues it cannot see; sprint
pages carry `isLast` and no `total`; Kanban boards 400; unknown boards and sprints 404.
An id-only search (`fields: ["id"]` or none) pages by `id_page_size` (real Cloud: up to 5000),
one with fields by `page_size` (real Cloud: about 100). Faults:
`fake.fail_next(path_prefix, FakeResponse(...))`, `fake.issue_errors` (ids answered in
`issueErrors` once each). Benchmarks: `latency_seconds` per request, `max_in_flight` seen.
Jira's own Sprint Report and Velocity (greenhopper, A.5.5) under `/rest/greenhopper/{1.0,latest}/
rapid/charts/{sprintreport,velocity}[.json]`, from fakes.jira_report at `clock` (None: after
every event); `report_overrides` plant differences; `greenhopper` picks an unavailability mode:
"gone" (404 `null for uri`), "forbidden" (403), "html" (200 login page), "no-contents".
"""

from __future__ import annotations

import base64
import itertools
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakes.jira_report import sprint_report, velocity
from fakes.jira_world import FIELDS, SITE, SPRINT_FIELD, FakeIssue
from fakes.jql import JqlError, World, compile_jql, moment
from fakes.server import FakeRequest, FakeResponse, RunningServer, serve

GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
SEARCH_KEYS = {
    "jql",
    "nextPageToken",
    "maxResults",
    "fields",
    "expand",
    "properties",
    "fieldsByKeys",
    "reconcileIssues",
    "failFast",
}
BULK_KEYS = {"issueIdsOrKeys", "fieldIds", "maxResults", "nextPageToken"}
COMMENTS = re.compile(r"/rest/api/([23])/issue/([^/]+)/comment")
CHARTS = re.compile(
    r"/rest/greenhopper/(?:1\.0|latest)/rapid/charts/(sprintreport|velocity)(?:\.json)?"
)
AFTER_EVERYTHING = datetime(9999, 1, 1, tzinfo=UTC)
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Log in - Jira</title></head><body></body></html>"
# BulkFetchIssueRequestBean (additionalProperties: false).
ISSUE_BULK_KEYS = {"expand", "fields", "fieldsByKeys", "issueIdsOrKeys", "properties"}
MAX_ISSUE_BULK = 100


def query_list(request: FakeRequest, name: str) -> list[str]:
    """A comma-separated, possibly repeated query parameter as a list (`fields=a,b&fields=c`)."""
    return [part for value in request.query.get(name, []) for part in value.split(",") if part]


def errors(*messages: str, status: int) -> FakeResponse:
    """An Atlassian ErrorCollection response."""
    return FakeResponse(status=status, body={"errorMessages": list(messages), "errors": {}})


@dataclass
class FakeBoard:
    """A board: its configuration, its sprints, and whether it is a Kanban board."""

    config: dict[str, Any]
    sprints: list[dict[str, Any]] = field(default_factory=list)
    kanban: bool = False


@dataclass
class FaultRule:
    """Answer `response` to the next `times` requests whose path starts with `path_prefix`."""

    path_prefix: str
    response: FakeResponse
    method: str | None = None
    times: int = 1


@dataclass
class FakeJira:
    """The fake site: its world (boards, issues, fields), call counts and fault rules."""

    boards: dict[int, FakeBoard]
    issues: list[FakeIssue]
    email: str = "bot@example.com"
    token: str = "api-token-123"
    fields: list[dict[str, Any]] = field(default_factory=lambda: list(FIELDS))
    page_size: int = 2
    id_page_size: int | None = None  # None: the same as page_size
    changelog_page_size: int = 3
    sprint_page_size: int = 2
    latency_seconds: float = 0.0
    issue_errors: set[str] = field(default_factory=set)
    comment_page_cap: int = 2  # the most comments a page holds, whatever maxResults asks
    comment_requests: list[str] = field(default_factory=list)  # issue keys, in request order
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    faults: list[FaultRule] = field(default_factory=list)
    clock: datetime | None = None  # the report's "now"; None: after every event of the world
    report_overrides: list[dict[str, Any]] = field(default_factory=list)
    greenhopper: str = "on"  # on | gone | forbidden | html | no-contents
    report_inline: bool = False  # Cloud: ids + entityData; Data Center: inline names
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _by_id: dict[str, FakeIssue] = field(default_factory=dict)
    _indexed: int = -1
    _entries: tuple[Any, list[tuple[str, dict[str, Any]]]] | None = None
    _tokens: dict[str, tuple[str, dict[str, Any], int]] = field(default_factory=dict)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def fail_next(
        self, path_prefix: str, response: FakeResponse, *, method: str | None = None, times: int = 1
    ) -> None:
        """Answer `response` to the next `times` matching requests instead of the world."""
        self.faults.append(FaultRule(path_prefix, response, method, times))

    @contextmanager
    def running(self) -> Iterator[RunningServer]:
        """Serve the fake on 127.0.0.1 for the block."""
        with serve(self.handle) as server:
            yield server

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one request after `latency_seconds`, counting how many are in flight."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency_seconds:
                time.sleep(self.latency_seconds)
            with self._lock:  # the world is not thread-safe; answers are computed one at a time
                return self._answer(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, request: FakeRequest) -> FakeResponse:
        """Answer one request: faults first, then auth, then the routes."""
        self.calls[(request.method, request.path)] += 1
        for rule in self.faults:
            prefix_matches = request.path.startswith(rule.path_prefix)
            if rule.times > 0 and prefix_matches and rule.method in (None, request.method):
                rule.times -= 1
                return rule.response
        if re.fullmatch(r"/rest/api/[23]/serverInfo", request.path) and request.method == "GET":
            return self._server_info(request)
        if not self._authorised(request):
            return errors("Client must be authenticated to access this resource.", status=401)
        return self._route(request)

    # getServerInfo "can be accessed anonymously"; incorrect credentials get 401 (the spec's
    # jira-cloud-platform-swagger-v3 getServerInfo). `anonymous_server_info=False`: a site
    # that refuses anonymous access (401, as for any anonymous request there).
    deployment_type: str = "Cloud"
    anonymous_server_info: bool = True

    def _server_info(self, request: FakeRequest) -> FakeResponse:
        sent = "authorization" in request.headers
        if (sent and not self._authorised(request)) or (
            not sent and not self.anonymous_server_info
        ):
            return errors("Client must be authenticated to access this resource.", status=401)
        return FakeResponse(body=self.server_info())

    def server_info(self) -> dict[str, Any]:
        """The ServerInformation object of this site (Cloud: `deploymentType` always Cloud)."""
        return {
            "baseUrl": SITE,
            "buildDate": "2026-11-20T22:20:59.000+0000",
            "buildNumber": 100280,
            "deploymentType": self.deployment_type,
            "scmInfo": "1f51473f5c7b75c1a69a0090f4832cdc5053702a",
            "serverTime": "2026-11-26T06:00:00.000+0000",
            "serverTimeZone": "Etc/UTC",
            "serverTitle": "Jira",
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
        }

    def _authorised(self, request: FakeRequest) -> bool:
        secret = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {secret}"

    def _route(self, request: FakeRequest) -> FakeResponse:  # noqa: PLR0911 - one per route
        path, method = request.path, request.method
        if re.fullmatch(r"/rest/api/[23]/search", path):
            return errors(GONE, status=410)
        simple = {
            ("GET", "/rest/api/3/myself"): self._myself,
            ("GET", "/rest/api/3/field"): lambda _r: FakeResponse(body=self.fields),
            ("POST", "/rest/api/3/search/jql"): lambda r: self._search(r.json() or {}),
            ("GET", "/rest/api/3/search/jql"): self._search_get,
            ("POST", "/rest/api/3/changelog/bulkfetch"): self._bulkfetch,
            ("POST", "/rest/api/3/issue/bulkfetch"): self._issue_bulkfetch,
        }
        if (method, path) in simple:
            return simple[(method, path)](request)
        board = re.fullmatch(r"/rest/agile/1\.0/board/(\d+)/(sprint|configuration)", path)
        if board and method == "GET":
            return self._board(request, int(board.group(1)), board.group(2))
        chart = CHARTS.fullmatch(path)
        if chart and method == "GET":
            return self._chart(request, chart.group(1))
        one = re.fullmatch(r"/rest/agile/1\.0/sprint/(\d+)", path)
        if one and method == "GET":
            return self._sprint(int(one.group(1)))
        notes = COMMENTS.fullmatch(path)
        if notes and method == "GET" and notes.group(1) == "3":
            return self.comments(request, notes.group(2), body="adf")
        return errors(f"No route for {method} {path}", status=404)

    def comments(self, request: FakeRequest, key: str, *, body: str) -> FakeResponse:
        """`GET /rest/api/{2,3}/issue/{key}/comment`: PageOfComments by startAt/maxResults."""
        self.comment_requests.append(key)
        found = self._find(key)
        if found is None:
            return errors(
                "Issue does not exist or you do not have permission to see it.", status=404
            )
        start = int(request.arg("startAt") or 0)
        size = min(int(request.arg("maxResults") or 100), self.comment_page_cap)
        page = found.comments[start : start + size]
        beans = [
            {k: v for k, v in c.items() if k not in {"adf", "wiki"}} | {"body": c[body]}
            for c in page
        ]
        return FakeResponse(
            body={
                "startAt": start,
                "maxResults": size,
                "total": len(found.comments),
                "comments": beans,
            }
        )

    def _myself(self, _request: FakeRequest) -> FakeResponse:
        return FakeResponse(
            body={
                "self": f"{SITE}/rest/api/3/user?accountId=5b10a2844c20165700ede21g",
                "accountId": "5b10a2844c20165700ede21g",
                "accountType": "atlassian",
                "emailAddress": self.email,
                "displayName": "Sprint Bot",
                "active": True,
                "timeZone": "UTC",
                "locale": "en_US",
            }
        )

    def _board(self, request: FakeRequest, board_id: int, what: str) -> FakeResponse:
        board = self.boards.get(board_id)
        if board is None:
            return errors(
                "Board does not exist or you do not have permission to see it.", status=404
            )
        if what == "configuration":
            return FakeResponse(body=board.config)
        if board.kanban:
            return errors("The board does not support sprints", status=400)
        start = int(request.arg("startAt", "0") or 0)
        size = min(int(request.arg("maxResults", "50") or 50), self.sprint_page_size)
        values = board.sprints[start : start + size]
        last = start + size >= len(board.sprints)
        return FakeResponse(
            body={"maxResults": size, "startAt": start, "isLast": last, "values": values}
        )

    def _sprint(self, sprint_id: int) -> FakeResponse:
        for board in self.boards.values():
            for value in board.sprints:
                if value["id"] == sprint_id:
                    return FakeResponse(body=value)
        return errors("Sprint does not exist or you do not have permission to see it.", status=404)

    def _new_token(self, kind: str, query: dict[str, Any], offset: int) -> str:
        token = base64.urlsafe_b64encode(f"{kind}:{next(self._counter)}".encode()).decode()
        self._tokens[token] = (kind, query, offset)
        return token.rstrip("=")

    def _resume(self, kind: str, token: str | None, query: dict[str, Any]) -> int | None:
        if token is None:
            return 0
        saved = self._tokens.get(token + "=" * (-len(token) % 4))
        if saved is None or saved[0] != kind or saved[1] != query:
            return None
        return saved[2]

    def _world(self) -> World:
        filters: dict[str, set[str]] = {}
        for board in self.boards.values():
            filter_id = str(board.config.get("filter", {}).get("id"))
            filters[filter_id] = {i.key for i in self.issues if i.in_board_filter}
        return World(
            sprint_field=SPRINT_FIELD,
            filter_ids=filters,
            project_of=lambda f: str(f["__key"]).split("-", 1)[0],
        )

    def _search_get(self, request: FakeRequest) -> FakeResponse:
        body = {
            "jql": request.arg("jql"),
            "nextPageToken": request.arg("nextPageToken"),
            "maxResults": int(request.arg("maxResults", "50") or 50),
            "fields": query_list(request, "fields"),
        }
        return self._search({k: v for k, v in body.items() if v not in (None, [])})

    def _matching(
        self, body: dict[str, Any], *, keys: set[str], bounded_only: bool
    ) -> list[FakeIssue] | FakeResponse:
        """The issues `body["jql"]` selects, or the 400 Jira answers (unknown key, bad JQL)."""
        unknown = set(body) - keys
        if unknown:
            return errors(f"Unrecognized field {min(unknown)!r}", status=400)
        try:
            predicate, bounded = compile_jql(str(body.get("jql") or ""), self._world())
        except JqlError as error:
            return errors(str(error), status=400)
        if bounded_only and not bounded:
            return errors(UNBOUNDED, status=400)
        return [i for i in self.issues if predicate({**i.fields, "__key": i.key})]

    def _search(self, body: dict[str, Any]) -> FakeResponse:
        hits = self._matching(body, keys=SEARCH_KEYS, bounded_only=True)
        if isinstance(hits, FakeResponse):
            return hits
        query = {"jql": body.get("jql"), "fields": body.get("fields")}
        offset = self._resume("search", body.get("nextPageToken"), query)
        if offset is None:
            return errors("The provided next page token is invalid or expired.", status=400)
        id_only = set(body.get("fields") or ["id"]) <= {"id"}
        cap = (self.id_page_size or self.page_size) if id_only else self.page_size
        size = min(int(body.get("maxResults") or 50), cap)
        page = hits[offset : offset + size]
        answer: dict[str, Any] = {"issues": [self._issue_bean(i, body.get("fields")) for i in page]}
        if offset + size < len(hits):
            answer["nextPageToken"] = self._new_token("search", query, offset + size)
        answer["isLast"] = "nextPageToken" not in answer
        return FakeResponse(body=answer)

    def _issue_bean(self, issue: FakeIssue, wanted: list[str] | None) -> dict[str, Any]:
        wanted = wanted or ["id"]
        bean: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": issue.id,
            "self": f"{SITE}/rest/api/3/issue/{issue.id}",
            "key": issue.key,
        }
        chosen = (
            issue.fields
            if "*all" in wanted
            else {k: v for k, v in issue.fields.items() if k in wanted}
        )
        if chosen:
            bean["fields"] = chosen
        return bean

    def _find(self, id_or_key: str) -> FakeIssue | None:
        """An issue by id, else by key case-insensitively (bulkfetch's lenient lookup)."""
        if self._indexed != len(self.issues):  # issues are only ever appended
            self._by_id = {i.id: i for i in self.issues}
            self._by_id.update({i.key.upper(): i for i in self.issues})
            self._indexed = len(self.issues)
        return self._by_id.get(id_or_key) or self._by_id.get(id_or_key.upper())

    def _issue_bulkfetch(self, request: FakeRequest) -> FakeResponse:
        """`POST /rest/api/3/issue/bulkfetch` (bulkFetchIssues): 1..100 ids, ascending id."""
        body = request.json() or {}
        if set(body) - ISSUE_BULK_KEYS:
            return errors(f"Unrecognized field {min(set(body) - ISSUE_BULK_KEYS)!r}", status=400)
        wanted = [str(i) for i in body.get("issueIdsOrKeys") or []]
        if not 1 <= len(wanted) <= MAX_ISSUE_BULK:
            return errors(
                f"The number of issue IDs or keys must be between 1 and {MAX_ISSUE_BULK}.",
                status=400,
            )
        found = {i.id: i for i in map(self._find, wanted) if i is not None}
        failed = [i for i in sorted(found, key=int) if i in self.issue_errors]
        self.issue_errors -= set(failed)
        fields = body.get("fields") or ["*navigable"]
        return FakeResponse(
            body={
                "expand": "schema,names",
                "issues": [
                    self._issue_bean(found[i], ["*all"] if "*navigable" in fields else fields)
                    for i in sorted(found, key=int)
                    if i not in failed
                ],
                "issueErrors": [
                    {"id": i, "errorMessage": "Retrieving the issue failed; try again."}
                    for i in failed
                ],
            }
        )

    def _bulkfetch(self, request: FakeRequest) -> FakeResponse:
        body = request.json() or {}
        ids, field_ids = body.get("issueIdsOrKeys") or [], body.get("fieldIds") or []
        if set(body) - BULK_KEYS:
            return errors(f"Unrecognized field {min(set(body) - BULK_KEYS)!r}", status=400)
        if not 1 <= len(ids) <= 1000:
            return errors("The number of issue IDs or keys must be between 1 and 1000.", status=400)
        if len(field_ids) > 10:
            return errors("The number of field IDs must not exceed 10.", status=400)
        query = {"issueIdsOrKeys": ids, "fieldIds": field_ids}
        offset = self._resume("changelog", body.get("nextPageToken"), query)
        if offset is None:
            return errors("The provided next page token is invalid or expired.", status=400)
        first = body.get("nextPageToken") is None
        if first or self._entries is None or self._entries[0] != query:  # later pages: reuse
            self._entries = (query, self._histories(ids, field_ids))
        entries = self._entries[1]
        size = min(int(body.get("maxResults") or 1000), self.changelog_page_size)
        page = entries[offset : offset + size]
        logs: list[dict[str, Any]] = []
        for issue_id, hist in page:
            if not logs or logs[-1]["issueId"] != issue_id:
                logs.append({"issueId": issue_id, "changeHistories": []})
            logs[-1]["changeHistories"].append(hist)
        answer: dict[str, Any] = {"issueChangeLogs": logs}
        if offset + size < len(entries):
            answer["nextPageToken"] = self._new_token("changelog", query, offset + size)
        return FakeResponse(body=answer)

    def _histories(self, ids: list[str], field_ids: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """(issue id, history) sorted by changelog date then issue id, items filtered by field.

        The filter keeps an item only by its `fieldId`: an item without one (custom fields
        often, API-NOTES A.2.3) is dropped from a filtered answer, the harder variant (STYLE.md
        known trap 10). No `fieldIds`: every item.
        """
        entries = []
        chosen = {i.id: i for i in map(self._find, ids) if i is not None}
        for issue in chosen.values():
            for hist in issue.histories:
                items = [
                    item
                    for item in hist["items"]
                    if not field_ids or item.get("fieldId") in field_ids
                ]
                if items:
                    entries.append((issue.id, {**hist, "items": items}))
        entries.sort(key=lambda e: (moment(e[1]["created"]), int(e[0])))
        return entries

    def _chart(self, request: FakeRequest, which: str) -> FakeResponse:
        """The Sprint Report or Velocity chart (greenhopper, A.5.5), or an unavailability mode."""
        unavailable = self._unavailable(request)
        if unavailable is not None:
            return unavailable
        return self._chart_answer(request, which)

    def _unavailable(self, request: FakeRequest) -> FakeResponse | None:
        if self.greenhopper == "gone":
            return FakeResponse(
                status=404,
                body={"message": f"null for uri: {SITE}{request.path}", "status-code": 404},
            )
        if self.greenhopper == "forbidden":
            return errors("You do not have permission to view this board's reports.", status=403)
        if self.greenhopper == "html":
            return FakeResponse(raw=LOGIN_PAGE, headers={"Content-Type": "text/html;charset=UTF-8"})
        return None

    def _chart_answer(self, request: FakeRequest, which: str) -> FakeResponse:
        board_id = request.arg("rapidViewId") or ""
        if not board_id.isdigit():
            return FakeResponse(
                status=400, body={"errorMessages": [], "errors": {"rapidViewId": "required"}}
            )
        board = self.boards.get(int(board_id))
        if board is None:
            message = (
                "The requested board cannot be viewed because it either does not exist "
                "or you do not have permission to view it."
            )
            return FakeResponse(
                status=404, body={"errorMessages": [], "errors": {"rapidViewId": message}}
            )
        now = self.clock or AFTER_EVERYTHING
        if which == "velocity":
            body = velocity(self.issues, board.sprints, now=now, overrides=self.report_overrides)
            return FakeResponse(body=body)
        sprint_id = request.arg("sprintId") or ""
        found = [s for s in board.sprints if str(s["id"]) == sprint_id]
        if not found:
            message = "Sprint does not exist or you do not have permission to view it"
            return FakeResponse(
                status=404, body={"errorMessages": [], "errors": {"sprintId": message}}
            )
        body = sprint_report(
            self.issues,
            found[0],
            now=now,
            inline=self.report_inline,
            overrides=self.report_overrides,
        )
        if self.greenhopper == "no-contents":
            del body["contents"]
        return FakeResponse(body=body)
