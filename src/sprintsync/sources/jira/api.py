"""Jira endpoints the sources call, each request exactly as the real API takes it."""

from __future__ import annotations

import abc
import json
from collections.abc import AsyncIterator, Sequence

import httpx
import structlog

from sprintsync.domain import JSON, JSONObject
from sprintsync.errors import ConfigError, UpstreamError
from sprintsync.http import IDEMPOTENT, PageGuard, send_json
from sprintsync.sources.jira.changelog import histories_by_issue
from sprintsync.sources.jira.deployment import not_a_root_hint

log = structlog.get_logger("sprintsync.jira")

SERVICE = "Jira"
CLOUD_PLATFORM = "/rest/api/3"
# The enhanced search; /rest/api/{2,3}/search answer 410 since CHANGE-2046 (API-NOTES §0.1):
# https://developer.atlassian.com/changelog/#CHANGE-2046
SEARCH_PATH = "/rest/api/3/search/jql"
BULK_CHANGELOG_PATH = "/rest/api/3/changelog/bulkfetch"
BULK_ISSUE_PATH = "/rest/api/3/issue/bulkfetch"
SEARCH_PAGE_SIZE = 100
# An id-only search may return up to 5000 issues a page (A.1: "returns max 5000 issues");
# the page size stays advisory: pages are followed by token whatever their length.
ID_SEARCH_PAGE_SIZE = 5000
# BulkFetchIssueRequestBean: up to 100 ids or keys; 400 beyond (spec, bulkFetchIssues).
MAX_BULK_FETCH_ISSUES = 100
# Ids answered in `issueErrors` (a retriable error or a payload constraint) are asked again
# this many times before the run stops rather than compute figures without them.
ISSUE_ERROR_ROUNDS = 3
SPRINT_PAGE_SIZE = 50
# getComments: maxResults defaults to 100 (spec); `total` says when the pages end.
COMMENT_PAGE_SIZE = 100
# BulkChangelogRequestBean: issueIdsOrKeys 1..1000, fieldIds 0..10 (API-NOTES A.2.1).
MAX_BULK_ISSUES = 1000
MAX_BULK_FIELDS = 10
BULK_PAGE_SIZE = 1000
AUTH_HINT = (
    "check SPRINTSYNC_JIRA_EMAIL and SPRINTSYNC_JIRA_TOKEN (an Atlassian API token, Basic auth)"
)
KANBAN_MESSAGE = "does not support sprints"
SITE_EXAMPLE = "https://acme.atlassian.net (Cloud) or https://jira.example.com (Data Center)"
CLOUD_ONLY = (
    "this endpoint is not available on this site (Jira Data Center has no /rest/api/3: "
    "use the Data Center source)"
)


