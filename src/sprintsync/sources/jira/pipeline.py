"""Jira Cloud at the API's floor: id-only searches, then every bulk fetch at once.

The sprint's ids come from an id-only `search/jql`; as each page of ids arrives, its
`issue/bulkfetch` (100 ids) and `changelog/bulkfetch` (1000 ids) requests start, all under
the run's per-host limit. Removal candidates (the board's issues updated since the start that
are not in the sprint now) get their changelogs first; only those whose changelog mentions
the sprint have their fields fetched. Each answer is parsed into compact per-issue values at
once and its JSON dropped, so memory follows the issues, not the raw responses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator, Sequence
from datetime import datetime
from typing import Any

import structlog

from sprintsync.domain import TrackedIssue
from sprintsync.sources.jira.api import MAX_BULK_FETCH_ISSUES, MAX_BULK_ISSUES, JiraApi
from sprintsync.sources.jira.changelog import (
    Change,
    build_points_notices,
    mentions_sprint,
    to_changes,
    unusable_points,
)
from sprintsync.sources.jira.compact import CompactIssue, to_compact_issue, to_issue
from sprintsync.sources.jira.issue import IssueContext

log = structlog.get_logger("sprintsync.jira")


def chunks(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    """`ids` in consecutive lists of at most `size`."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class CloudPipeline:
    """One sprint's issues from Jira Cloud: ids, then fields and changelogs concurrently."""

    def __init__(
        self,
        api: JiraApi,
        context: IssueContext,
        *,
        fields: Sequence[str],
        changelog_fields: Sequence[str],
        cutoff: datetime,
    ) -> None:
        self._api = api
        self._context = context
        self._fields = list(fields)
        self._changelog_fields = list(changelog_fields)
        self._cutoff = cutoff
        self._compact: dict[str, CompactIssue] = {}
        self._changes: dict[str, list[Change]] = {}
        self._built: dict[str, TrackedIssue] = {}
        self._unusable: list[tuple[dict[str, Any], list[Change]]] = []  # for the notices
        self._group: asyncio.TaskGroup | None = None

    async def run(self, sprint_jql: str, removed_jql: str | None) -> list[TrackedIssue]:
        """The sprint's issues in search order, then the removed ones in search order."""
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                removal = group.create_task(self._all_ids(removed_jql)) if removed_jql else None
                current = await self._current(sprint_jql)
                candidates = await removal if removal else []
                known = set(current)
                fresh = [c for c in dict.fromkeys(candidates) if c not in known]
                removed: list[str] = []
                for chunk in chunks(fresh, MAX_BULK_ISSUES):
                    self._start(self._candidates(chunk, removed))
        except ExceptionGroup as failed:
            raise _first(failed) from None
        log.debug("jira.removal_candidates", candidates=len(fresh), removed=len(removed))
        position = {issue_id: n for n, issue_id in enumerate(fresh)}
        ordered = [*current, *sorted(removed, key=position.__getitem__)]
        missing = [i for i in ordered if i not in self._built]
        if missing:
            log.warning("jira.issues_vanished", issues=len(missing), ids=missing[:10])
        return [self._built[i] for i in ordered if i in self._built]

    def points_notices(self) -> tuple[str, ...]:
        """The data-quality notice of estimates that were no usable number (after `run`)."""
        return build_points_notices(self._unusable, self._context.fields.estimate)

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the pipeline's task group (a failure cancels the rest)."""
        if self._group is None:  # pragma: no cover - only called inside `run`
            raise RuntimeError("the pipeline is not running")
        self._group.create_task(work)

    async def _all_ids(self, jql: str | None) -> list[str]:
        if jql is None:
            return []
        return [i async for page in self._api.search_ids(jql) for i in page]

    async def _current(self, jql: str) -> list[str]:
        """The sprint's ids; each page's bulk fetches start before the next page is asked."""
        ids: dict[str, None] = {}
        async for page in self._api.search_ids(jql):
            new = [i for i in dict.fromkeys(page) if i not in ids]
            ids.update(dict.fromkeys(new))
            for chunk in chunks(new, MAX_BULK_FETCH_ISSUES):
                self._start(self._issues(chunk))
            for chunk in chunks(new, MAX_BULK_ISSUES):
                self._start(self._changelogs(chunk))
        return list(ids)

    async def _issues(self, ids: Sequence[str]) -> None:
        for raw in await self._api.fetch_issue_page(ids, self._fields):
            compact = to_compact_issue(raw, self._context)
            if compact.issue_id in ids:
                self._compact[compact.issue_id] = compact
                self._build(compact.issue_id)

    async def _changelogs(self, ids: Sequence[str]) -> None:
        found = await self._fetch_changes(ids)
        for issue_id in ids:
            self._changes[issue_id] = found.get(issue_id, [])
            self._build(issue_id)

    async def _candidates(self, ids: Sequence[str], removed: list[str]) -> None:
        """Candidates' changelogs; the fields only of those that were in the sprint."""
        found = await self._fetch_changes(ids)
        left = [i for i in ids if mentions_sprint(found.get(i, []), self._context.sprint_id)]
        removed += left
        for issue_id in left:
            self._changes[issue_id] = found.get(issue_id, [])
        for chunk in chunks(left, MAX_BULK_FETCH_ISSUES):
            self._start(self._issues(chunk))

    async def _fetch_changes(self, ids: Sequence[str]) -> dict[str, list[Change]]:
        """Issue id -> its sorted changes, each page parsed as it arrives and then dropped."""
        found: dict[str, list[Change]] = {}
        async for page in self._api.changelog_pages(ids, self._changelog_fields):
            for entry in page.get("issueChangeLogs") or []:
                histories = entry.get("changeHistories") or []
                parsed = to_changes(histories, self._context.fields)
                found.setdefault(str(entry.get("issueId")), []).extend(parsed)
        # Pages are each sorted; the whole is sorted again like one list (API-NOTES A.2.3).
        return {i: sorted(c, key=lambda c: (c.moment, c.history_id)) for i, c in found.items()}

    def _build(self, issue_id: str) -> None:
        """The TrackedIssue once both its fields and its changes are in; both then dropped."""
        if issue_id in self._compact and issue_id in self._changes:
            compact = self._compact.pop(issue_id)
            changes = self._changes.pop(issue_id)
            raw = {"key": compact.key, "fields": compact.fields}
            if unusable_points(raw, changes, self._context.fields.estimate):
                self._unusable.append((raw, changes))
            self._built[issue_id] = to_issue(compact, changes, self._context, cutoff=self._cutoff)


def _first(failed: BaseExceptionGroup[Any]) -> BaseException:
    """The first leaf of an exception group (the failure a user should read)."""
    error: BaseException = failed
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
