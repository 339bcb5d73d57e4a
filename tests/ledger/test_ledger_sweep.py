"""The ledger's one-sweep-per-issue days and integer totals equal the per-day evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from ledger_oracle import oracle_ledger
from sprintsync.domain.points import scale_for, total
from sprintsync.ledger import build_ledger
from sweep_strategies import sprint_runs


@given(sprint_runs())
@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
def test_sweep_ledger_equals_the_per_day_evaluation(run):
    """§4-§5: the whole ledger (totals and every day's figures) equals the per-day oracle's."""
    data, cutoff, zone, options = run
    swept = build_ledger(data, cutoff=cutoff, timezone=zone, **options)
    assert swept == oracle_ledger(data, cutoff=cutoff, timezone=zone, **options)


@pytest.mark.parametrize(
    "values",
    [[0.1, 0.2], [1 / 3, 2 / 3, 1 / 3], [2.675, 0.005], [1e-7, 1e-7, 4e-7], [-1.5, 0.25], []],
)
def test_point_scale_sums_like_total(values):
    """An integer sum in the scale's units rounds to what `total` gives (exact, six places)."""
    scale = scale_for(values)
    assert scale.to_points(sum(scale.units(v) for v in values)) == total(values)


def test_point_scale_refuses_a_non_finite_value():
    """An infinite estimate cannot be summed exactly: a ValueError names it."""
    with pytest.raises(ValueError, match="inf"):
        scale_for([1.0, float("inf")])
