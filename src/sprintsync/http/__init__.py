"""The one HTTP policy: timeouts, retries, Retry-After and rate limits, errors, paging guards."""

from sprintsync.http.budget import BudgetSpent, RetryPolicy, RunBudget
from sprintsync.http.client import build_client, gather_all, send_json
from sprintsync.http.errors import (
    DEFAULT_HINTS,
    check_response,
    describe_error_body,
    json_body,
    request_id,
)
from sprintsync.http.paging import PageGuard, max_pages_for, same_origin_link
from sprintsync.http.ratelimit import parse_rate_limit_reset, parse_retry_after, server_wait
from sprintsync.http.transport import IDEMPOTENT, RetryingTransport

__all__ = [
    "DEFAULT_HINTS",
    "IDEMPOTENT",
    "BudgetSpent",
    "PageGuard",
    "RetryPolicy",
    "RetryingTransport",
    "RunBudget",
    "build_client",
    "check_response",
    "describe_error_body",
    "gather_all",
    "json_body",
    "max_pages_for",
    "parse_rate_limit_reset",
    "parse_retry_after",
    "request_id",
    "same_origin_link",
    "send_json",
    "server_wait",
]
