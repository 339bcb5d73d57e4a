"""The one HTTP policy: timeouts, retries, Retry-After and rate-limit headers, error mapping."""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from sprintsync import __version__
from sprintsync.errors import UpstreamError

log = structlog.get_logger("sprintsync.http")

USER_AGENT = f"sprintsync/{__version__} (+https://github.com/sprintsync/sprintsync)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Requests the server cannot have acted on: safe to send again whatever the method.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Headers that say why a server throttled or which request failed (logged, never secret).
REASON_HEADERS = ("RateLimit-Reason", "X-GitHub-Request-Id", "X-AREQUESTID", "X-Request-Id")
REQUEST_ID_HEADERS = ("X-AREQUESTID", "X-GitHub-Request-Id", "X-Request-Id", "atl-traceid")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Mark a POST that only reads (Jira search, bulk changelog, GraphQL query) as safe to resend.
IDEMPOTENT = {"sprintsync_idempotent": True}


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry; `max_wait_seconds: 0` makes every wait zero (tests)."""

    max_attempts: int = 5
    base_wait_seconds: float = 2.0
    max_wait_seconds: float = 60.0
    budget_seconds: float = 300.0
    timeout_seconds: float = 30.0
    max_in_flight_per_host: int = 4


@dataclass(kw_only=True)
class RunBudget:
    """The run's shared wait budget and request counter (one per run, all hosts)."""

    policy: RetryPolicy
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    waited_seconds: float = 0.0
    requests: int = 0
    retries: int = 0
    per_host: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def semaphore(self, host: str) -> asyncio.Semaphore:
        """The in-flight limit for one host."""
        if host not in self.per_host:
            self.per_host[host] = asyncio.Semaphore(self.policy.max_in_flight_per_host)
        return self.per_host[host]


class _RetryableResponse(Exception):  # noqa: N818 - internal signal, never escapes the transport
    def __init__(self, response: httpx.Response, wait: float | None) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.wait = wait


class _BudgetExhausted(Exception):  # noqa: N818 - internal signal
    pass


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


def parse_rate_limit_reset(value: str | None, *, now: float) -> float | None:
    """Seconds until a rate-limit reset: GitHub's epoch seconds or Jira's ISO-8601 timestamp."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return max(0.0, float(value) - now)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


def is_secondary_rate_limit(response: httpx.Response) -> bool:
    """GitHub's 403 that means 'slow down' rather than 'forbidden'."""
    if response.status_code not in (403, 429):
        return False
    if response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers:
        return True
    return b"rate limit" in response.content.lower()


def server_wait(response: httpx.Response, *, now: float) -> float | None:
    """The wait the server asked for, from Retry-After or the rate-limit reset headers."""
    wait = parse_retry_after(response.headers.get("Retry-After"), now=now)
    if wait is None and response.headers.get("x-ratelimit-remaining") == "0":
        wait = parse_rate_limit_reset(response.headers.get("x-ratelimit-reset"), now=now)
    if wait is None and response.status_code == 403 and is_secondary_rate_limit(response):
        wait = 60.0  # GitHub: no header at all means wait at least a minute
    return wait


class RetryingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with the retry policy, the per-host limit and the run's wait budget."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, service: str, budget: RunBudget) -> None:
        self._inner = inner
        self._service = service
        self._budget = budget

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`, retrying what is safe to retry."""
        policy = self._budget.policy
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.max_attempts),
            wait=self._wait_for,
            retry=retry_if_exception(_is_retryable),
            sleep=self._sleep,
            reraise=True,
            before_sleep=self._log_retry,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send_once(request)
        except _RetryableResponse as exhausted:
            return exhausted.response
        except _BudgetExhausted:
            outcome = retrying.statistics.get("last_outcome")
            if isinstance(outcome, _RetryableResponse):
                return outcome.response
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        self._budget.requests += 1
        async with self._budget.semaphore(request.url.host):
            try:
                response = await self._inner.handle_async_request(request)
            except NOT_SENT_ERRORS:
                raise
            except httpx.TransportError:
                if not _may_resend(request):
                    raise _NotRetryable from None
                raise
            if _should_retry(response):
                response.request = request  # httpx sets it only later; the retry log reads it
                await response.aread()
                await response.aclose()
                raise _RetryableResponse(response, server_wait(response, now=time.time()))
            return response

    def _wait_for(self, state: RetryCallState) -> float:
        policy = self._budget.policy
        error = state.outcome.exception() if state.outcome else None
        asked = error.wait if isinstance(error, _RetryableResponse) else None
        backoff = policy.base_wait_seconds * (2 ** (state.attempt_number - 1))
        backoff += random.uniform(0, policy.base_wait_seconds)  # noqa: S311 - jitter, not crypto
        wait = asked if asked is not None else backoff
        wait = min(wait, policy.max_wait_seconds)
        if self._budget.waited_seconds + wait > policy.budget_seconds:
            raise _BudgetExhausted
        return wait

    async def _sleep(self, seconds: float) -> None:
        self._budget.waited_seconds += seconds
        self._budget.retries += 1
        await self._budget.sleep(seconds)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        details: dict[str, Any] = {"service": self._service, "attempt": state.attempt_number}
        if isinstance(error, _RetryableResponse):
            details["status"] = error.response.status_code
            details["path"] = error.response.request.url.path
            for header in REASON_HEADERS:
                if header in error.response.headers:
                    details[header.lower().replace("-", "_")] = error.response.headers[header]
        elif error is not None:
            details["error"] = type(error).__name__
        details["wait_seconds"] = round(state.upcoming_sleep, 3)
        log.warning("http.retry", **details)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()


class _NotRetryable(httpx.TransportError):
    """A write whose fate is unknown: the caller must look before it writes again."""

    def __init__(self) -> None:
        super().__init__("the request may have reached the server; not repeated")


def _is_retryable(error: BaseException) -> bool:
    if isinstance(error, _NotRetryable):
        return False
    return isinstance(error, _RetryableResponse | httpx.TransportError)


def _may_resend(request: httpx.Request) -> bool:
    return request.method in IDEMPOTENT_METHODS or bool(
        request.extensions.get("sprintsync_idempotent")
    )


def _should_retry(response: httpx.Response) -> bool:
    if response.status_code in RETRY_STATUSES:
        return True
    return response.status_code == 403 and is_secondary_rate_limit(response)


def build_client(
    *,
    service: str,
    base_url: str,
    budget: RunBudget,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for one service, every request under the retry policy."""
    inner = transport or httpx.AsyncHTTPTransport(retries=0)
    timeout = httpx.Timeout(budget.policy.timeout_seconds, connect=10.0)
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        auth=auth,
        timeout=timeout,
        transport=RetryingTransport(inner, service=service, budget=budget),
        follow_redirects=False,
    )


def request_id(response: httpx.Response) -> str | None:
    """The server's id for a request, to quote in an error."""
    for header in REQUEST_ID_HEADERS:
        if header in response.headers:
            return response.headers[header]
    return None


def describe_error_body(response: httpx.Response) -> str:
    """The server's own error text, short: Atlassian and GitHub envelopes understood."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _first_bytes(response)
    messages: list[str] = []
    if isinstance(body, dict):
        messages += [str(m) for m in body.get("errorMessages") or []]
        errors = body.get("errors")
        if isinstance(errors, dict):
            messages += [f"{k}: {v}" for k, v in errors.items()]
        elif isinstance(errors, list):
            messages += [str(e.get("title") or e.get("message") or e) for e in errors if e]
        if not messages and body.get("message"):
            messages.append(str(body["message"]))
    return "; ".join(messages)[:300]


def _first_bytes(response: httpx.Response) -> str:
    text = response.content[:120].decode("utf-8", errors="replace")
    return " ".join(text.split())


def check_response(
    response: httpx.Response,
    *,
    service: str,
    what: str,
    hints: Mapping[int, str] | None = None,
) -> None:
    """Raise an `UpstreamError` naming the service, status and a hint unless the status is 2xx."""
    if response.is_success:
        return
    status = response.status_code
    hint = (hints or {}).get(status) or DEFAULT_HINTS.get(status, "")
    detail = describe_error_body(response)
    message = f"{service} answered {status} to {what}"
    if hint:
        message += f": {hint}"
    if detail:
        message += f" (server said: {detail})"
    raise UpstreamError(message, service=service, status=status, request_id=request_id(response))


DEFAULT_HINTS = {
    401: "the credentials were refused",
    403: "the credentials lack a permission this needs",
    404: "not found, or not visible to these credentials",
    410: "the server no longer serves this API",
    429: "rate limited, and the retries or the run's time budget ran out",
    503: "the service is unavailable, and the retries ran out",
}


def json_body(response: httpx.Response, *, service: str, what: str) -> Any:  # noqa: ANN401 - JSON
    """The response's JSON, or an `UpstreamError` quoting the content type and the first bytes."""
    content_type = response.headers.get("Content-Type", "")
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UpstreamError(
            f"{service} answered {what} with a body that is not JSON "
            f"(status {response.status_code}, Content-Type {content_type or 'missing'!r}, "
            f"starts with {_first_bytes(response)!r})",
            service=service,
            status=response.status_code,
            request_id=request_id(response),
        ) from None


async def send_json(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    service: str,
    what: str,
    hints: Mapping[int, str] | None = None,
    **kwargs: Any,  # noqa: ANN401 - passed through to httpx
) -> Any:  # noqa: ANN401 - JSON
    """Send one request and return its JSON, every failure an `UpstreamError`."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise UpstreamError(
            f"{service} did not answer {what} in time ({type(error).__name__})", service=service
        ) from None
    except httpx.TransportError as error:
        raise UpstreamError(
            f"{service} could not be reached for {what} ({type(error).__name__}: {error})",
            service=service,
        ) from None
    check_response(response, service=service, what=what, hints=hints)
    return json_body(response, service=service, what=what)
