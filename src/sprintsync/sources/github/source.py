"""GitHubProjectsSource: a Projects (v2) iteration and its items' histories from snapshots."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import structlog

from sprintsync.domain import Snapshot, Sprint, SprintData, TrackedIssue
from sprintsync.errors import UpstreamError
from sprintsync.http import PageGuard, max_pages_for
from sprintsync.sources.github.blocked import BlockedMarker
from sprintsync.sources.github.graphql import (
    SERVICE,
    TOKEN_KINDS,
    GraphQLAnswer,
    GraphQLClient,
    describe_errors,
    error_types,
)
from sprintsync.sources.github.history import HistoryRules, build_histories
from sprintsync.sources.github.queries import (
    ITEMS_BY_OWNER_KIND,
    ITEMS_PAGE_SIZE,
    ITEMS_WITH_BLOCKED_BY_OWNER_KIND,
    PROJECT_FIELDS,
)
from sprintsync.sources.github.wire import (
    CurrentItem,
    Iteration,
    ProjectInfo,
    build_points_notices,
    select_iteration,
    to_current_item,
    to_project_info,
    to_sprint,
    unique_items,
)
from sprintsync.state import SnapshotStore

log = structlog.get_logger("sprintsync.sources.github")

OWNER_KINDS = ("organization", "user")


class GitHubProjectsSource:
    """A GitHub Projects (v2) board: one iteration per report, history from local snapshots."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        owner: str,
        project: int,
        iteration: str,
        iteration_field: str,
        points_field: str,
        status_field: str,
        done: tuple[str, ...],
        in_progress: tuple[str, ...],
        blocked: BlockedMarker | None = None,
        store: SnapshotStore,
        now: datetime,
        timezone: ZoneInfo,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._graphql = GraphQLClient(client, now=now, sleep=sleep)
        self._owner = owner
        self._number = project
        self._iteration = iteration
        self._fields = {
            "iteration_field": iteration_field,
            "points_field": points_field,
            "status_field": status_field,
        }
        self._done = done
        self._in_progress = in_progress
        self._blocked = blocked
        self._store = store
        self._now = now
        self._timezone = timezone

    @property
    def now(self) -> datetime:
        """The run's clock: when a snapshot taken now is taken."""
        return self._now

    @property
    def timezone(self) -> ZoneInfo:
        """The team's time zone, in which an iteration starts and ends."""
        return self._timezone

    @property
    def _where(self) -> str:
        return f"GitHub project {self._owner}/{self._number}"

    @property
    def _blocked_field(self) -> str | None:
        return self._blocked.field if self._blocked is not None else None

    @property
    def _store_key(self) -> str:
        return f"{self._owner.lower()}/{self._number}"

    async def fetch(self, *, cutoff: datetime) -> SprintData:
        """The iteration as a Sprint and every item seen in it, after storing today's snapshot."""
        info = await self.fetch_project()
        cutoff_day = cutoff.astimezone(self._timezone).date()
        iteration = select_iteration(
            info.iterations, self._iteration, cutoff_day=cutoff_day, where=self._where
        )
        sprint = to_sprint(iteration, timezone=self._timezone, cutoff=cutoff, url=info.url)
        current = await self.fetch_items(info.owner_kind)
        self._save_snapshot(iteration, current)
        snapshots = self._store.snapshots(project=self._store_key, iteration=iteration.id)
        return self._sprint_data(sprint, info, snapshots, current, log_assumptions=True)

    def stored_snapshot_times(self, iteration: Iteration) -> tuple[datetime, ...]:
        """When each stored snapshot of `iteration` was taken, oldest first."""
        return self._store.snapshot_times(project=self._store_key, iteration=iteration.id)

    def replay(
        self,
        iteration: Iteration,
        *,
        info: ProjectInfo,
        current: list[CurrentItem],
        cutoff: datetime,
    ) -> SprintData:
        """`iteration` as a run for it at this clock would see it, storing nothing.

        Its stored snapshots plus the project as `current` shows it now (the snapshot such a
        run would store first); with no stored snapshot, that one alone.
        """
        stored = self._store.snapshots(project=self._store_key, iteration=iteration.id)
        snapshots = stored
        if all(s.taken_at != self._now for s in stored):
            now = Snapshot(self._now, tuple(c.snapshot for c in current))
            snapshots = tuple(sorted((*stored, now), key=lambda s: s.taken_at))
        sprint = to_sprint(iteration, timezone=self._timezone, cutoff=cutoff, url=info.url)
        return self._sprint_data(sprint, info, snapshots, current, log_assumptions=False)

    def _sprint_data(
        self,
        sprint: Sprint,
        info: ProjectInfo,
        snapshots: tuple[Snapshot, ...],
        current: list[CurrentItem],
        *,
        log_assumptions: bool,
    ) -> SprintData:
        """The iteration's SprintData from its snapshots, enriched by the items as they are now."""
        iteration_id = sprint.id
        rules = HistoryRules(
            iteration_id=iteration_id,
            start=sprint.start,
            done=self._done,
            in_progress=self._in_progress,
            blocked=self._blocked,
        )
        histories = build_histories(snapshots, rules)
        by_id = {item.snapshot.item_id: item for item in current}
        issues = tuple(_enrich(issue, by_id.get(i)) for i, issue in histories.issues.items())
        for notice in histories.notices if log_assumptions else ():
            log.warning("github.history_assumption", project=self._where, notice=notice)
        in_iteration = [c for c in current if c.snapshot.iteration_id == iteration_id]
        notices = (*histories.notices, *build_points_notices(in_iteration))
        return SprintData(sprint=sprint, issues=issues, tracker_url=info.url, notices=notices)

    def _save_snapshot(self, iteration: Iteration, current: list[CurrentItem]) -> None:
        """Store every item of the project: the one that joins the iteration tomorrow too.

        The previous snapshot of the whole project holds an added item's estimate from before
        it joined (SEMANTICS §3 `initial_estimate` when it is re-estimated the same day).
        """
        items = [c.snapshot for c in current]
        stored = self._store.save_snapshot(
            project=self._store_key, iteration=iteration.id, taken_at=self._now, items=items
        )
        log.info("github.snapshot_saved", iteration=iteration.title, items=len(items), new=stored)

    async def fetch_project(self) -> ProjectInfo:
        """Find the project (organization or user owner) and its fields' configuration."""
        variables = {"login": self._owner, "number": self._number}
        answer = await self._graphql.query(PROJECT_FIELDS, variables, what=f"{self._where} fields")
        _raise_for_access(answer, self._where)
        for kind in OWNER_KINDS:
            owner = answer.data.get(kind)
            if owner and owner.get("projectV2"):
                return to_project_info(
                    owner["projectV2"],
                    owner_kind=kind,
                    where=self._where,
                    field_names=self._fields,
                    blocked=self._blocked,
                )
        raise _not_found(answer, self._where, self._owner)

    async def fetch_items(self, owner_kind: str) -> list[CurrentItem]:
        """Every item of the project (all iterations: a moved item must still be seen)."""
        items: list[CurrentItem] = []
        after: str | None = None
        guard = PageGuard(
            repeated=lambda cursor: UpstreamError(
                f"{self._where}: GitHub repeated the items cursor {cursor!r}", service=SERVICE
            )
        )
        guard.check(after)  # the first page; a missing next cursor would ask for it again
        while True:
            page = await self._items_page(owner_kind, after)
            items += [
                to_current_item(node, blocked_field=self._blocked_field) for node in page["nodes"]
            ]
            log.info("github.page_fetched", project=self._where, items=len(items))
            cursor = page["pageInfo"]["endCursor"]
            if not page["pageInfo"]["hasNextPage"]:
                return unique_items(items)
            guard.cap(max_pages_for(page.get("totalCount"), ITEMS_PAGE_SIZE))
            guard.check(cursor or None, items=[node["id"] for node in page["nodes"]])
            after = cursor

    async def _items_page(self, owner_kind: str, after: str | None) -> dict[str, Any]:
        variables: dict[str, Any] = {"login": self._owner, "number": self._number, "after": after}
        variables |= {
            "iterationField": self._fields["iteration_field"],
            "pointsField": self._fields["points_field"],
            "statusField": self._fields["status_field"],
        }
        document = ITEMS_BY_OWNER_KIND[owner_kind]
        if self._blocked_field is not None:
            variables["blockedField"] = self._blocked_field
            document = ITEMS_WITH_BLOCKED_BY_OWNER_KIND[owner_kind]
        answer = await self._graphql.query(document, variables, what=f"{self._where} items")
        _raise_for_access(answer, self._where)
        if answer.errors:
            raise UpstreamError(
                f"{self._where}: GitHub answered the items query with errors: "
                f"{describe_errors(answer.errors)}",
                service=SERVICE,
            )
        project = (answer.data.get(owner_kind) or {}).get("projectV2")
        if not project:
            raise _not_found(answer, self._where, self._owner)
        items: dict[str, Any] = project["items"]
        return items


