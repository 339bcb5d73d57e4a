"""JiraCloudSource and JiraDataCenterSource: a Jira sprint and its issues' histories."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import structlog

from sprintsync.domain import JSON, JSONObject, SprintData, TrackedIssue
from sprintsync.http import gather_all
from sprintsync.sources.jira.api import BaseJiraApi, JiraApi
from sprintsync.sources.jira.api_dc import JiraDataCenterApi
from sprintsync.sources.jira.cache import user_zone
from sprintsync.sources.jira.changelog import (
    Change,
    build_points_notices,
    mentions_sprint,
    to_changes,
)
from sprintsync.sources.jira.comments import add_flag_notes, adf_body_text, wiki_body_text
from sprintsync.sources.jira.incremental import (
    CacheOptions,
    CachingFetch,
    CachingPipeline,
    fetch_with_cache,
)
from sprintsync.sources.jira.incremental_dc import DataCenterFetch
from sprintsync.sources.jira.issue import IssueContext, to_tracked_issue
from sprintsync.sources.jira.parse import (
    BoardConfig,
    FieldIds,
    StateMap,
    select_sprint,
    to_board_config,
    to_field_ids,
    to_sprint,
    unique_by_id,
)
from sprintsync.sources.jira.pipeline import CloudPipeline

log = structlog.get_logger("sprintsync.jira")

BASE_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "assignee",
    "created",
    "updated",
    "description",
    "issuelinks",
    "parent",
    "labels",
)
# JQL dates are read in the searching user's time zone; a day's margin covers every offset,
# and the changelog decides which candidates really left the sprint.
REMOVED_SEARCH_MARGIN = timedelta(days=1)
JQL_DATE_FORMAT = "%Y/%m/%d %H:%M"


def build_sprint_jql(sprint_id: str) -> str:
    """Issues whose Sprint field holds the sprint now (bounded: a restriction on sprint)."""
    return f"sprint = {sprint_id}"


def build_removed_jql(*, sprint_id: str, since: datetime, scope: str | None = None) -> str:
    """Issues updated since `since` that are not in the sprint now (removal candidates).

    No board filter or project by default: an issue moved to another project and then removed
    from the sprint matches neither, yet belongs to the report (SEMANTICS §2); the `updated`
    and `sprint` clauses bound the query (A.1). `scope` (`filter = F`, `project = K`) narrows
    it when given. `sprint != S` alone drops issues whose Sprint field is empty, hence the
    `is EMPTY` branch.
    """
    moment = (since - REMOVED_SEARCH_MARGIN).strftime(JQL_DATE_FORMAT)
    jql = f'updated >= "{moment}" AND (sprint != {sprint_id} OR sprint is EMPTY)'
    return f"{scope} AND {jql}" if scope else jql


def build_removed_scope(config: BoardConfig) -> str | None:
    """The board's filter as a JQL restriction, else its project, else nothing."""
    if config.filter_id:
        return f"filter = {config.filter_id}"
    if config.project_key:
        return f'project = "{config.project_key}"'
    return None


def build_search_fields(ids: FieldIds) -> list[str]:
    """The explicit `fields` list (the enhanced search returns only `id` by default, A.1)."""
    custom = [ids.sprint, ids.estimate, *([ids.flagged] if ids.flagged else [])]
    return list(dict.fromkeys([*BASE_FIELDS, *custom]))


def build_changelog_fields(ids: FieldIds) -> list[str]:  # noqa: ARG001 - the decision lives here
    """No bulkfetch `fieldIds` filter: every item is asked for, `classify` selects them.

    Custom-field items (Flagged, story points, sometimes Sprint) often carry no `fieldId`
    (API-NOTES A.2.3), and a `fieldIds` filter can drop such items (STYLE.md known trap 10):
    a flag raised and cleared would vanish. `classify` matches by `fieldId` or `field` name.
    """
    return []


