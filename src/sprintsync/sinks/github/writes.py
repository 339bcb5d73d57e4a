"""GitHub issue-comment REST calls; a write whose answer went missing is read back, not guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from sprintsync.errors import PublishError, UpstreamError
from sprintsync.http import PageGuard, check_response, json_body, same_origin_link

log = structlog.get_logger("sprintsync.sinks.github.comment")

SERVICE = "GitHub"
API_VERSION = "2022-11-28"  # API-NOTES §C.2
GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
PER_PAGE = 100  # the endpoint's maximum
MAX_PAGES = 1_000  # 100,000 comments: a loop guard, not a real limit
# Answers after which a write may or may not have been applied (a gateway, a crashed worker).
UNKNOWN_STATUSES = frozenset({500, 502, 504})
HINTS = {
    401: "the token was refused (set SPRINTSYNC_GITHUB_TOKEN or GITHUB_TOKEN)",
    403: "the token may not write here (it needs issues: write, or pull-requests: write)",
    404: "repository or issue not found, or not visible to this token",
    410: "issues are disabled on this repository, or the issue was deleted",
    422: "GitHub refused the comment body",
}

Comment = dict[str, Any]


@dataclass(frozen=True)
class Unknown:
    """A create whose outcome is unknown: `error` is what to say if it never shows up.

    `resend` says whether posting again is allowed when a fresh listing does not show it (a
    dropped connection may never have reached GitHub; a gateway error or a garbled 201 did).
    """

    error: PublishError
    resend: bool


@dataclass
class CommentApi:
    """The list, get, create, edit and delete calls on one issue's comments."""

    client: httpx.AsyncClient
    repo: str
    issue: int
    writes: int = 0
    confirmed: list[str] = field(default_factory=list)  # writes proven by reading back

    @property
    def destination(self) -> str:
        """Where the comments are, for logs and errors."""
        return f"github comment {self.repo}#{self.issue}"

    async def list(self) -> list[Comment]:
        """Every comment on the issue, following `Link: rel="next"` to the last page."""
        url: str | None = f"/repos/{self.repo}/issues/{self.issue}/comments"
        params: dict[str, int] | None = {"per_page": PER_PAGE}
        comments: list[Comment] = []
        guard = PageGuard(
            repeated=lambda _url: PublishError(
                f"GitHub repeated a comments page for {self.destination}", service=SERVICE
            ),
            max_pages=MAX_PAGES,
            what=f"the comments of {self.repo}#{self.issue}",
        )
        guard.check(url)
        while url is not None:
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
                base = self.client.base_url
                url = str(same_origin_link(base, url, service=SERVICE, error=PublishError))
                # Fresh links on pages of comments seen before make no progress: stop early.
                guard.check(url, items=[str(c.get("id")) for c in page if isinstance(c, dict)])
            log.debug("github_comment.page_fetched", count=len(page), next=url is not None)
        return comments

    async def own_login(self) -> str | None:
        """The token's own login (`GET /user`), or None where GitHub refuses to say.

        GitHub answers 403 to an installation token, which writes as its App's bot.
        """
        response = await self._send("GET", "/user", what="asking whose token this is", allow={403})
        if response.status_code == 403:
            return None
        found = json_body(response, service=SERVICE, what="asking whose token this is")
        login = found.get("login") if isinstance(found, dict) else None
        if not isinstance(login, str) or not login:
            raise PublishError("GitHub answered GET /user without a login", service=SERVICE)
        return login

    async def get(self, comment_id: object) -> Comment | None:
        """One comment as GitHub has it now, or None when it does not exist."""
        response = await self._send(
            "GET", self._one(comment_id), what="reading a comment back", allow={404}
        )
        if response.status_code == 404:
            return None
        found = json_body(response, service=SERVICE, what="reading a comment back")
        return found if isinstance(found, dict) else None

    async def create(self, body: str) -> Comment | Unknown:
        """POST a comment: the created comment, or `Unknown` when the answer went missing."""
        what = "creating a comment"
        path = f"/repos/{self.repo}/issues/{self.issue}/comments"
        try:
            response = await self.client.post(path, json={"body": body}, headers=GITHUB_HEADERS)
        except httpx.TransportError as error:
            log.warning("github_comment.create_unanswered", error=type(error).__name__)
            return Unknown(self._unanswered(what, error), resend=True)
        if response.status_code in UNKNOWN_STATUSES:
            log.warning("github_comment.create_unanswered", status=response.status_code)
            return Unknown(self._refused(response, what), resend=False)
        _check(response, what=what, destination=self.destination)
        created = _comment_in(response, what=what)
        if isinstance(created, PublishError):
            log.warning("github_comment.create_unanswered", status=response.status_code)
            return Unknown(created, resend=False)
        self.writes += 1
        return created

    async def edit(self, comment: Comment, body: str) -> Comment:
        """PATCH `comment` to hold `body`; a lost answer is read back, and resent once if unapplied.

        A PATCH carries the whole body, so sending it twice is harmless.
        """
        what = "editing a comment"
        problem = PublishError(f"GitHub did not answer {what}", service=SERVICE)
        for _attempt in (1, 2):
            try:
                response = await self.client.request(
                    "PATCH", self._one(comment["id"]), json={"body": body}, headers=GITHUB_HEADERS
                )
            except httpx.TransportError as error:
                problem = self._unanswered(what, error)
            else:
                if response.status_code not in UNKNOWN_STATUSES:
                    _check(response, what=what, destination=self.destination)
                    edited = _comment_in(response, what=what)
                    if not isinstance(edited, PublishError):
                        self.writes += 1
                        return edited
                    problem = edited
                else:
                    problem = self._refused(response, what)
            current = await self._read_back(comment["id"], problem)
            if current is not None and same_body(current.get("body"), body):
                self._confirm("PATCH", comment["id"])
                return current
        raise problem

    async def delete(self, comment: Comment) -> None:
        """DELETE `comment`; a lost answer is settled by whether it still exists."""
        what = "deleting a surplus comment"
        try:
            response = await self.client.request(
                "DELETE", self._one(comment["id"]), headers=GITHUB_HEADERS
            )
        except httpx.TransportError as error:
            problem = self._unanswered(what, error)
        else:
            if response.is_success or response.status_code == 404:
                self.writes += 1
                log.info("github_comment.deleted", comment_id=comment["id"])
                return
            if response.status_code not in UNKNOWN_STATUSES:
                _check(response, what=what, destination=self.destination)
            problem = self._refused(response, what)
        if await self._read_back(comment["id"], problem) is not None:
            raise problem
        self._confirm("DELETE", comment["id"])

    async def _read_back(self, comment_id: object, problem: PublishError) -> Comment | None:
        """The comment as it is now; if even that fails, the write's own error stands."""
        try:
            return await self.get(comment_id)
        except PublishError:
            raise problem from None

    def _confirm(self, method: str, comment_id: object) -> None:
        self.writes += 1
        self.confirmed.append(f"{method} {comment_id}")
        log.info("github_comment.write_confirmed", method=method, comment_id=comment_id)

    def _one(self, comment_id: object) -> str:
        return f"/repos/{self.repo}/issues/comments/{comment_id}"

    def _unanswered(self, what: str, error: httpx.TransportError) -> PublishError:
        return PublishError(
            f"GitHub could not be reached for {what} on {self.destination} "
            f"({type(error).__name__})",
            service=SERVICE,
        )

    def _refused(self, response: httpx.Response, what: str) -> PublishError:
        try:
            _check(response, what=what, destination=self.destination)
        except PublishError as error:
            return error
        return PublishError(f"GitHub answered {what} oddly", service=SERVICE)  # pragma: no cover

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
            response = await self.client.request(method, url, headers=GITHUB_HEADERS, **kwargs)
        except httpx.TransportError as error:
            raise self._unanswered(what, error) from None
        if response.status_code not in (allow or set()):
            _check(response, what=what, destination=self.destination)
        return response


def same_body(current: object, wanted: str) -> bool:
    """GitHub may hand a body back with CRLF line ends: compare what a reader sees."""
    return isinstance(current, str) and current.replace("\r\n", "\n") == wanted


def author_of(comment: Comment) -> str | None:
    """The login that wrote `comment` (`user.login`, API-NOTES §C.2)."""
    user = comment.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) else None


def _comment_in(response: httpx.Response, *, what: str) -> Comment | PublishError:
    """The comment a 2xx answer carries, or the error saying why it carries none."""
    try:
        found = json_body(response, service=SERVICE, what=what)
    except UpstreamError as error:
        return PublishError(str(error), service=SERVICE, status=error.status)
    if isinstance(found, dict) and "id" in found and "html_url" in found:
        return found
    return PublishError(
        f"GitHub answered {what} with JSON that is not a comment (status {response.status_code})",
        service=SERVICE,
        status=response.status_code,
    )


def _check(response: httpx.Response, *, what: str, destination: str) -> None:
    try:
        check_response(response, service=SERVICE, what=f"{what} on {destination}", hints=HINTS)
    except UpstreamError as error:
        raise PublishError(
            str(error), service=SERVICE, status=error.status, request_id=error.request_id
        ) from None
