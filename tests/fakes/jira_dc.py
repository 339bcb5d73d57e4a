"""A stateful fake Jira Data Center (REST v2 + Agile 1.0) on fakes.server, sharing FakeJira's world.

Behaves like a Data Center site where sprintsync depends on it (API-NOTES A.0, A.5, A.9):
Bearer PAT or 401; no `/rest/api/3` at all (404, so no `/search/jql` and no bulkfetch);
`GET|POST /rest/api/2/search` pages of `page_size` with `startAt`/`total` whatever `maxResults`
asks; `GET /rest/api/2/issue/{key}?expand=changelog` embeds only the `embedded_histories` most
recent histories (newest first) with the true `total`; `GET /rest/api/2/issue/{key}/changelog`
pages oldest first (unless `has_changelog_endpoint` is off: 404); changelog items carry no
`fieldId`; Agile sprint pages carry `total`; issues in `legacy_sprint_keys` hold the legacy
Sprint string form. Descriptions are whatever the world holds (wiki markup strings on DC).
The user's `timeZone` (`user_time_zone`, `myself`) is the zone JQL dates are read in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fakes.jira import COMMENTS, FakeJira, errors, query_list
from fakes.jira_world import FIELDS, SPRINT_FIELD, FakeIssue
from fakes.jql import World, moment
from fakes.server import FakeRequest, FakeResponse

DC_SITE = "https://jira.example.com"
SEARCH_KEYS = {
    "jql",
    "startAt",
    "maxResults",
    "fields",
    "expand",
    "validateQuery",
    "properties",
    "fieldsByKeys",
}
ISSUE_PATH = re.compile(r"/rest/api/2/issue/([A-Z][A-Z0-9_]*-\d+|\d+)(/changelog)?")
LEGACY_SPRINT = (
    "com.atlassian.greenhopper.service.sprint.Sprint@{hash:x}[id={id},rapidViewId={board},"
    "state={state},name={name},startDate={start},endDate={end},completeDate={complete},"
    "sequence={id},goal={goal}]"
)


def legacy_sprint(value: dict[str, Any]) -> str:
    """The legacy Sprint field string of a Sprint field object (`<null>` for missing values)."""

    def text(key: str) -> str:
        return str(value.get(key) or "<null>")

    return LEGACY_SPRINT.format(
        hash=0x77C19629 + int(value["id"]),
        id=value["id"],
        board=value.get("boardId"),
        state=str(value.get("state", "")).upper(),
        name=text("name"),
        start=text("startDate"),
        end=text("endDate"),
        complete=text("completeDate"),
        goal=text("goal"),
    )


def dc_fields() -> list[dict[str, Any]]:
    """`GET /rest/api/2/field`: the Sprint field's items are strings on Data Center."""
    return [
        {**f, "schema": {**f["schema"], "items": "string"}} if f["id"] == SPRINT_FIELD else f
        for f in FIELDS
    ]


