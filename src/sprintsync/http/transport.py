"""The one HTTP policy: timeouts, retries, Retry-After and rate-limit headers, error mapping.

Retried, with exponential backoff and jitter or the wait the server asked for:
- connect errors (the server never saw the request), whatever the method;
- 429, 503 and GitHub's rate-limit 403s (the server did not act), whatever the method;
- 502, 504, read timeouts and dropped connections only for requests that are safe to resend
  (GET/HEAD/OPTIONS, or a read-only POST marked `extensions=IDEMPOTENT`), because a write
  may already have been applied.
Every wait comes out of the run's `RunBudget`; when it would overrun, the last answer stands.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from sprintsync.http.budget import MAX_RESPONSE_BYTES, BudgetSpent, ResponseTooLarge, RunBudget
from sprintsync.http.errors import GAVE_UP
from sprintsync.http.ratelimit import is_secondary_rate_limit, server_wait

log = structlog.get_logger("sprintsync.http")

# Answers that mean "the server did not act": safe to send again whatever the method.
NOT_ACTED_STATUSES = frozenset({429, 503})
# Gateway failures: the server behind may have acted, so only resendable requests retry.
GATEWAY_STATUSES = frozenset({502, 504})
# Requests the server cannot have seen: safe to send again whatever the method.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Our own mistakes, never transient.
NEVER_RETRY_ERRORS = (
    httpx.LocalProtocolError,
    httpx.UnsupportedProtocol,
    BudgetSpent,
    ResponseTooLarge,
)
# Headers that say why a server throttled or which request failed (logged, never secret).
REASON_HEADERS = ("RateLimit-Reason", "X-GitHub-Request-Id", "X-AREQUESTID", "X-Request-Id")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Mark a POST that only reads (Jira search, bulk changelog, GraphQL query) as safe to resend.
IDEMPOTENT = {"sprintsync_idempotent": True}


class _RetryableResponse(Exception):  # noqa: N818 - internal signal, never escapes the transport
    def __init__(self, response: httpx.Response, *, received_at: float) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.received_at = received_at


def may_resend(request: httpx.Request) -> bool:
    """Whether `request` may be sent again after it may have reached the server."""
    return request.method in IDEMPOTENT_METHODS or bool(
        request.extensions.get("sprintsync_idempotent")
    )


def should_retry(response: httpx.Response, request: httpx.Request) -> bool:
    """Whether an answer is worth waiting out: throttling, unavailability, flaky gateways."""
    status = response.status_code
    if status in NOT_ACTED_STATUSES:
        return True
    if status == 403:
        return is_secondary_rate_limit(response)
    return status in GATEWAY_STATUSES and may_resend(request)


@dataclass
class _Exchange:
    """One request's retry decisions: fresh per request, never shared (STYLE trap 1)."""

    request: httpx.Request
    service: str
    budget: RunBudget
    gave_up: str = ""

    def retryable(self, error: BaseException) -> bool:
        if isinstance(error, (_RetryableResponse, *NOT_SENT_ERRORS)):
            return True
        if isinstance(error, NEVER_RETRY_ERRORS):
            return False
        return isinstance(error, httpx.TransportError) and may_resend(self.request)

    def asked(self, state: RetryCallState) -> float | None:
        """The wait the last answer asked for (Retry-After, reset headers, GitHub's rules)."""
        error = _error_of(state)
        if not isinstance(error, _RetryableResponse):
            return None
        return server_wait(error.response, now=error.received_at, attempt=state.attempt_number)

    def wait(self, state: RetryCallState) -> float:
        asked = self.asked(state)
        wait = asked if asked is not None else self.budget.backoff(state.attempt_number)
        return max(0.0, min(wait, self.budget.policy.max_wait_seconds))

    def stop(self, state: RetryCallState) -> bool:
        policy = self.budget.policy
        if state.attempt_number >= policy.max_attempts:
            self.gave_up = f"gave up after {state.attempt_number} attempts"
            return True
        asked = self.asked(state)
        remaining = self.budget.remaining_seconds()
        if (asked is not None and asked > remaining) or state.upcoming_sleep > remaining:
            self.gave_up = (
                f"gave up: waiting {asked if asked is not None else state.upcoming_sleep:.0f} s "
                f"would overrun the run's time budget of {policy.budget_seconds:.0f} s"
            )
            return True
        return False

    def log_retry(self, state: RetryCallState) -> None:
        details = _describe(self.request, _error_of(state), service=self.service)
        details.update(attempt=state.attempt_number, wait_seconds=round(state.upcoming_sleep, 3))
        log.warning("http.retry", **details)


