"""Jira Data Center endpoints: REST v2 search by startAt/total and per-issue changelogs (A.9)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog

from sprintsync.domain import JSONObject
from sprintsync.errors import UpstreamError
from sprintsync.http import PageGuard
from sprintsync.sources.jira.api import SERVICE, BaseJiraApi, to_object

log = structlog.get_logger("sprintsync.jira")

# Data Center has no /rest/api/3, no /search/jql and no /changelog/bulkfetch (API-NOTES A.9).
DC_PLATFORM = "/rest/api/2"
SEARCH_PATH = f"{DC_PLATFORM}/search"
SEARCH_PAGE_SIZE = 100
# A search for one field only (a cached rerun's membership) asks for more a page; the server
# caps `maxResults` at `jira.search.views.default.max` (A.9), and short pages are followed.
ID_SEARCH_PAGE_SIZE = 1000
# The one field a membership search asks for: a real field (DC has no `id` field), small,
# and what tells a changed issue from the cached one.
ID_SEARCH_FIELDS = ("updated",)
CHANGELOG_PAGE_SIZE = 100
# Histories are one request per issue: a few at a time, not one burst per sprint.
MAX_CONCURRENT_ISSUES = 4
PAT_HINT = "check SPRINTSYNC_JIRA_PAT (a Jira Data Center personal access token, Bearer auth)"

PageFetch = Callable[[int], Awaitable[JSONObject]]


async def follow_offsets(fetch: PageFetch, *, key: str, what: str) -> list[JSONObject]:
    """Pages from `startAt` 0 until `total`; once the first page tells `total`, the rest at once.

    The later pages are asked concurrently (under the per-host limit) at the first page's
    length; the page size is never trusted beyond that: a short page leaves a gap that is
    read from `startAt = len(items)` one page at a time. A page that adds nothing, or answers
    another `startAt` than asked, is refused instead of looped over.
    """
    guard = PageGuard(
        repeated=lambda start: UpstreamError(
            f"Jira answered {what} twice at startAt={start}; stopped instead of looping",
            service=SERVICE,
        )
    )
    guard.check(0)
    first = await fetch(0)
    items, total = _read_page(first, key=key, what=what, start=0)
    step = len(items)
    starts = list(range(step, total, step)) if step else []
    # return_exceptions: every page is awaited, then read in order (the first problem wins)
    answers = await asyncio.gather(*(fetch(start) for start in starts), return_exceptions=True)
    ahead: dict[int, JSONObject | BaseException] = dict(zip(starts, answers, strict=True))
    while len(items) < total:
        start = len(items)
        guard.check(start)
        page = ahead.pop(start, None)
        if isinstance(page, BaseException):
            raise page
        batch, total = _read_page(page or await fetch(start), key=key, what=what, start=start)
        items.extend(batch)
        if len(items) >= total:  # each page's own total: a listing that shrank ends early
            break
        if not batch:
            raise UpstreamError(
                f"Jira answered {what} with an empty page at startAt={start} of {total}; "
                "stopped instead of looping",
                service=SERVICE,
            )
    return items


def _read_page(
    page: JSONObject, *, key: str, what: str, start: int
) -> tuple[list[JSONObject], int]:
    """A page's items and `total`, or an error if it has no total or another `startAt`."""
    batch = page.get(key) or []
    total = page.get("total")
    if not isinstance(total, int) or page.get("startAt", start) != start:
        raise UpstreamError(
            f"Jira answered {what} at startAt={start} with a page that has no total "
            f"or another startAt ({page.get('startAt')!r}); stopped",
            service=SERVICE,
        )
    log.debug("jira.page_fetched", what=what, items=len(batch), total=total)
    return list(batch), total


