from datetime import date

import pytest

from sprintsync.report.text import (
    duration_text,
    format_one_decimal,
    format_points,
    format_signed,
    percent,
    working_days_between,
)
from sprintsync.report.view import sprint_label

MON_TO_SAT = (0, 1, 2, 3, 4, 5)
MON_TO_FRI = (0, 1, 2, 3, 4)


def test_seed_duration_counts_ten_working_days():
    """Jan 24 - Feb 4 2025 with Monday-Saturday working days is 10 days (seed overview)."""
    text = duration_text(date(2025, 1, 24), date(2025, 2, 4), MON_TO_SAT)
    assert text == "January 24 - February 4, 2025 (10 days)"


def test_duration_with_a_five_day_week():
    """The same dates with Monday-Friday working days count 8 days."""
    assert duration_text(date(2025, 1, 24), date(2025, 2, 4), MON_TO_FRI).endswith("(8 days)")


def test_duration_across_years_names_both_years():
    """A sprint over New Year shows the year on both ends."""
    text = duration_text(date(2024, 12, 30), date(2025, 1, 3), MON_TO_FRI)
    assert text == "December 30, 2024 - January 3, 2025 (5 days)"


def test_duration_of_one_day_is_singular():
    """One working day reads "1 day"."""
    assert duration_text(date(2025, 1, 6), date(2025, 1, 6), MON_TO_FRI) == (
        "January 6 - January 6, 2025 (1 day)"
    )


def test_duration_without_end_date():
    """A sprint without an end date says so."""
    assert duration_text(date(2025, 1, 6), None, MON_TO_FRI) == (
        "from January 6, 2025 (no end date)"
    )


def test_working_days_between_is_zero_when_reversed():
    """No working days lie between a later start and an earlier end."""
    assert working_days_between(date(2025, 1, 10), date(2025, 1, 6), MON_TO_FRI) == 0


@pytest.mark.parametrize(
    ("value", "text"), [(4.0, "4"), (0.5, "0.5"), (1.25, "1.25"), (75.0, "75"), (0.0, "0")]
)
def test_points_are_formatted_without_a_useless_decimal(value, text):
    """Points print 4, not 4.0, and keep real fractions."""
    assert format_points(value) == text


def test_signed_changes():
    """Scope changes carry their sign; zero has none."""
    assert [format_signed(v) for v in (5.0, -3.0, 0.0)] == ["+5", "-3", "0"]


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(7, 75, 9.3), (22, 75, 29.3), (117, 400, 29.3), (1, 8, 12.5), (0, 0, 0.0), (3, 3, 100.0)],
)
def test_percent_is_half_away_from_zero(part, whole, expected):
    """Percent complete has one decimal, rounding halves up (29.25 -> 29.3, SEMANTICS §4)."""
    assert percent(part, whole) == expected


def test_one_decimal_rounds_half_away_from_zero():
    """Pace figures round 0.25 -> 0.3, unlike round()'s half-to-even."""
    assert format_one_decimal(0.25) == "0.3"
    assert format_one_decimal(7.0) == "7"


@pytest.mark.parametrize(
    ("name", "label"), [("Sprint 5", "5"), ("sprint 12", "12"), ("PRD Sprint 3", "PRD Sprint 3")]
)
def test_sprint_label_drops_a_leading_sprint_word(name, label):
    """The overview's Sprint line shows "5" for "Sprint 5" (seed) and other names whole."""
    assert sprint_label(name) == label