@dataclass
class FakeJiraDataCenter(FakeJira):
    """The fake Data Center site: FakeJira's world served through the REST v2 surface."""

    pat: str = "dc-pat-123"
    embedded_histories: int = 2
    has_changelog_endpoint: bool = True
    legacy_sprint_keys: set[str] = field(default_factory=set)
    fields: list[dict[str, Any]] = field(default_factory=dc_fields)
    report_inline: bool = True  # Server/DC entries carry names inline (A.5.5)
    deployment_type: str = "DataCenter"  # "Server" on a Server licence
    user_time_zone: str = "Europe/Berlin"  # the PAT user's profile zone (`myself.timeZone`)

    def server_info(self) -> dict[str, Any]:
        """Data Center's ServerInformation: its own base URL and version, no Cloud build."""
        return {
            **super().server_info(),
            "baseUrl": DC_SITE,
            "version": "9.12.15",
            "versionNumbers": [9, 12, 15],
            "buildNumber": 9120015,
            "serverTitle": "Jira Data Center",
        }

    def _authorised(self, request: FakeRequest) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.pat}"

    def _route(self, request: FakeRequest) -> FakeResponse:
        path, method = request.path, request.method
        known = ("/rest/api/2/", "/rest/agile/", "/rest/greenhopper/")
        if path.startswith("/rest/api/3/") or not path.startswith(known):
            return errors(f"No route for {method} {path}", status=404)
        simple = {
            ("GET", "/rest/api/2/myself"): self._dc_myself,
            ("GET", "/rest/api/2/field"): lambda _r: FakeResponse(body=self.fields),
            ("POST", "/rest/api/2/search"): lambda r: self._dc_search(r.json() or {}),
            ("GET", "/rest/api/2/search"): self._dc_search_get,
        }
        if (method, path) in simple:
            return simple[(method, path)](request)
        notes = COMMENTS.fullmatch(path)
        if notes and method == "GET" and notes.group(1) == "2":
            return self.comments(request, notes.group(2), body="wiki")
        one = ISSUE_PATH.fullmatch(path)
        if one and method == "GET":
            return self._dc_issue(request, one.group(1), paged=bool(one.group(2)))
        if path.startswith(("/rest/agile/", "/rest/greenhopper/")):
            return super()._route(request)
        return errors(f"No route for {method} {path}", status=404)

    def _board(self, request: FakeRequest, board_id: int, what: str) -> FakeResponse:
        response = super()._board(request, board_id, what)
        if response.status == 200 and what == "sprint":
            total = len(self.boards[board_id].sprints)
            response.body = {**response.body, "total": total}
        return response

    def _world(self) -> World:
        """Jira reads a JQL date in the searching user's zone, not the server's or UTC."""
        world = super()._world()
        world.zone = ZoneInfo(self.user_time_zone)
        return world

    def _dc_myself(self, _request: FakeRequest) -> FakeResponse:
        return FakeResponse(
            body={
                "self": f"{DC_SITE}/rest/api/2/user?username=sprintbot",
                "key": "JIRAUSER10100",
                "name": "sprintbot",
                "emailAddress": self.email,
                "displayName": "Sprint Bot",
                "active": True,
                "timeZone": self.user_time_zone,
                "locale": "en_US",
            }
        )

    def _dc_search_get(self, request: FakeRequest) -> FakeResponse:
        body = {
            "jql": request.arg("jql"),
            "startAt": int(request.arg("startAt", "0") or 0),
            "maxResults": int(request.arg("maxResults", "50") or 50),
            "fields": query_list(request, "fields"),
        }
        return self._dc_search(body)

    def _dc_search(self, body: dict[str, Any]) -> FakeResponse:
        hits = self._matching(body, keys=SEARCH_KEYS, bounded_only=False)  # DC: no bound needed
        if isinstance(hits, FakeResponse):
            return hits
        start = int(body.get("startAt") or 0)
        size = min(int(body.get("maxResults") or 50), self.page_size)
        wanted = body.get("fields") or ["*navigable"]
        page = [self._dc_bean(i, wanted) for i in hits[start : start + size]]
        answer = {"startAt": start, "maxResults": size, "total": len(hits), "issues": page}
        return FakeResponse(body={"expand": "schema,names", **answer})

    def _dc_bean(self, issue: FakeIssue, wanted: list[str]) -> dict[str, Any]:
        bean = self._issue_bean(issue, ["*all"] if "*navigable" in wanted else wanted)
        bean["self"] = f"{DC_SITE}/rest/api/2/issue/{issue.id}"
        sprints = bean.get("fields", {}).get(SPRINT_FIELD)
        if issue.key in self.legacy_sprint_keys and sprints:
            bean["fields"][SPRINT_FIELD] = [legacy_sprint(s) for s in sprints]
        return bean

    def _dc_issue(self, request: FakeRequest, key: str, *, paged: bool) -> FakeResponse:
        found = [i for i in self.issues if key in (i.key, i.id)]
        if not found or (paged and not self.has_changelog_endpoint):
            return errors("Issue Does Not Exist", status=404)
        histories = sorted(
            (_as_dc_history(h) for h in found[0].histories),
            key=lambda h: (moment(h["created"]), int(h["id"])),
        )
        if paged:
            return self._changelog_page(request, key, histories)
        bean = self._dc_bean(found[0], query_list(request, "fields") or ["*navigable"])
        if "changelog" in (request.arg("expand") or "").split(","):
            newest = list(reversed(histories))[: self.embedded_histories]
            bean["changelog"] = {
                "startAt": 0,
                "maxResults": len(newest),
                "total": len(histories),
                "histories": newest,
            }
        return FakeResponse(body=bean)

    def _changelog_page(
        self, request: FakeRequest, key: str, histories: list[dict[str, Any]]
    ) -> FakeResponse:
        start = int(request.arg("startAt", "0") or 0)
        size = min(int(request.arg("maxResults", "100") or 100), self.changelog_page_size)
        base = f"{DC_SITE}/rest/api/2/issue/{key}/changelog"
        last = start + size >= len(histories)
        body: dict[str, Any] = {
            "self": f"{base}?startAt={start}&maxResults={size}",
            "maxResults": size,
            "startAt": start,
            "total": len(histories),
            "isLast": last,
            "values": histories[start : start + size],
        }
        if not last:
            body["nextPage"] = f"{base}?startAt={start + size}&maxResults={size}"
        return FakeResponse(body=body)


def _as_dc_history(history: dict[str, Any]) -> dict[str, Any]:
    """A history as Data Center sends it: its items carry no `fieldId`."""
    items = [{k: v for k, v in item.items() if k != "fieldId"} for item in history["items"]]
    return {**history, "items": items}