class JiraSource:
    """Reads one sprint of a Jira Scrum board through an injected `httpx.AsyncClient`.

    The deployment decides only the API (`api_class`); the parsing is the same.
    """

    api_class: type[BaseJiraApi] = JiraApi
    comment_text: staticmethod[[JSON], str] = staticmethod(adf_body_text)

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        board: int,
        sprint: int | str = "active",
        done_statuses: tuple[str, ...] | None = None,
        estimation_field: str | None = None,
        base_url_for_links: str,
        cache: CacheOptions | None = None,
    ) -> None:
        self._api = self.api_class(client, board=board)
        self._cache = cache  # the per-sprint cache (modules `incremental`, `incremental_dc`)
        self._user_zone: ZoneInfo | None = None
        self._board = board
        self._sprint = sprint
        self._done_statuses = done_statuses
        self._estimation_field = estimation_field
        self._base_url = base_url_for_links.rstrip("/")

    async def fetch(self, *, cutoff: datetime) -> SprintData:
        """The sprint and the histories of every issue that was in it at some moment."""
        # All four at once; `myself` first in the list, so its 401 (with the hint) wins.
        me, raw_sprints, raw_config, raw_fields = await gather_all(
            self._api.fetch_myself(),
            self._api.fetch_sprints(),
            self._api.fetch_board_config(),
            self._api.fetch_fields(),
        )
        self._user_zone = user_zone(me)  # the zone Jira reads our JQL dates in
        board_url = f"{self._base_url}/secure/RapidBoard.jspa?rapidView={self._board}"
        sprint = to_sprint(
            select_sprint(raw_sprints, self._sprint, board=self._board), board_url=board_url
        )
        config = to_board_config(raw_config)
        ids = to_field_ids(
            raw_fields,
            estimate=self._estimation_field or config.estimation_field,
            board=self._board,
        )
        context = IssueContext(
            sprint_id=sprint.id,
            fields=ids,
            states=StateMap(config, self._done_statuses),
            base_url=self._base_url,
        )
        tracked, notices = await self._fetch_tracked(
            config, context, since=sprint.start, cutoff=cutoff
        )
        # After the cache: comments are asked again each run, only for issues whose flag was
        # cleared in the window, so a cached rerun and a full one read the same notes.
        tracked = await add_flag_notes(
            self._api, tracked, since=sprint.start, cutoff=cutoff, text_of=self.comment_text
        )
        log.info("jira.sprint_fetched", board=self._board, sprint=sprint.id, issues=len(tracked))
        return SprintData(
            sprint=sprint, issues=tracked, tracker_url=self._base_url, notices=notices
        )

    def _removed_search(
        self,
        config: BoardConfig,  # noqa: ARG002 - candidates are searched outside the board too
        context: IssueContext,
        *,
        since: datetime,
    ) -> tuple[str | None, tuple[str, ...]]:
        """The JQL of the removal candidates wherever they live now (SEMANTICS §2)."""
        return build_removed_jql(sprint_id=context.sprint_id, since=since), ()

    async def _fetch_tracked(
        self, config: BoardConfig, context: IssueContext, *, since: datetime, cutoff: datetime
    ) -> tuple[tuple[TrackedIssue, ...], tuple[str, ...]]:
        """The issues one after another: whole searches, then every changelog (Data Center)."""
        issues, notices = await self._fetch_issues(config, context, since=since)
        notices += build_points_notices(issues, context.fields.estimate)
        tracked = tuple(
            to_tracked_issue(raw, changes, context, cutoff=cutoff) for raw, changes in issues
        )
        return tracked, notices

    async def _fetch_issues(
        self, config: BoardConfig, context: IssueContext, *, since: datetime
    ) -> tuple[list[tuple[JSONObject, list[Change]]], tuple[str, ...]]:
        fields = build_search_fields(context.fields)
        current = unique_by_id(await self._api.search(build_sprint_jql(context.sprint_id), fields))
        candidates: list[JSONObject] = []
        jql, notices = self._removed_search(config, context, since=since)
        if jql:
            candidates = unique_by_id(await self._api.search(jql, fields))
        known = {str(i["id"]) for i in current}
        candidates = [c for c in candidates if str(c["id"]) not in known]
        everyone = [*current, *candidates]
        histories = await self._api.fetch_histories(
            everyone, build_changelog_fields(context.fields)
        )
        changes = {key: to_changes(h, context.fields) for key, h in histories.items()}
        removed = [
            c
            for c in candidates
            if mentions_sprint(changes.get(str(c["id"]), []), context.sprint_id)
        ]
        log.debug("jira.removal_candidates", candidates=len(candidates), removed=len(removed))
        return [(i, changes.get(str(i["id"]), [])) for i in [*current, *removed]], notices

    async def _fetch_cached(
        self,
        fetch: CachingFetch,
        options: CacheOptions,
        *,
        settings: tuple[object, ...],
        searches: tuple[str, str | None],
    ) -> list[TrackedIssue]:
        """The issues through `fetch` from the sprint's cache, which is then written back."""
        return await fetch_with_cache(
            fetch,
            options=options,
            board=self._board,
            settings=f"{settings!r} {searches!r}",
            zone=self._user_zone,
            jql=searches,
        )


