"""Exact arithmetic on story points: floats in and out, decimal inside, so 0.1 + 0.2 == 0.3."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

# Sums are exact in Decimal (each float enters by its shortest repr, so 0.1 is 0.1); only a
# division (the ideal line) can need rounding, to this many places.
PLACES = Decimal("0.000001")
ONE_DECIMAL = Decimal("0.1")
# The largest estimate taken as a number: far past any real story, far from where sums of a
# sprint's estimates lose their six places (or overflow, as 1e308 + 1e308 does).
MAX_POINTS = 1_000_000
UNUSABLE_POINTS = (
    f"story points that are not a usable number (NaN, infinite, text, or beyond ±{MAX_POINTS:,}) "
    "were counted as unestimated"
)


def to_estimate(value: object) -> float | None:
    """A usable estimate: a finite number within ±MAX_POINTS; else None (NaN, inf, 1e308, text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value) if abs(value) <= MAX_POINTS else math.inf
    return number if math.isfinite(number) else None


def to_decimal(value: float) -> Decimal:
    """The decimal a float was written as (`0.1` -> `Decimal("0.1")`, not its binary value)."""
    return Decimal(repr(value))


def to_points(value: Decimal) -> float:
    """A decimal as a float rounded to six places, half away from zero."""
    return float(value.quantize(PLACES, rounding=ROUND_HALF_UP))


def total(values: Iterable[float]) -> float:
    """The exact sum of some point values, without float noise."""
    return to_points(sum((to_decimal(value) for value in values), Decimal(0)))


def difference(minuend: float, subtrahend: float) -> float:
    """`minuend - subtrahend` without float noise."""
    return to_points(to_decimal(minuend) - to_decimal(subtrahend))


def percent(part: float, whole: float) -> float:
    """`100 * part / whole` to one decimal, half away from zero (9.333 -> 9.3, 0.05 -> 0.1).

    0 when `whole` is 0 (SEMANTICS §4, `percent_complete`).
    """
    if whole == 0:
        return 0.0
    ratio = to_decimal(part) * 100 / to_decimal(whole)
    return float(ratio.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


class PointScale:
    """Exact integer arithmetic on many point values: each one a whole count of 10**-places.

    `places` covers every value the scale was built from (`scale_for`), so a sum of units is
    exact, as in `total`; `rounded` and `to_points` round to six places, half away from zero,
    exactly where `total` and `difference` round. Built once per ledger, it replaces one
    `Decimal` per value and per operation with integer additions.
    """

    __slots__ = ("_cache", "_grid", "_one", "places")

    def __init__(self, places: int) -> None:
        """A scale of 10**-`places` points per unit (`places` >= 0)."""
        self.places = places
        self._one = int(10**places)  # units per point
        self._grid = int(10 ** max(places - SIX, 0))  # units per millionth of a point
        self._cache: dict[float, int] = {}

    def units(self, value: float | None) -> int:
        """`value` in units (None, an unestimated issue, is 0)."""
        if value is None:
            return 0
        found = self._cache.get(value)
        if found is None:
            found = int(to_decimal(value).scaleb(self.places))
            self._cache[value] = found
        return found

    def rounded(self, units: int) -> int:
        """`units` rounded to six decimals of a point, half away from zero (still in units)."""
        if self._grid == 1:
            return units
        whole, rest = divmod(abs(units), self._grid)
        whole += 2 * rest >= self._grid
        return (whole if units >= 0 else -whole) * self._grid

    def to_points(self, units: int) -> float:
        """`units` as points, rounded like `to_points` (int / int is correctly rounded)."""
        return self.rounded(units) / self._one


SIX = 6  # the decimals a point figure keeps (PLACES)


def scale_for(values: Iterable[float | None]) -> PointScale:
    """The scale exact for every value in `values` (None ignored).

    Raises ValueError for an infinite or NaN value, which no sum can hold.
    """
    places = 0
    for value in set(values):
        if value is None:
            continue
        if not math.isfinite(value):
            raise ValueError(f"point value {value!r} is not a finite number")
        places = max(places, -int(to_decimal(value).as_tuple().exponent))
    return PointScale(places)