def _error_of(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome else None


def _describe(
    request: httpx.Request, error: BaseException | None, *, service: str
) -> dict[str, Any]:
    details: dict[str, Any] = {"service": service, "method": request.method}
    details["path"] = request.url.path
    if isinstance(error, _RetryableResponse):
        details["status"] = error.response.status_code
        for header in REASON_HEADERS:
            if header in error.response.headers:
                details[header.lower().replace("-", "_")] = error.response.headers[header]
    elif error is not None:
        details["error"] = type(error).__name__
    return details


async def _read_at_most(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, or `ResponseTooLarge` as soon as it passes `limit` bytes.

    Counted after decoding: a compressed answer of a few MB can expand to gigabytes.
    """
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(
                f"the answer grew past {limit / (1024 * 1024):g} MiB, far more than any answer "
                "sprintsync reads, so it was not read further",
                request=response.request,
            )
        chunks.append(chunk)
    return b"".join(chunks)


# Describe the encoded body; the decoded body stands in for it.
_ENCODING_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _decoded(response: httpx.Response, body: bytes) -> httpx.Response:
    """The same answer (status, headers, extensions) holding its already decoded body."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in _ENCODING_HEADERS
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
    )


class RetryingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with the retry policy, the per-host limit and the run's time budget."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, service: str, budget: RunBudget) -> None:
        self._inner = inner
        self._service = service
        self._budget = budget

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`, retrying what is safe to retry; the last answer if retries run out."""
        exchange = _Exchange(request=request, service=self._service, budget=self._budget)
        retrying = AsyncRetrying(
            stop=exchange.stop,
            wait=exchange.wait,
            retry=retry_if_exception(exchange.retryable),
            sleep=self._budget.wait,
            reraise=True,
            before_sleep=exchange.log_retry,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send_once(request)
        except _RetryableResponse as last:
            last.response.extensions = {**last.response.extensions, GAVE_UP: exchange.gave_up}
            log.warning(
                "http.gave_up",
                reason=exchange.gave_up,
                **_describe(request, last, service=self._service),
            )
            return last.response
        except httpx.TransportError as error:
            event = "http.gave_up" if exchange.retryable(error) else "http.not_repeated"
            unrepeated = "answer too large" if isinstance(error, ResponseTooLarge) else ""
            log.warning(
                event,
                reason=exchange.gave_up or unrepeated or "may have reached the server",
                **_describe(request, error, service=self._service),
            )
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        # A slow server must not stretch the run past its budget: no request starts once it
        # is spent, and none may wait longer than what is left of it.
        remaining = self._budget.remaining_seconds()
        if remaining <= 0:
            seconds = self._budget.policy.budget_seconds
            raise BudgetSpent(f"the run's time budget of {seconds:g} s is spent", request=request)
        timeouts = request.extensions.get("timeout") or {}
        request.extensions["timeout"] = {
            name: remaining if value is None else min(value, remaining)
            for name, value in timeouts.items()
        }
        self._budget.count_request()
        # The slot is held until the body is read, so "in flight" means the whole exchange.
        async with self._budget.semaphore(request.url.host):
            response = await self._inner.handle_async_request(request)
            response.request = request  # transports leave it unset; logs and errors read it
            try:
                body = await _read_at_most(response, MAX_RESPONSE_BYTES)
            finally:
                await response.aclose()
        response = _decoded(response, body)
        if should_retry(response, request):
            raise _RetryableResponse(response, received_at=time.time())
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()
