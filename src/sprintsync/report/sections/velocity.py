"""Velocity history: committed vs completed of the board's last closed sprints (pure).

As Jira's Velocity chart shows it (API-NOTES A.5.5): per closed sprint the commitment at its
start (SEMANTICS §4 `committed`) and what it completed (§4 `completed`), newest close first.
Averages are the means over the sprints shown, one decimal half away from zero; predictability
is 100 x Σ completed / Σ committed (per sprint: its completed / its committed). The current
sprint's `committed` is set against the average completed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from sprintsync.domain.points import to_decimal, total
from sprintsync.report.sections.model import VelocityHistory, VelocitySprintView, VelocityView
from sprintsync.report.text import format_points, percent

ONE_DECIMAL = Decimal("0.1")
NO_CLOSED_SPRINT = "No closed sprint on this board yet: no velocity history"


def mean(values: Sequence[float]) -> float | None:
    """The mean to one decimal, half away from zero; None for no values."""
    if not values:
        return None
    exact = to_decimal(total(values)) / len(values)
    return float(exact.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def build_velocity(history: VelocityHistory | None, *, current_committed: float) -> VelocityView:
    """The section from the fetched history; the reason it is missing when there is none."""
    history = history or VelocityHistory()
    sprints = tuple(_sprint(*entry) for entry in history.sprints)
    committed = [s.committed for s in sprints]
    completed = [s.completed for s in sprints]
    view = VelocityView(
        sprints=sprints,
        wanted=history.wanted,
        average_committed=mean(committed),
        average_completed=mean(completed),
        predictability=percent(total(completed), total(committed)) if total(committed) else None,
        current_committed=current_committed,
        notices=history.notices,
    )
    return replace(view, lines=_lines(view, history.unavailable))


def _sprint(name: str, committed: float, completed: float) -> VelocitySprintView:
    ratio = percent(completed, committed) if committed else None
    share = f" ({format_points(ratio)}%)" if ratio is not None else ""
    text = f"{name}: committed {format_points(committed)}, completed {format_points(completed)}"
    return VelocitySprintView(
        name=name,
        committed=committed,
        completed=completed,
        predictability=ratio,
        text=text + share,
    )


def _lines(view: VelocityView, unavailable: str | None) -> tuple[str, ...]:
    if view.average_completed is None or view.average_committed is None:
        return (unavailable or NO_CLOSED_SPRINT,)
    count = len(view.sprints)
    plural = "sprint" if count == 1 else "sprints"
    first = (
        f"This sprint: committed {format_points(view.current_committed)}, average completed "
        f"{format_points(view.average_completed)} over {count} {plural}"
    )
    if count < view.wanted:
        first += f" (the board has {count} closed, {view.wanted} asked for)"
    second = f"Average committed {format_points(view.average_committed)}"
    if view.predictability is not None:
        second += f"; predictability {format_points(view.predictability)}% (completed / committed)"
    return first, second