def _raise_for_access(answer: GraphQLAnswer, where: str) -> None:
    """INSUFFICIENT_SCOPES / FORBIDDEN: say which token kinds can read a project."""
    kinds = error_types(answer.errors)
    if kinds & {"INSUFFICIENT_SCOPES", "FORBIDDEN"}:
        raise UpstreamError(
            f"{where}: the token cannot read this project ({describe_errors(answer.errors)}); "
            f"{TOKEN_KINDS}",
            service=SERVICE,
            status=200,
        )


def _not_found(answer: GraphQLAnswer, where: str, owner: str) -> UpstreamError:
    missing_owners = {tuple(e.get("path") or ()) for e in answer.errors}
    if all((kind,) in missing_owners for kind in OWNER_KINDS):
        message = f"{where}: GitHub has no organization or user {owner!r}"
    else:
        message = (
            f"{where}: not found, or not visible to this token "
            f"({describe_errors(answer.errors) or 'no project data'}); {TOKEN_KINDS}"
        )
    return UpstreamError(message, service=SERVICE, status=200)


def _enrich(issue: TrackedIssue, current: CurrentItem | None) -> TrackedIssue:
    if current is None:
        return issue
    return dataclasses.replace(
        issue,
        issue_type=current.issue_type,
        labels=current.labels,
        assignee=current.assignee,
    )
