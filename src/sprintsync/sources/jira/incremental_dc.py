"""Incremental Jira Data Center reruns: changelogs fetched again only for what changed.

A full fetch is Data Center's usual one (the sprint and its removal candidates searched with
their fields, then one `GET /rest/api/2/issue/{key}?expand=changelog` per issue), keeping each
issue's compact values and changes for the cache (module `cache`, as on Cloud). A rerun sends
two one-field searches at once: the sprint and its candidates, and those of them updated since
the cached fetch less the overlap, in the user's zone (`cache.build_since_moment`). Only the
updated ones, the ones the cache does not know, and the ones whose `updated` is not the cached
one are fetched again, fields and changelog in one request each. An issue in neither search
(deleted, or out of the candidates' window) is dropped, as a full fetch would drop it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import structlog

from sprintsync.domain import JSONObject, TrackedIssue
from sprintsync.http import gather_all
from sprintsync.sources.jira.api_dc import JiraDataCenterApi
from sprintsync.sources.jira.cache import (
    CachedIssue,
    Role,
    SprintCache,
    build_refetch,
    classify,
)
from sprintsync.sources.jira.changelog import mentions_sprint, to_changes
from sprintsync.sources.jira.compact import to_compact_issue, to_issue
from sprintsync.sources.jira.incremental import KeptSprint
from sprintsync.sources.jira.issue import IssueContext
from sprintsync.sources.jira.parse import unique_by_id

log = structlog.get_logger("sprintsync.jira")


def _id(raw: Mapping[str, object]) -> str:
    return str(raw["id"])


def build_edited(previous: SprintCache, hits: Sequence[JSONObject]) -> set[str]:
    """Ids whose `updated` in a one-field search answer is not the cached one.

    The `updated >=` search decides on Jira's clock, this on the issue's own value: a clock
    that runs ahead of Jira's by more than the overlap cannot hide an edit of a cached issue.
    """
    edited = set()
    for hit in hits:
        entry = previous.issues.get(_id(hit))
        updated = (hit.get("fields") or {}).get("updated")
        if entry is not None and entry.compact.updated != updated:
            edited.add(_id(hit))
    return edited


class DataCenterFetch(KeptSprint):
    """One Data Center sprint's issues, fetched in full or from a cache (`CachingFetch`)."""

    def __init__(
        self,
        api: JiraDataCenterApi,
        context: IssueContext,
        *,
        fields: Sequence[str],
        cutoff: datetime,
    ) -> None:
        self._api = api
        self._context = context
        self._fields = list(fields)
        self._cutoff = cutoff
        self.kept: dict[str, CachedIssue] = {}
        self.members: list[str] = []
        self.removed: list[str] = []
        self.checked: set[str] = set()

    async def run(self, sprint_jql: str, removed_jql: str | None) -> list[TrackedIssue]:
        """Both searches with fields, every changelog: the sprint's, then the removed ones."""
        searches = [self._api.search(sprint_jql, self._fields)]
        if removed_jql:
            searches.append(self._api.search(removed_jql, self._fields))
        current, *rest = [unique_by_id(found) for found in await gather_all(*searches)]
        known = {_id(i) for i in current}
        candidates = [c for c in (rest[0] if rest else []) if _id(c) not in known]
        histories = await self._api.fetch_histories([*current, *candidates], ())
        for raw in [*current, *candidates]:
            self._keep(raw, histories.get(_id(raw), []))
        self.members = [_id(i) for i in current]
        self.removed = [
            _id(c) for c in candidates if mentions_sprint(self.kept[_id(c)].changes, self.sprint_id)
        ]
        self.checked = {_id(c) for c in candidates} - set(self.removed)
        log.debug("jira.removal_candidates", candidates=len(candidates), removed=len(self.removed))
        return self._tracked()

    async def rerun(
        self, previous: SprintCache, *, union_jql: str, since_jql: str
    ) -> list[TrackedIssue]:
        """The sprint from `previous` plus every issue updated since it or unknown to it."""
        hits, updated = await gather_all(
            self._api.search_ids(union_jql), self._api.search_ids(since_jql)
        )
        by_id = {_id(hit): hit for hit in hits}
        everyone = list(by_id)
        changed = {_id(hit) for hit in updated} | build_edited(previous, hits)
        fetch = build_refetch(previous, everyone, changed)
        found = await self._api.fetch_issues([by_id[i] for i in fetch], self._fields)
        roles: dict[str, Role] = {}
        for issue_id in everyone:
            role = self._role(previous, issue_id, found.get(issue_id))
            if role is not None:
                roles[issue_id] = role
        self.keep_roles(previous, everyone, roles, fetched=len(fetch))
        return self._tracked()

    def _role(
        self,
        previous: SprintCache,
        issue_id: str,
        fetched: tuple[JSONObject, list[JSONObject]] | None,
    ) -> Role | None:
        """Decided again for a fetched issue, else as `previous` had it (its entry kept)."""
        if fetched is not None:
            entry = self._keep(*fetched)
            return classify(
                entry, sprint_id=self.sprint_id, sprint_field=self._context.fields.sprint
            )
        role = previous.role(issue_id)  # not None: build_refetch fetches every unknown id
        if role in ("member", "removed"):
            self.kept[issue_id] = previous.issues[issue_id]
        return role

    def _keep(self, raw: JSONObject, histories: Sequence[JSONObject]) -> CachedIssue:
        compact = to_compact_issue(raw, self._context)
        entry = CachedIssue(compact, tuple(to_changes(histories, self._context.fields)))
        self.kept[compact.issue_id] = entry
        return entry

    def _tracked(self) -> list[TrackedIssue]:
        context, cutoff = self._context, self._cutoff
        final = [self.kept[i] for i in (*self.members, *self.removed)]
        return [to_issue(e.compact, e.changes, context, cutoff=cutoff) for e in final]
