"""The optional report sections (`report.sections`): forecast, blockers, stuck, changes, ...."""

from __future__ import annotations

from sprintsync.domain import Plan, SprintData
from sprintsync.report.context import DayContext
from sprintsync.report.sections.blockers import build_blockers
from sprintsync.report.sections.changes import build_changes
from sprintsync.report.sections.forecast import build_forecast
from sprintsync.report.sections.model import SectionsView, VelocityHistory
from sprintsync.report.sections.options import (
    BLOCKERS,
    CHANGES,
    DATA_QUALITY,
    FORECAST,
    SECTION_NAMES,
    STUCK,
    VELOCITY,
    SectionOptions,
)
from sprintsync.report.sections.quality import build_quality
from sprintsync.report.sections.stuck import build_stuck
from sprintsync.report.sections.velocity import build_velocity

__all__ = [
    "SECTION_NAMES",
    "SectionOptions",
    "SectionsView",
    "VelocityHistory",
    "build_sections",
]


def build_sections(
    context: DayContext,
    *,
    data: SprintData,
    plan: Plan | None,
    options: SectionOptions,
    past_end: int,
    velocity: VelocityHistory | None = None,
) -> SectionsView | None:
    """The sections `options` turns on; None when it turns none on (the sample's shape)."""
    if not options.sections:
        return None
    ledger = context.ledger
    forecast = None
    if options.wants(FORECAST):
        forecast = build_forecast(
            ledger.days,
            remaining=ledger.totals.remaining,
            today=ledger.cutoff.astimezone(context.zone).date(),
            end=context.end_date,
            working_days=context.working_days,
            sprint_id=ledger.sprint.id,
            runs=options.forecast_runs,
        )
    return SectionsView(
        forecast=forecast,
        blockers=build_blockers(context) if options.wants(BLOCKERS) else None,
        stuck=build_stuck(context, after_days=options.stuck_after_days)
        if options.wants(STUCK)
        else None,
        stuck_after_days=options.stuck_after_days,
        changes=build_changes(context) if options.wants(CHANGES) else None,
        data_quality=build_quality(context, data=data, plan=plan, past_end=past_end)
        if options.wants(DATA_QUALITY)
        else None,
        velocity=build_velocity(velocity, current_committed=ledger.totals.committed)
        if options.wants(VELOCITY)
        else None,
    )