class BaseJiraApi(abc.ABC):
    """The calls Cloud and Data Center share (platform `myself`/`field`, Agile 1.0)."""

    platform = CLOUD_PLATFORM
    auth_hint = AUTH_HINT

    def __init__(self, client: httpx.AsyncClient, *, board: int) -> None:
        self._client = client
        self._board = board

    @abc.abstractmethod
    async def search(self, jql: str, fields: Sequence[str]) -> list[JSONObject]:
        """Every issue matching `jql`, with `fields`."""

    @abc.abstractmethod
    async def fetch_histories(
        self, issues: Sequence[JSONObject], field_ids: Sequence[str]
    ) -> dict[str, list[JSONObject]]:
        """Issue id -> its change histories (`{id, created, items}`), every page followed."""

    def _hints(self, not_found: str) -> dict[int, str]:
        return {
            401: self.auth_hint,
            403: f"the Jira account may not browse board {self._board} or its project",
            404: not_found,
        }

    async def _get(self, path: str, *, what: str, not_found: str, **params: JSON) -> JSON:
        hints = self._hints(not_found)
        return await send_json(
            self._client, "GET", path, service=SERVICE, what=what, hints=hints, params=params
        )

    async def _post(self, path: str, body: JSONObject, *, what: str, not_found: str) -> JSONObject:
        page = await send_json(
            self._client,
            "POST",
            path,
            service=SERVICE,
            what=what,
            hints=self._hints(not_found),
            json=body,
            extensions=IDEMPOTENT,
        )
        return to_object(page, what=what)

    async def fetch_myself(self) -> JSONObject:
        """`GET {platform}/myself`: 200 proves the credentials are not anonymous (A.0)."""
        root = not_a_root_hint(self._client.base_url, service="Jira", example=SITE_EXAMPLE)
        me = await self._get(f"{self.platform}/myself", what="the credential check", not_found=root)
        return to_object(me, what="the credential check")

    async def fetch_sprints(self) -> list[JSONObject]:
        """Every sprint of the board, following `isLast`, else `total` (Cloud omits it, A.5.1)."""
        sprints: list[JSONObject] = []
        path = f"/rest/agile/1.0/board/{self._board}/sprint"
        guard = PageGuard(
            repeated=lambda _first: UpstreamError(
                f"Jira returned the same sprints twice for board {self._board} "
                f"(startAt={len(sprints)} ignored); stopped instead of looping",
                service=SERVICE,
            )
        )
        while True:
            page = await self._fetch_sprint_page(path, start_at=len(sprints))
            values = page.get("values") or []
            if values:  # a page that starts with a sprint already read ignored startAt
                guard.check(json.dumps(values[0], sort_keys=True))
            sprints.extend(values)
            log.debug("jira.page_fetched", endpoint="sprints", items=len(values))
            if _is_last(page, seen=len(sprints)) or not values:
                return sprints

    async def _fetch_sprint_page(self, path: str, *, start_at: int) -> JSONObject:
        not_found = f"board {self._board} not found or not visible"
        try:
            page = await self._get(
                path,
                what=f"the sprints of board {self._board}",
                not_found=not_found,
                startAt=start_at,
                maxResults=SPRINT_PAGE_SIZE,
            )
        except UpstreamError as error:
            if error.status == 400 and KANBAN_MESSAGE in str(error):
                raise ConfigError(
                    f"board {self._board} does not support sprints (a Kanban board?); "
                    "set the Jira board to a Scrum board"
                ) from None
            raise
        return to_object(page, what=f"the sprints of board {self._board}")

    async def fetch_board_config(self) -> JSONObject:
        """`GET /rest/agile/1.0/board/{id}/configuration` (A.5.4)."""
        config = await self._get(
            f"/rest/agile/1.0/board/{self._board}/configuration",
            what=f"the configuration of board {self._board}",
            not_found=f"board {self._board} not found or not visible",
        )
        return to_object(config, what=f"the configuration of board {self._board}")

    async def fetch_comment_page(self, key: str, *, start_at: int) -> JSONObject:
        """`GET {platform}/issue/{key}/comment`: one page of comments, oldest first (startAt)."""
        what = f"the comments of {key}"
        page = await self._get(
            f"{self.platform}/issue/{key}/comment",
            what=what,
            not_found=f"issue {key} not found or not visible",
            startAt=start_at,
            maxResults=COMMENT_PAGE_SIZE,
            orderBy="created",
        )
        return to_object(page, what=what)

    async def fetch_fields(self) -> list[JSONObject]:
        """`GET {platform}/field`: every field with its id, name and schema (A.3)."""
        fields = await self._get(
            f"{self.platform}/field", what="the field list", not_found="no field list"
        )
        if not isinstance(fields, list):
            raise UpstreamError("Jira answered the field list with a non-list", service=SERVICE)
        return fields


