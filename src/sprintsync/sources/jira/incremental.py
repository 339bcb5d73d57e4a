"""Incremental Jira reruns: the per-sprint cache read, refreshed and written back.

A rerun asks for the ids of the sprint and its removal candidates (one id-only search) and
for those of them updated since the cached fetch (a second one, `updated >= "…"` with an
overlap); only the updated and the unknown ones are fetched again. An issue gone from both
searches (deleted, or out of the board's scope) is dropped, as a full fetch would drop it.
Jira Cloud's fetch is `CachingPipeline` here; Data Center's is in module `incremental_dc`.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import structlog

import sprintsync
from sprintsync.domain import TrackedIssue
from sprintsync.errors import StateError
from sprintsync.sources.jira import adf, cache, changelog, compact, issue, parse, wiki
from sprintsync.sources.jira.api import MAX_BULK_FETCH_ISSUES, MAX_BULK_ISSUES
from sprintsync.sources.jira.cache import (
    CachedIssue,
    CacheRejectedError,
    Role,
    SprintCache,
    build_cache_key,
    build_refetch,
    build_since_jql,
    build_since_moment,
    build_union_jql,
    classify,
    from_document,
    to_document,
)
from sprintsync.sources.jira.changelog import build_points_notices
from sprintsync.sources.jira.issue import IssueContext
from sprintsync.sources.jira.pipeline import CloudPipeline, chunks
from sprintsync.state import JsonDocument

log = structlog.get_logger("sprintsync.jira")

# The modules whose output the cache holds: a cache written by other code is not trusted.
_CODE = (adf, cache, changelog, compact, issue, parse, wiki)


@dataclass(frozen=True, kw_only=True)
class CacheOptions:
    """Where a source keeps its sprint caches, the run's clock, and `--full` (ignore, rewrite)."""

    folder: Path
    now: datetime
    full: bool = False


class CachingFetch(Protocol):
    """A deployment's sprint fetch that can start from a cache and gives one back."""

    @property
    def sprint_id(self) -> str:
        """The sprint being fetched."""
        ...

    async def run(self, sprint_jql: str, removed_jql: str | None) -> list[TrackedIssue]:
        """The full fetch: the sprint's issues, then the removed ones."""
        ...

    async def rerun(
        self, previous: SprintCache, *, union_jql: str, since_jql: str
    ) -> list[TrackedIssue]:
        """The same issues from `previous` plus what changed since it."""
        ...

    def to_cache(self, *, key: str, fetched_at: datetime) -> SprintCache:
        """What the last `run` or `rerun` saw, as the next run's cache."""
        ...


def code_digest() -> str:
    """A digest of sprintsync's version and the parsing modules' source."""
    digest = hashlib.sha256(sprintsync.__version__.encode())
    for module in _CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def cache_file(folder: Path, *, board: int, sprint_id: str, context: str) -> JsonDocument:
    """The sprint's cache file: one per site, board, sprint and settings (`context`)."""
    short = hashlib.sha256(context.encode()).hexdigest()[:12]
    return JsonDocument(folder / f"jira-board{board}-sprint{sprint_id}-{short}.json")


class KeptSprint:
    """What a caching fetch saw of a sprint (roles, entries), as its notices and as a cache."""

    _context: IssueContext
    kept: dict[str, CachedIssue]  # at least the members and the removed
    members: list[str]
    removed: list[str]
    checked: set[str]

    @property
    def sprint_id(self) -> str:
        """The sprint being fetched."""
        return self._context.sprint_id

    def points_notices(self) -> tuple[str, ...]:
        """The unusable-estimate notice over the sprint's issues, in the report's order."""
        final = [self.kept[i] for i in (*self.members, *self.removed)]
        raws = [({"key": e.compact.key, "fields": e.compact.fields}, e.changes) for e in final]
        return build_points_notices(raws, self._context.fields.estimate)

    def keep_roles(
        self, previous: SprintCache, everyone: list[str], roles: dict[str, Role], *, fetched: int
    ) -> None:
        """Members, removed and checked from a rerun's roles (search order), and its log line."""
        self.members = [i for i in everyone if roles.get(i) == "member"]
        self.removed = [i for i in everyone if roles.get(i) == "removed"]
        self.checked = {i for i, role in roles.items() if role == "checked"}
        log.info(
            "jira.cache_used",
            issues=len(self.members) + len(self.removed),
            fetched=fetched,
            dropped=len(previous.issues.keys() - roles.keys()),
        )

    def to_cache(self, *, key: str, fetched_at: datetime) -> SprintCache:
        """What this fetch saw, as the next run's cache."""
        wanted = (*self.members, *self.removed)
        return SprintCache(
            key=key,
            fetched_at=fetched_at,
            members=tuple(self.members),
            removed=tuple(self.removed),
            checked=frozenset(self.checked),
            issues={i: self.kept[i] for i in wanted},
        )


