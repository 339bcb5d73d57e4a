import json
from datetime import date

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from report.golden import check_golden
from report.sprint5_data import seed_view
from sprintsync.domain import DateMismatch, PointsMismatch, Reconciliation
from sprintsync.report.json_report import load_schema, number, render_json

VALIDATOR = Draft202012Validator(load_schema(), format_checker=FormatChecker())


def test_json_matches_golden(update_golden):
    """The status JSON of the seed sprint equals its reviewed golden file."""
    check_golden("sprint5.json", render_json(seed_view()), update=update_golden)


def test_schema_is_valid_draft_2020_12():
    """The shipped schema is itself a valid draft 2020-12 schema."""
    Draft202012Validator.check_schema(load_schema())


def test_seed_json_validates_and_carries_the_fixed_keys():
    """The JSON validates against the schema and has the seed's totals and days."""
    data = json.loads(render_json(seed_view()))
    VALIDATOR.validate(data)
    assert list(data)[:8] == [
        "schema_version",
        "team",
        "as_of",
        "sprint",
        "totals",
        "days",
        "issues",
        "plan",
    ]
    assert data["totals"]["committed"] == 75
    assert data["totals"]["percent_complete"] == 29.3
    assert [(d["date"], d["completed_points"], d["cumulative_points"]) for d in data["days"]] == [
        ("2025-01-24", 7, 7),
        ("2025-01-25", 15, 22),
    ]
    assert data["days"][0]["completed"] == ["PRD-101", "PRD-102"]
    assert data["plan"] == {
        "missing": [],
        "unplanned": [],
        "points_mismatch": [],
        "date_mismatch": [],
    }


def test_whole_numbers_are_integers_in_the_text():
    """75 is written as 75, never 75.0; fractions stay fractions."""
    text = render_json(seed_view())
    assert '"committed": 75,' in text
    assert ".0," not in text
    assert ".0\n" not in text
    assert number(0.5) == 0.5
    assert isinstance(number(4.0), int)


def test_layout_is_two_space_indent_with_trailing_newline():
    """Two-space indentation and one trailing newline."""
    text = render_json(seed_view())
    assert text.startswith('{\n  "schema_version": 1,\n')
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")


def test_plan_differences_are_listed():
    """Missing items, unplanned keys and mismatches appear under "plan"."""
    reconciliation = Reconciliation(
        missing=("OPS-009",),
        unplanned=("PRD-120",),
        points_mismatch=(PointsMismatch("PERF-001", 8.0, 9.5),),
        date_mismatch=(DateMismatch("end", date(2025, 2, 4), date(2025, 2, 5)),),
    )
    data = json.loads(render_json(seed_view(reconciliation=reconciliation)))
    VALIDATOR.validate(data)
    assert data["plan"]["points_mismatch"] == [{"item": "PERF-001", "planned": 8, "tracker": 9.5}]
    assert data["plan"]["date_mismatch"][0]["tracker"] == "2025-02-05"
    assert data["plan"]["missing"] == ["OPS-009"]
    assert data["issues"][0]["item"] is None


def test_schema_rejects_a_report_without_totals():
    """A document missing a fixed key fails validation."""
    data = json.loads(render_json(seed_view()))
    del data["totals"]
    with pytest.raises(ValidationError, match="totals"):
        VALIDATOR.validate(data)