class JiraCloudSource(JiraSource):
    """Jira Cloud: id-only search, then issue and changelog bulk fetches at once (Basic auth)."""

    api_class = JiraApi

    async def _fetch_tracked(
        self, config: BoardConfig, context: IssueContext, *, since: datetime, cutoff: datetime
    ) -> tuple[tuple[TrackedIssue, ...], tuple[str, ...]]:
        """The issues through the Cloud pipeline (module `pipeline`): the API's floor."""
        if not isinstance(self._api, JiraApi):  # pragma: no cover - api_class is JiraApi
            raise TypeError("JiraCloudSource needs the Cloud API")
        jql, notices = self._removed_search(config, context, since=since)
        fields = build_search_fields(context.fields)
        changelog_fields = build_changelog_fields(context.fields)
        kind = CloudPipeline if self._cache is None else CachingPipeline
        pipeline = kind(
            self._api, context, fields=fields, changelog_fields=changelog_fields, cutoff=cutoff
        )
        searches = (build_sprint_jql(context.sprint_id), jql)
        if isinstance(pipeline, CachingPipeline) and self._cache is not None:
            settings = (self._base_url, self._board, context, fields, changelog_fields)
            issues = await self._fetch_cached(
                pipeline, self._cache, settings=settings, searches=searches
            )
        else:
            issues = await pipeline.run(*searches)
        return tuple(issues), notices + pipeline.points_notices()


class JiraDataCenterSource(JiraSource):
    """Jira Data Center: REST v2 search and per-issue changelogs (Bearer PAT, A.9)."""

    api_class = JiraDataCenterApi
    comment_text = staticmethod(wiki_body_text)  # REST v2: wiki-markup string bodies

    async def _fetch_tracked(
        self, config: BoardConfig, context: IssueContext, *, since: datetime, cutoff: datetime
    ) -> tuple[tuple[TrackedIssue, ...], tuple[str, ...]]:
        """With a cache: changelogs only of the issues changed since it (`incremental_dc`)."""
        if self._cache is None:
            return await super()._fetch_tracked(config, context, since=since, cutoff=cutoff)
        if not isinstance(self._api, JiraDataCenterApi):  # pragma: no cover - api_class is DC's
            raise TypeError("JiraDataCenterSource needs the Data Center API")
        jql, notices = self._removed_search(config, context, since=since)
        fields = build_search_fields(context.fields)
        fetch = DataCenterFetch(self._api, context, fields=fields, cutoff=cutoff)
        settings = ("datacenter", self._base_url, self._board, context, fields)
        searches = (build_sprint_jql(context.sprint_id), jql)
        issues = await self._fetch_cached(fetch, self._cache, settings=settings, searches=searches)
        return tuple(issues), notices + fetch.points_notices()