class JiraApi(BaseJiraApi):
    """Jira Cloud: the enhanced search and the bulk changelog fetch of REST v3."""

    async def search(self, jql: str, fields: Sequence[str]) -> list[JSONObject]:
        """Every issue matching bounded `jql`, paginated by `nextPageToken` until `isLast` (A.1)."""
        body: JSONObject = {"jql": jql, "fields": list(fields), "maxResults": SEARCH_PAGE_SIZE}
        what = f"the issue search {jql!r}"
        pages = await self._follow_tokens(SEARCH_PATH, body, what=what)
        return [issue for page in pages for issue in page.get("issues") or []]

    async def fetch_changelogs(
        self, issue_ids: Sequence[str], field_ids: Sequence[str]
    ) -> list[JSONObject]:
        """Changelog pages of `issue_ids` for `field_ids` (bulkfetch, ≤1000 ids per request)."""
        unique_fields = list(dict.fromkeys(field_ids))[:MAX_BULK_FIELDS]
        pages: list[JSONObject] = []
        for start in range(0, len(issue_ids), MAX_BULK_ISSUES):
            chunk = list(issue_ids[start : start + MAX_BULK_ISSUES])
            body: JSONObject = {"issueIdsOrKeys": chunk, "maxResults": BULK_PAGE_SIZE}
            if unique_fields:  # none: every item (a filter drops items without a fieldId)
                body["fieldIds"] = unique_fields
            what = f"the changelogs of {len(chunk)} issues"
            pages += await self._follow_tokens(BULK_CHANGELOG_PATH, body, what=what)
        return pages

    async def fetch_histories(
        self, issues: Sequence[JSONObject], field_ids: Sequence[str]
    ) -> dict[str, list[JSONObject]]:
        """Issue id -> its histories of `field_ids`, from bulkfetch pages."""
        pages = await self.fetch_changelogs([str(i["id"]) for i in issues], field_ids)
        return histories_by_issue(pages)

    async def search_ids(self, jql: str) -> AsyncIterator[list[str]]:
        """Issue ids matching bounded `jql`, one list per page (`fields: ["id"]`, A.1)."""
        body: JSONObject = {"jql": jql, "fields": ["id"], "maxResults": ID_SEARCH_PAGE_SIZE}
        async for page in self._token_pages(SEARCH_PATH, body, what=f"the issue search {jql!r}"):
            yield [str(issue["id"]) for issue in page.get("issues") or []]

    async def fetch_issue_page(
        self, issue_ids: Sequence[str], fields: Sequence[str]
    ) -> list[JSONObject]:
        """`POST /rest/api/3/issue/bulkfetch` for at most 100 ids, `issueErrors` asked again.

        Issues Jira cannot see (deleted, no permission) are simply absent from the answer;
        ids listed in `issueErrors` failed transiently and are requested again.
        """
        if not 1 <= len(issue_ids) <= MAX_BULK_FETCH_ISSUES:
            raise ValueError(f"issue bulkfetch takes 1..{MAX_BULK_FETCH_ISSUES} ids")
        found: list[JSONObject] = []
        wanted = list(issue_ids)
        what = f"the fields of {len(wanted)} issues"
        for _round in range(ISSUE_ERROR_ROUNDS):
            body: JSONObject = {"issueIdsOrKeys": wanted, "fields": list(fields)}
            page = await self._post(BULK_ISSUE_PATH, body, what=what, not_found=CLOUD_ONLY)
            found += page.get("issues") or []
            wanted = [str(e.get("id")) for e in page.get("issueErrors") or [] if e.get("id")]
            if not wanted:
                return found
            log.warning("jira.issue_errors", issues=len(wanted), what=what)
        raise UpstreamError(
            f"Jira could not return {len(wanted)} issues after {ISSUE_ERROR_ROUNDS} tries "
            f"(issueErrors for {', '.join(wanted[:5])}); stopped rather than compute figures "
            "without them",
            service=SERVICE,
        )

    async def changelog_pages(
        self, issue_ids: Sequence[str], field_ids: Sequence[str]
    ) -> AsyncIterator[JSONObject]:
        """Bulkfetch pages of at most 1000 `issue_ids`, every `nextPageToken` followed."""
        if not 1 <= len(issue_ids) <= MAX_BULK_ISSUES:
            raise ValueError(f"changelog bulkfetch takes 1..{MAX_BULK_ISSUES} ids")
        body: JSONObject = {"issueIdsOrKeys": list(issue_ids), "maxResults": BULK_PAGE_SIZE}
        if field_ids:  # none: every item (a filter drops items without a fieldId, A.2.3)
            body["fieldIds"] = list(dict.fromkeys(field_ids))[:MAX_BULK_FIELDS]
        what = f"the changelogs of {len(issue_ids)} issues"
        async for page in self._token_pages(BULK_CHANGELOG_PATH, body, what=what):
            yield page

    async def _follow_tokens(self, path: str, body: JSONObject, *, what: str) -> list[JSONObject]:
        """Every page until `isLast` or no token."""
        return [page async for page in self._token_pages(path, body, what=what)]

    async def _token_pages(
        self, path: str, body: JSONObject, *, what: str
    ) -> AsyncIterator[JSONObject]:
        """Pages until `isLast` or no token; a token seen twice is refused (it would loop)."""
        guard = PageGuard(
            repeated=lambda _token: UpstreamError(
                f"Jira returned the same nextPageToken twice for {what}; "
                f"stopped after {guard.pages + 1} pages instead of looping",
                service=SERVICE,
            )
        )
        while True:
            page = await self._post(path, body, what=what, not_found=CLOUD_ONLY)
            token = page.get("nextPageToken")
            log.debug("jira.page_fetched", what=what, page=guard.pages + 1, last=not token)
            yield page
            if page.get("isLast") is True or not token:
                return
            guard.check(str(token), items=page_item_ids(page))
            body = {**body, "nextPageToken": token}


def page_item_ids(page: JSONObject) -> list[str]:
    """The ids a search or bulkfetch page brought: issue ids, or issue and history ids."""
    ids = [str(issue.get("id")) for issue in page.get("issues") or []]
    for log_ in page.get("issueChangeLogs") or []:
        histories = log_.get("changeHistories") or []
        ids += [f"{log_.get('issueId')}/{history.get('id')}" for history in histories]
    return ids


def to_object(value: JSON, *, what: str) -> JSONObject:
    """`value` if it is a JSON object, else an UpstreamError naming `what`."""
    if not isinstance(value, dict):
        raise UpstreamError(f"Jira answered {what} with a non-object", service=SERVICE)
    return value


def _is_last(page: JSONObject, *, seen: int) -> bool:
    """`isLast` when sent; else whether `total` is reached; a page with neither is the last."""
    last = page.get("isLast")
    if isinstance(last, bool):
        return last
    total = page.get("total")
    return not isinstance(total, int) or seen >= total
