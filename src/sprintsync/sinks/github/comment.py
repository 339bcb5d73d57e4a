"""Publish a report as sticky GitHub issue or pull-request comments, edited in place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import structlog

from sprintsync.domain import PublishResult, RenderedReport
from sprintsync.errors import PublishError, UpstreamError
from sprintsync.http import PageGuard, check_response, json_body, same_origin_link
from sprintsync.sinks.github.split import PART_LIMIT, split_markdown

log = structlog.get_logger("sprintsync.sinks.github.comment")

SERVICE = "GitHub"
API_VERSION = "2022-11-28"  # API-NOTES §C.2
GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
PER_PAGE = 100  # the endpoint's maximum
MAX_PAGES = 1_000  # 100,000 comments: a loop guard, not a real limit
# Marker and continuation note are counted against the part limit: keep room for them.
FRAME_RESERVE = 200
HINTS = {
    401: "the token was refused (set SPRINTSYNC_GITHUB_TOKEN or GITHUB_TOKEN)",
    403: "the token may not write here (it needs issues: write, or pull-requests: write)",
    404: "repository or issue not found, or not visible to this token",
    410: "issues are disabled on this repository, or the issue was deleted",
    422: "GitHub refused the comment body",
}
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

    Duplicates of one of our markers (a retried POST that had in fact succeeded) are deleted,
    keeping the OLDEST: its URL is the one already shared, and its place in the thread is where
    readers first saw the report.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        repo: str,
        issue: int,
        team: str,
        mode: Literal["update", "daily"] = "update",
    ) -> None:
        self._client = client
        self._repo = repo
        self._issue = issue
        self._team = team
        self._mode = mode
        self._writes = 0

    @property
    def destination(self) -> str:
        """Where the report goes, for logs and results."""
        return f"github comment {self._repo}#{self._issue}"

    async def publish(self, report: RenderedReport) -> PublishResult:
        """Create, edit or delete our comments so that they hold exactly `report`."""
        self._writes = 0
        bodies = build_bodies(report, team=self._team, daily=self._mode == "daily")
        wanted = [parse_marker(body) for body in bodies]
        ours = _group(await self.fetch_comments(), keys=wanted)
        urls: list[str] = []
        for key, body in zip(wanted, bodies, strict=True):
            assert key is not None  # noqa: S101 - build_bodies always writes a marker
            urls.append(await self._put_part(key, body, ours.pop(key, [])))
        for key in sorted(ours, key=lambda k: k.part):  # what is left: parts no longer needed
            for comment in ours[key]:
                await self._delete(comment)
        log.info(
            "github_comment.published",
            repo=self._repo,
            issue=self._issue,
            parts=len(bodies),
            writes=self._writes,
        )
        return PublishResult(destination=self.destination, url=urls[0], changed=self._writes > 0)

    async def fetch_comments(self) -> list[dict[str, Any]]:
        """Every comment on the issue, following `Link: rel="next"` to the last page."""
        url: str | None = f"{self._issue_path}/comments"
        params: dict[str, int] | None = {"per_page": PER_PAGE}
        comments: list[dict[str, Any]] = []
        guard = PageGuard(
            repeated=lambda _url: PublishError(
                f"GitHub repeated a comments page for {self.destination}", service=SERVICE
            ),
            max_pages=MAX_PAGES,
        )
        while url is not None:
            guard.check(url)
            response = await self._send("GET", url, what="listing comments", params=params)
            page = json_body(response, service=SERVICE, what="listing comments")
            if not isinstance(page, list):
                raise PublishError(
                    f"GitHub answered a comment list for {self.destination} "
                    "with something that is not a list",
                    service=SERVICE,
                )
            comments += [c for c in page if isinstance(c, dict)]
            url, params = response.links.get("next", {}).get("url"), None
            if url is not None:  # a link off the configured host would take the token along
                base = self._client.base_url
                url = str(same_origin_link(base, url, service=SERVICE, error=PublishError))
            log.debug("github_comment.page_fetched", count=len(page), next=url is not None)
        return comments

    @property
    def _issue_path(self) -> str:
        return f"/repos/{self._repo}/issues/{self._issue}"

    async def _put_part(self, key: MarkerKey, body: str, found: list[dict[str, Any]]) -> str:
        """Make exactly one comment with `key` hold `body`; return its html_url."""
        found = sorted(found, key=lambda c: int(c["id"]))
        if not found:
            return str((await self._create(key, body))["html_url"])
        keep, *extra = found
        for comment in extra:
            await self._delete(comment)
        if _same(keep.get("body"), body):
            return str(keep["html_url"])
        path = f"/repos/{self._repo}/issues/comments/{keep['id']}"
        response = await self._send("PATCH", path, what="editing a comment", json={"body": body})
        self._writes += 1
        return str(json_body(response, service=SERVICE, what="editing a comment")["html_url"])

    async def _create(self, key: MarkerKey, body: str) -> dict[str, Any]:
        """POST a comment; if the answer was lost, look for it before posting again (no dupes)."""
        path = f"{self._issue_path}/comments"
        for attempt in (1, 2):
            try:
                response = await self._client.post(
                    path, json={"body": body}, headers=GITHUB_HEADERS
                )
            except httpx.TransportError as error:
                log.warning(
                    "github_comment.create_unanswered", attempt=attempt, error=type(error).__name__
                )
                again = [
                    c
                    for c in await self.fetch_comments()
                    if parse_marker(str(c.get("body") or "")) == key
                ]
                if again:
                    self._writes += 1
                    return await self._finish_lost_create(again, body)
                continue
            _check(response, what="creating a comment", destination=self.destination)
            self._writes += 1
            created: dict[str, Any] = json_body(
                response, service=SERVICE, what="creating a comment"
            )
            return created
        raise PublishError(
            f"GitHub did not answer creating a comment on {self.destination}, "
            "twice; nothing was duplicated",
            service=SERVICE,
        )

    async def _finish_lost_create(self, found: list[dict[str, Any]], body: str) -> dict[str, Any]:
        keep, *extra = sorted(found, key=lambda c: int(c["id"]))
        for comment in extra:
            await self._delete(comment)
        if not _same(keep.get("body"), body):
            path = f"/repos/{self._repo}/issues/comments/{keep['id']}"
            response = await self._send(
                "PATCH", path, what="editing a comment", json={"body": body}
            )
            keep = json_body(response, service=SERVICE, what="editing a comment")
        return keep

    async def _delete(self, comment: dict[str, Any]) -> None:
        path = f"/repos/{self._repo}/issues/comments/{comment['id']}"
        response = await self._send("DELETE", path, what="deleting a surplus comment", allow={404})
        self._writes += 1
        log.info("github_comment.deleted", comment_id=comment["id"], status=response.status_code)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        allow: set[int] | None = None,
        **kwargs: Any,  # noqa: ANN401 - passed through to httpx
    ) -> httpx.Response:
        try:
            response = await self._client.request(method, url, headers=GITHUB_HEADERS, **kwargs)
        except httpx.TransportError as error:
            raise PublishError(
                f"GitHub could not be reached for {what} on {self.destination} "
                f"({type(error).__name__})",
                service=SERVICE,
            ) from None
        if response.status_code not in (allow or set()):
            _check(response, what=what, destination=self.destination)
        return response


def _check(response: httpx.Response, *, what: str, destination: str) -> None:
    try:
        check_response(response, service=SERVICE, what=f"{what} on {destination}", hints=HINTS)
    except UpstreamError as error:
        raise PublishError(
            str(error), service=SERVICE, status=error.status, request_id=error.request_id
        ) from None


def _same(current: object, wanted: str) -> bool:
    """GitHub may hand a body back with CRLF line ends: compare what a reader sees."""
    return isinstance(current, str) and current.replace("\r\n", "\n") == wanted


def _group(
    comments: list[dict[str, Any]], *, keys: list[MarkerKey | None]
) -> dict[MarkerKey, list[dict[str, Any]]]:
    """Our comments for this report (same team, sprint and day), by marker."""
    first = keys[0]
    assert first is not None  # noqa: S101 - build_bodies always writes a marker
    grouped: dict[MarkerKey, list[dict[str, Any]]] = {}
    for comment in comments:
        key = parse_marker(str(comment.get("body") or ""))
        if key and (key.team, key.sprint, key.day) == (first.team, first.sprint, first.day):
            grouped.setdefault(key, []).append(comment)
    return grouped
