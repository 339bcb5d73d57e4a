"""Working-day arithmetic in O(1) per question, for ages and finish dates (pure)."""

from __future__ import annotations

from datetime import date, timedelta

WEEK = 7


def count_working_days(first: date, last: date, working_days: tuple[int, ...]) -> int:
    """Working days from `first` to `last`, both included (0 when last < first)."""
    if last < first:
        return 0
    span = (last - first).days + 1
    weeks, rest = divmod(span, WEEK)
    count = weeks * len(set(working_days))
    start = first.weekday()
    count += sum((start + n) % WEEK in working_days for n in range(rest))
    return count


def age_in_working_days(since: date, today: date, working_days: tuple[int, ...]) -> int:
    """Working days after `since` up to `today` included: Friday to Monday is 1."""
    return count_working_days(since + timedelta(days=1), today, working_days)


def nth_working_day_after(day: date, n: int, working_days: tuple[int, ...]) -> date:
    """The `n`-th working day after `day` (n >= 1); `day` itself when n is 0."""
    per_week = len(set(working_days))
    if n <= 0 or per_week == 0:
        return day
    weeks, rest = divmod(n - 1, per_week)
    current = day + timedelta(days=weeks * WEEK)
    found = 0
    while found <= rest:
        current += timedelta(days=1)
        found += current.weekday() in working_days
    return current
