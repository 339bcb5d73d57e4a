"""Rate-limit headers: how long a server asked us to wait (Atlassian and GitHub rules)."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

import httpx

# GitHub: a secondary limit without retry-after or an exhausted quota means "wait at least a
# minute, then back off exponentially" (API-NOTES §C.1 Limits;
# docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api).
GITHUB_SECONDARY_MIN_WAIT = 60.0


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
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
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


def quota_exhausted(response: httpx.Response) -> bool:
    """`x-ratelimit-remaining: 0`: the primary quota is spent until the reset."""
    return str(response.headers.get("x-ratelimit-remaining", "")).strip() == "0"


def is_secondary_rate_limit(response: httpx.Response) -> bool:
    """GitHub's 403/429 that means 'slow down' rather than 'forbidden'."""
    if response.status_code not in (403, 429):
        return False
    if quota_exhausted(response) or "retry-after" in response.headers:
        return True
    return b"rate limit" in response.content.lower()


def server_wait(response: httpx.Response, *, now: float, attempt: int = 1) -> float | None:
    """The wait the server asked for before attempt `attempt + 1`, or None to back off."""
    wait = parse_retry_after(response.headers.get("Retry-After"), now=now)
    if wait is not None:
        return wait
    reset = parse_rate_limit_reset(response.headers.get("x-ratelimit-reset"), now=now)
    if reset is not None and quota_exhausted(response):
        return reset
    if b"secondary rate limit" in response.content.lower() or (
        response.status_code == 403 and is_secondary_rate_limit(response)
    ):
        return GITHUB_SECONDARY_MIN_WAIT * 2.0 ** (attempt - 1)
    if reset is not None and response.status_code == 429:
        return reset  # Jira: X-RateLimit-Reset without Retry-After
    return None
