"""Number, date and calendar formatting shared by the report view model (pure)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_points(value: float) -> str:
    """Points without a useless ".0": 4.0 -> "4", 0.5 -> "0.5", 1.25 -> "1.25"."""
    if value == int(value):
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def format_signed(value: float) -> str:
    """A signed change: +5, -3, 0."""
    if value > 0:
        return f"+{format_points(value)}"
    return format_points(value)


def round_half_away(value: float, places: int = 1) -> float:
    """Round half away from zero (SEMANTICS §4), not Python's half-to-even."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return float(rounded)


def percent(part: float, whole: float) -> float:
    """100 x part / whole, one decimal half away from zero; 0 when whole is 0 (SEMANTICS §4)."""
    if whole == 0:
        return 0.0
    exact = Decimal(part) * 100 / Decimal(whole)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def format_one_decimal(value: float) -> str:
    """One decimal half away from zero, without a trailing ".0": 7.55 -> "7.6", 7.0 -> "7"."""
    return format_points(round_half_away(value, 1))


def long_date(day: date) -> str:
    """Text like "January 24, 2025" (locale-independent)."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def short_label(day: date) -> str:
    """Text like "01-24": a chart category."""
    return f"{day.month:02d}-{day.day:02d}"


def working_days_between(first: date, last: date, working_days: tuple[int, ...]) -> int:
    """Working days from `first` to `last`, both included (0 when last < first)."""
    count = 0
    day = first
    while day <= last:
        count += day.weekday() in working_days
        day += timedelta(days=1)
    return count


def duration_text(start: date, end: date | None, working_days: tuple[int, ...]) -> str:
    """Text like "January 24 - February 4, 2025 (10 days)"; days = working days, ends included."""
    if end is None:
        return f"from {long_date(start)} (no end date)"
    days = working_days_between(start, end, working_days)
    unit = "day" if days == 1 else "days"
    same_year = start.year == end.year
    first = f"{MONTHS[start.month - 1]} {start.day}" if same_year else long_date(start)
    return f"{first} - {long_date(end)} ({days} {unit})"