class JiraDataCenterApi(BaseJiraApi):
    """Jira Data Center 8.14+ (Bearer PAT): `/rest/api/2` and Agile 1.0."""

    platform = DC_PLATFORM
    auth_hint = PAT_HINT

    async def search(
        self, jql: str, fields: Sequence[str], *, page_size: int = SEARCH_PAGE_SIZE
    ) -> list[JSONObject]:
        """`POST /rest/api/2/search` pages `{startAt, maxResults, total, issues}` (A.9)."""
        what = f"the issue search {jql!r}"

        async def page(start_at: int) -> JSONObject:
            body: JSONObject = {
                "jql": jql,
                "startAt": start_at,
                "maxResults": page_size,
                "fields": list(fields),
            }
            return await self._post(
                SEARCH_PATH, body, what=what, not_found=f"{SEARCH_PATH} not found on this Jira"
            )

        return await follow_offsets(page, key="issues", what=what)

    async def search_ids(self, jql: str) -> list[JSONObject]:
        """Every issue matching `jql` as `{id, key, fields: {updated}}`, 1000 a page asked."""
        return await self.search(jql, ID_SEARCH_FIELDS, page_size=ID_SEARCH_PAGE_SIZE)

    async def fetch_histories(
        self,
        issues: Sequence[JSONObject],
        field_ids: Sequence[str],  # noqa: ARG002 - DC returns every field's history
    ) -> dict[str, list[JSONObject]]:
        """Issue id -> every history, one issue at a time per slot (no bulkfetch on DC)."""
        found = await self.fetch_issues(issues, ("created",))
        return {issue_id: histories for issue_id, (_bean, histories) in found.items()}

    async def fetch_issues(
        self, issues: Sequence[JSONObject], fields: Sequence[str]
    ) -> dict[str, tuple[JSONObject, list[JSONObject]]]:
        """Issue id -> its bean with `fields` and every history, a few issues at a time."""
        gate = asyncio.Semaphore(MAX_CONCURRENT_ISSUES)

        async def one(issue: JSONObject) -> tuple[JSONObject, list[JSONObject]]:
            async with gate:
                return await self.fetch_issue(str(issue["key"]), fields)

        try:
            async with asyncio.TaskGroup() as group:
                tasks = {str(i["id"]): group.create_task(one(i)) for i in issues}
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        return {issue_id: task.result() for issue_id, task in tasks.items()}

    async def fetch_issue_histories(self, key: str) -> list[JSONObject]:
        """Every history of one issue (module docstring: embedded, then paged if cut)."""
        _bean, histories = await self.fetch_issue(key, ("created",))
        return histories

    async def fetch_issue(
        self, key: str, fields: Sequence[str]
    ) -> tuple[JSONObject, list[JSONObject]]:
        """`GET /rest/api/2/issue/{key}?expand=changelog&fields=…`; the rest from `/changelog`.

        The bean with `fields`, and every history: the embedded ones, or all of them from
        `/rest/api/2/issue/{key}/changelog` when the embedded changelog is cut.
        """
        what = f"the changelog of {key}"
        issue = to_object(
            await self._get(
                f"{DC_PLATFORM}/issue/{key}",
                what=what,
                not_found=f"issue {key} not found or not visible",
                expand="changelog",
                fields=",".join(fields),
            ),
            what=what,
        )
        changelog = issue.pop("changelog", None) or {}
        histories: list[JSONObject] = changelog.get("histories") or []
        total = changelog.get("total")
        if not isinstance(total, int) or total <= len(histories):
            return issue, histories
        return issue, await self._page_changelog(key, total=total, embedded=len(histories))

    async def _page_changelog(self, key: str, *, total: int, embedded: int) -> list[JSONObject]:
        path = f"{DC_PLATFORM}/issue/{key}/changelog"
        what = f"the changelog of {key}"

        async def page(start_at: int) -> JSONObject:
            found = await self._get(
                path, what=what, not_found=path, startAt=start_at, maxResults=CHANGELOG_PAGE_SIZE
            )
            return to_object(found, what=what)

        try:
            return await follow_offsets(page, key="values", what=what)
        except UpstreamError as error:
            if error.status != 404:
                raise
            raise UpstreamError(
                f"issue {key} has {total} change histories but Jira embedded only {embedded} "
                f"and has no {path} to page through the rest; stopped rather than compute "
                "figures from a partial history",
                service=SERVICE,
                status=404,
            ) from None
