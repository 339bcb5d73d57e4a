from datetime import UTC, datetime
from email.utils import format_datetime

from sprintsync.http import parse_rate_limit_reset, parse_retry_after

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC).timestamp()


def test_retry_after_in_seconds():
    """Retry-After as delta-seconds is taken as it is."""
    assert parse_retry_after("7", now=NOW) == 7.0


def test_retry_after_as_http_date():
    """Retry-After as an HTTP date is the time left until then."""
    later = format_datetime(datetime(2026, 11, 26, 6, 0, 30, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, now=NOW) == 30.0


def test_rate_limit_reset_github_epoch_and_jira_iso():
    """X-RateLimit-Reset is GitHub's epoch seconds or Jira's ISO-8601 timestamp."""
    assert parse_rate_limit_reset(str(int(NOW) + 12), now=NOW) == 12.0
    assert parse_rate_limit_reset("2026-11-26T06:00:05Z", now=NOW) == 5.0
    assert parse_rate_limit_reset("garbage", now=NOW) is None
