"""Publish a report as sticky GitHub issue or pull-request comments, edited in place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import structlog

from sprintsync.domain import PublishResult, RenderedReport
from sprintsync.errors import PublishError
from sprintsync.sinks.github.hide import hide_outdated
from sprintsync.sinks.github.split import PART_LIMIT, split_markdown
from sprintsync.sinks.github.writes import (
    GITHUB_HEADERS,
    SERVICE,
    Comment,
    CommentApi,
    Unknown,
    author_of,
    same_body,
)

log = structlog.get_logger("sprintsync.sinks.github.comment")

# Marker and continuation note are counted against the part limit: keep room for them.
FRAME_RESERVE = 200
# Who writes with the Actions `GITHUB_TOKEN` (API-NOTES §C.2); a create of ours says otherwise.
DEFAULT_AUTHOR = "github-actions[bot]"  # the Actions GITHUB_TOKEN writes as this bot
# GitHub's token formats: `ghs_` is an installation token (an App, or the Actions GITHUB_TOKEN)
# https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
INSTALLATION_TOKEN_PREFIX = "ghs_"  # noqa: S105 - a documented prefix, no secret
# Passes of list-then-write: one to write, one to see what concurrent runs wrote, spare ones
# for creates whose answers went missing. A pass that creates nothing ends the run.
MAX_PASSES = 5
_MARKER = re.compile(
    r"<!-- sprintsync:report team=(?P<team>\S+) sprint=(?P<sprint>\S+)"
    r"(?: date=(?P<date>\d{4}-\d{2}-\d{2}))? part=(?P<part>\d+) -->"
)


@dataclass(frozen=True, kw_only=True)
class MarkerKey:
    """What one of our comments is: team, sprint, day (daily mode only) and part number."""

    team: str
    sprint: str
    day: str | None
    part: int

    def render(self) -> str:
        """The hidden HTML comment that finds this comment again."""
        day = f" date={self.day}" if self.day else ""
        fields = f"team={self.team} sprint={self.sprint}{day} part={self.part}"
        return f"<!-- sprintsync:report {fields} -->"


def parse_marker(body: str) -> MarkerKey | None:
    """The marker that is a comment body's whole first line, if there is one.

    Only the first line counts: a reader quoting or pasting our marker further down in a
    comment of their own does not make that comment ours.
    """
    lines = body.splitlines()
    match = _MARKER.fullmatch(lines[0].strip()) if lines else None
    if match is None:
        return None
    return MarkerKey(
        team=match["team"], sprint=match["sprint"], day=match["date"], part=int(match["part"])
    )


def build_bodies(report: RenderedReport, *, team: str, daily: bool) -> list[str]:
    """The comment bodies for a report: marker line, continuation note, then the Markdown."""
    text = report.github_markdown or report.markdown
    contents = split_markdown(text, limit=PART_LIMIT - FRAME_RESERVE)
    sprint = _token(report.sprint_id)
    day = report.as_of.isoformat() if daily else None
    bodies = []
    for number, content in enumerate(contents, start=1):
        marker = MarkerKey(team=_token(team), sprint=sprint, day=day, part=number).render()
        note = f"_(sprintsync report, continued: part {number} of {len(contents)})_\n\n"
        bodies.append(f"{marker}\n{note if number > 1 else ''}{content}")
    return bodies


def _token(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", value) or "_"


def github_headers(token: str) -> dict[str, str]:
    """Headers for a GitHub REST client (the lead's `build_client(headers=...)`)."""
    return {**GITHUB_HEADERS, "Authorization": f"Bearer {token}"}


class GitHubCommentSink:
    """One comment per team and sprint (or per day in `daily` mode), found by its hidden marker.

    Only comments whose author is the token's own login count as ours: a copy of our marker
    in someone else's comment is logged and left alone. After any create the comments are
    listed again, and duplicates of one of our markers (a concurrent run, a create answered
    late) are deleted, keeping the OLDEST: its URL is the one already shared, and its place in
    the thread is where readers first saw the report. Parts stay in thread order: surplus
    parts go from the end, and a broken order is rebuilt (new parts first, then the old ones
    deleted, so a report is always there).
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        repo: str,
        issue: int,
        team: str,
        mode: Literal["update", "daily"] = "update",
        author: str | None = DEFAULT_AUTHOR,
        hide_previous_at: str | None = None,  # a GraphQL URL: minimise earlier days (daily)
    ) -> None:
        self._api = CommentApi(client, repo, issue)
        self._hide_at = hide_previous_at if mode == "daily" else None
        self._repo = repo
        self._issue = issue
        self._team = team
        self._mode = mode
        self._me = author  # the token's login: configured, else asked; a create of ours says
        self._ignored: set[object] = set()
        self._unknown: list[Unknown] = []

    @property
    def destination(self) -> str:
        """Where the report goes, for logs and results."""
        return self._api.destination

    async def publish(self, report: RenderedReport) -> PublishResult:
        """Create, edit or delete our comments so that they hold exactly `report`."""
        self._api.writes, self._unknown = 0, []
        if self._me is None:
            self._me = await self._api.own_login() or DEFAULT_AUTHOR
        bodies = build_bodies(report, team=self._team, daily=self._mode == "daily")
        keys = [_key(body) for body in bodies]
        for _pass in range(MAX_PASSES):
            listing = await self.fetch_comments()
            kept, created = await self._reconcile(keys, bodies, listing)
            if not created:
                break
        else:
            raise PublishError(
                f"GitHub comments on {self._repo}#{self._issue} did not settle after {MAX_PASSES} "
                "passes (another writer?); run again to repair",
                service=SERVICE,
            )
        log.info(
            "github_comment.published",
            repo=self._repo,
            issue=self._issue,
            parts=len(bodies),
            writes=self._api.writes,
            confirmed=self._api.confirmed,
        )
        if self._hide_at is not None:
            earlier = self._earlier_days(listing, like=keys[0])
            await hide_outdated(self._api.client, graphql_url=self._hide_at, comments=earlier)
        url = str(kept[0]["html_url"])
        return PublishResult(destination=self.destination, url=url, changed=self._api.writes > 0)

    async def fetch_comments(self) -> list[dict[str, Any]]:
        """Every comment on the issue, following `Link: rel="next"` to the last page."""
        return await self._api.list()

    async def _reconcile(
        self, keys: list[MarkerKey], bodies: list[str], comments: list[Comment]
    ) -> tuple[list[Comment], bool]:
        """One pass over a fresh listing: our parts, whether anything was (maybe) created."""
        ours = self._ours(comments, like=keys[0])
        if _in_order(ours):
            return await self._update_in_place(keys, bodies, ours)
        old = sorted((c for found in ours.values() for c in found), key=_id)
        log.warning(
            "github_comment.order_repaired",
            destination=self.destination,
            found=[(p, [_id(c) for c in ours[p]]) for p in sorted(ours)],
        )
        kept, created = await self._update_in_place(keys, bodies, {})
        await self._delete_from_end(old)
        return kept, created

    async def _update_in_place(
        self, keys: list[MarkerKey], bodies: list[str], ours: dict[int, list[Comment]]
    ) -> tuple[list[Comment], bool]:
        """Edit the parts there, create the missing ones, delete the rest from the end."""
        kept: list[Comment] = []
        duplicates: list[Comment] = []
        created = False
        for key, body in zip(keys, bodies, strict=True):
            found = ours.pop(key.part, [])
            if found:
                keep, *newer = found
                duplicates += newer
                same = same_body(keep.get("body"), body)
                kept.append(keep if same else await self._api.edit(keep, body))
                continue
            created = True
            made = await self._create(key, body)
            if made is not None:
                kept.append(made)
        if duplicates:
            log.warning(
                "github_comment.duplicates_removed",
                destination=self.destination,
                reason="another run or a late create wrote the same part; the oldest is kept",
                kept=[_id(c) for c in kept],
                removed=sorted(_id(c) for c in duplicates),
            )
        surplus = duplicates + [c for found in ours.values() for c in found]
        await self._delete_from_end(surplus)
        return kept, created

    async def _create(self, key: MarkerKey, body: str) -> Comment | None:
        """POST a part, unless an earlier create of it went unanswered and may not be resent."""
        if self._unknown:
            last = self._unknown[-1]
            if not last.resend:
                raise last.error
            if len(self._unknown) > 1:
                raise PublishError(
                    f"GitHub did not answer creating a comment on {self.destination}, "
                    "twice; nothing was duplicated",
                    service=SERVICE,
                )
        made = await self._api.create(body)
        if isinstance(made, Unknown):
            self._unknown.append(made)
            return None
        self._unknown = []
        login = author_of(made)
        if login and login != self._me:
            log.info("github_comment.identity_learned", configured=self._me, login=login)
            self._me = login
        log.debug("github_comment.created", comment_id=made["id"], part=key.part)
        return made

    async def _delete_from_end(self, comments: list[Comment]) -> None:
        """Delete the last comment first: a failure half-way leaves the parts contiguous."""
        for comment in sorted(comments, key=_id, reverse=True):
            await self._api.delete(comment)

    def _ours(self, comments: list[Comment], *, like: MarkerKey) -> dict[int, list[Comment]]:
        """Our comments for this report (same team, sprint and day), by part, oldest first."""
        grouped: dict[int, list[Comment]] = {}
        for comment in comments:
            key = parse_marker(str(comment.get("body") or ""))
            if key is None or (key.team, key.sprint, key.day) != (like.team, like.sprint, like.day):
                continue
            author = author_of(comment)
            if author != self._me:
                if comment.get("id") not in self._ignored:
                    self._ignored.add(comment.get("id"))
                    log.warning(
                        "github_comment.foreign_marker_ignored",
                        comment_id=comment.get("id"),
                        author=author,
                        expected=self._me,
                    )
                continue
            grouped.setdefault(key.part, []).append(comment)
        return {part: sorted(found, key=_id) for part, found in grouped.items()}

    def _earlier_days(self, comments: list[Comment], *, like: MarkerKey) -> list[Comment]:
        """Our comments of this team and sprint from days before `like`'s (daily mode)."""
        found = []
        for comment in comments:
            key = parse_marker(str(comment.get("body") or ""))
            if key is None or (key.team, key.sprint) != (like.team, like.sprint):
                continue
            if key.day and like.day and key.day < like.day and author_of(comment) == self._me:
                found.append(comment)
        return found


def _key(body: str) -> MarkerKey:
    key = parse_marker(body)
    assert key is not None  # noqa: S101 - build_bodies always writes a marker
    return key


def _id(comment: Comment) -> int:
    return int(comment["id"])


def _in_order(ours: dict[int, list[Comment]]) -> bool:
    """Parts 1..n with no gap, their oldest comments in thread (ascending id) order."""
    parts = sorted(ours)
    heads = [_id(ours[part][0]) for part in parts]
    return parts == list(range(1, len(parts) + 1)) and heads == sorted(heads)