class CachingPipeline(KeptSprint, CloudPipeline):
    """The Cloud pipeline that keeps what it built for the cache, and can start from one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - CloudPipeline's
        super().__init__(*args, **kwargs)
        self.kept: dict[str, CachedIssue] = {}
        self.members: list[str] = []
        self.removed: list[str] = []
        self.checked: set[str] = set()
        self._searched: list[str] = []
        self._candidates_seen: list[str] = []

    async def run(self, sprint_jql: str, removed_jql: str | None) -> list[TrackedIssue]:
        """The full fetch (module `pipeline`), remembering who is member, removed, checked."""
        issues = await super().run(sprint_jql, removed_jql)
        self.members = [i for i in self._searched if i in self._built]
        self.removed = [i for i in self._candidates_seen if i in self._built]
        self.checked = set(self._candidates_seen) - set(self.removed)
        return issues

    async def rerun(
        self, previous: SprintCache, *, union_jql: str, since_jql: str
    ) -> list[TrackedIssue]:
        """The sprint from `previous` plus every issue updated since it or unknown to it."""
        try:
            async with asyncio.TaskGroup() as group:
                self._group = group
                changed = group.create_task(self._all_ids(since_jql))
                everyone = list(dict.fromkeys(await self._all_ids(union_jql)))
                fetch = build_refetch(previous, everyone, set(await changed))
                for chunk in chunks(fetch, MAX_BULK_FETCH_ISSUES):
                    self._start(self._issues(chunk))
                for chunk in chunks(fetch, MAX_BULK_ISSUES):
                    self._start(self._changelogs(chunk))
        except ExceptionGroup as failed:
            raise _first(failed) from None
        roles = self._roles(previous, everyone, set(fetch))
        self.keep_roles(previous, everyone, roles, fetched=len(fetch))
        return [self._built[i] for i in (*self.members, *self.removed)]

    def _roles(
        self, previous: SprintCache, everyone: list[str], fetched: set[str]
    ) -> dict[str, Role]:
        """Each issue's role: decided again for the fetched ones, else as `previous` had it."""
        roles: dict[str, Role] = {}
        sprint_field = self._context.fields.sprint
        for issue_id in everyone:
            if issue_id in fetched:
                entry = self.kept.get(issue_id)
                if entry is not None:  # else vanished between the search and the fetch
                    sprint_id = self._context.sprint_id
                    roles[issue_id] = classify(
                        entry, sprint_id=sprint_id, sprint_field=sprint_field
                    )
                continue
            role = previous.role(issue_id)
            if role is None:  # pragma: no cover - build_refetch fetches every unknown id
                continue
            roles[issue_id] = role
            if role != "checked":
                entry = previous.issues[issue_id]
                self._compact[issue_id] = entry.compact
                self._changes[issue_id] = list(entry.changes)
                self._build(issue_id)
        return roles

    async def _current(self, jql: str) -> list[str]:
        self._searched = await super()._current(jql)
        return self._searched

    async def _candidates(self, ids: Any, removed: list[str]) -> None:  # noqa: ANN401 - as base
        self._candidates_seen.extend(ids)
        await super()._candidates(ids, removed)

    def _build(self, issue_id: str) -> None:
        if issue_id in self._compact and issue_id in self._changes:
            entry = CachedIssue(self._compact[issue_id], tuple(self._changes[issue_id]))
            self.kept[issue_id] = entry
        super()._build(issue_id)


def read_cache(document: JsonDocument, *, key: str, now: datetime) -> SprintCache | None:
    """The cache in `document` if it can be trusted; else None, with the reason logged."""
    try:
        raw = document.load()
    except StateError as error:
        log.warning("jira.cache_ignored", path=str(document.path), reason=str(error))
        return None
    if raw is None:
        return None
    try:
        found = from_document(raw, key=key)
    except CacheRejectedError as error:
        log.warning("jira.cache_ignored", path=str(document.path), reason=str(error))
        return None
    if found.fetched_at > now:
        reason = f"written at {found.fetched_at.isoformat()}, after this run's clock"
        log.info("jira.cache_ignored", path=str(document.path), reason=reason)  # a replay
        return None
    return found


def write_cache(document: JsonDocument, fresh: SprintCache) -> None:
    """Replace the cache file; a failure is logged, never the run's failure."""
    try:
        document.save(to_document(fresh))
    except StateError as error:
        log.warning("jira.cache_not_saved", path=str(document.path), reason=str(error))
        return
    log.debug("jira.cache_saved", path=str(document.path), issues=len(fresh.issues))


async def fetch_with_cache(
    pipeline: CachingFetch,
    *,
    options: CacheOptions,
    board: int,
    settings: str,
    zone: ZoneInfo | None,
    jql: tuple[str, str | None],
) -> list[TrackedIssue]:
    """The sprint's issues from its cache and what changed since (or in full), then saved.

    `settings` is everything else the issues were read with (site, fields, board columns,
    the searches): a cache written with other settings, or by other code, is not used.
    """
    sprint_jql, removed_jql = jql
    sprint_id = pipeline.sprint_id
    document = cache_file(options.folder, board=board, sprint_id=sprint_id, context=settings)
    key = build_cache_key(code_digest(), settings)
    previous = None if options.full else read_cache(document, key=key, now=options.now)
    if previous is None:
        issues = await pipeline.run(sprint_jql, removed_jql)
    else:
        union = build_union_jql(sprint_jql, removed_jql)
        since = build_since_jql(union, build_since_moment(previous.fetched_at, zone))
        issues = await pipeline.rerun(previous, union_jql=union, since_jql=since)
    write_cache(document, pipeline.to_cache(key=key, fetched_at=options.now))
    return issues


def _first(failed: BaseExceptionGroup[Any]) -> BaseException:
    """The first leaf of an exception group (the failure a user should read)."""
    error: BaseException = failed
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
