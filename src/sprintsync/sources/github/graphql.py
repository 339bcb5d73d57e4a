"""GitHub GraphQL over the shared HTTP policy: endpoint rule, error envelopes, rate limit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import structlog

from sprintsync.domain import JSON
from sprintsync.errors import UpstreamError
from sprintsync.http import IDEMPOTENT, check_response, json_body, parse_rate_limit_reset
from sprintsync.logs import clip

log = structlog.get_logger("sprintsync.sources.github")

SERVICE = "GitHub"
# API-NOTES §0.7 / §C.3: which tokens can read Projects (v2).
TOKEN_KINDS = (
    "a repository's GITHUB_TOKEN cannot read Projects; an organization project needs a GitHub "  # noqa: S105 - names token kinds, holds no secret
    "App token with organization_projects: read or a fine-grained PAT with Projects: read, "
    "a user project a classic PAT with read:project (set SPRINTSYNC_GITHUB_TOKEN)"
)
HINTS = {
    401: "the token was refused (Bad credentials): check SPRINTSYNC_GITHUB_TOKEN or GITHUB_TOKEN",
    403: f"the token may not read this project: {TOKEN_KINDS}",
}
RATE_LIMITED_ATTEMPTS = 3
RATE_LIMITED_DEFAULT_WAIT = 60.0  # GitHub: without a reset time, wait at least a minute


@dataclass(frozen=True)
class RateLimit:
    """GraphQL `rateLimit` as the last answer reported it."""

    cost: int
    remaining: int
    reset_at: datetime


@dataclass(frozen=True)
class GraphQLAnswer:
    """A GraphQL answer: `data` (possibly partial) and the `errors` list."""

    data: dict[str, Any]
    errors: tuple[dict[str, Any], ...]


def graphql_endpoint(api_url: str) -> str:
    """The GraphQL URL for a REST API URL (GHES: `/api/v3` -> `/api/graphql`)."""
    base = api_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base.removesuffix("/v3") + "/graphql"
    return base + "/graphql"


def error_types(errors: Sequence[dict[str, Any]]) -> set[str]:
    """The `type` of each GitHub GraphQL error."""
    return {str(e.get("type")) for e in errors if e.get("type")}


def describe_errors(errors: Sequence[dict[str, Any]]) -> str:
    """The errors' messages on one line."""
    return clip("; ".join(str(e.get("message", e)) for e in errors), 400)


class GraphQLClient:
    """Sends read-only GraphQL queries; waits out the primary rate limit within a budget."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        now: datetime,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wait_budget_seconds: float = 900.0,
    ) -> None:
        self._client = client
        self._url = graphql_endpoint(str(client.base_url) or "https://api.github.com")
        self._now = now
        self._sleep = sleep
        self._budget = wait_budget_seconds
        self.rate_limit: RateLimit | None = None

    async def query(self, document: str, variables: dict[str, Any], *, what: str) -> GraphQLAnswer:
        """Send one query; RATE_LIMITED answers are retried, then an UpstreamError."""
        for attempt in range(1, RATE_LIMITED_ATTEMPTS + 1):
            await self._respect_rate_limit(what)
            response = await self._post(document, variables, what=what)
            answer = self._parse(response, what=what)
            if "RATE_LIMITED" not in error_types(answer.errors):
                return answer
            wait = parse_rate_limit_reset(
                response.headers.get("x-ratelimit-reset"), now=self._now.timestamp()
            )
            log.warning("github.rate_limited", what=what, attempt=attempt)
            if attempt < RATE_LIMITED_ATTEMPTS:
                await self._wait(RATE_LIMITED_DEFAULT_WAIT if wait is None else wait, what=what)
        raise UpstreamError(
            f"GitHub GraphQL rate limit exhausted for {what} after {RATE_LIMITED_ATTEMPTS} "
            f"attempts (RATE_LIMITED: {describe_errors(answer.errors)})",
            service=SERVICE,
            status=response.status_code,
        )

    async def _post(self, document: str, variables: dict[str, Any], *, what: str) -> httpx.Response:
        try:
            response = await self._client.post(
                self._url,
                json={"query": document, "variables": variables},
                extensions=IDEMPOTENT,  # a query only reads: safe to resend
            )
        except httpx.TransportError as error:
            raise UpstreamError(
                f"GitHub could not be reached for {what} ({type(error).__name__})",
                service=SERVICE,
            ) from None
        check_response(response, service=SERVICE, what=what, hints=HINTS)
        return response

    def _parse(self, response: httpx.Response, *, what: str) -> GraphQLAnswer:
        body = json_body(response, service=SERVICE, what=what)
        if not isinstance(body, dict):
            raise UpstreamError(f"GitHub answered {what} with a non-object", service=SERVICE)
        data = body.get("data") or {}
        errors = tuple(e for e in body.get("errors") or () if isinstance(e, dict))
        self._note_rate_limit(data.get("rateLimit"), what=what)
        return GraphQLAnswer(data=data, errors=errors)

    def _note_rate_limit(self, value: JSON, *, what: str) -> None:
        if not isinstance(value, dict):
            return
        log.info("github.rate_limit", what=what, **value)
        self.rate_limit = RateLimit(
            cost=int(value["cost"]),
            remaining=int(value["remaining"]),
            reset_at=datetime.fromisoformat(value["resetAt"]),
        )

    async def _respect_rate_limit(self, what: str) -> None:
        """Wait for the reset when fewer points remain than the last query cost."""
        limit = self.rate_limit
        if limit is None or limit.remaining >= limit.cost:
            return
        # Time is the run's `now` (only the CLI asks the clock): a reset already past waits 0.
        await self._wait((limit.reset_at - self._now).total_seconds(), what=what)
        self.rate_limit = None

    async def _wait(self, seconds: float, *, what: str) -> None:
        seconds = max(0.0, seconds)
        if seconds > self._budget:
            raise UpstreamError(
                f"GitHub GraphQL rate limit: {what} must wait {seconds:.0f}s for the reset, "
                f"more than the {self._budget:.0f}s left in the wait budget",
                service=SERVICE,
            )
        self._budget -= seconds
        log.warning("github.rate_limit_wait", what=what, wait_seconds=round(seconds, 3))
        await self._sleep(seconds)
