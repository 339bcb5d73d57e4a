"""A hand-built Sprint 5 (Berlin, Monday to Friday) viewed with the optional sections on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from ledger_helpers import BERLIN, data
from sprintsync.domain import Plan, SprintData, TrackedIssue
from sprintsync.ledger import build_ledger
from sprintsync.reconcile import reconcile
from sprintsync.report.sections import SECTION_NAMES, SectionOptions
from sprintsync.report.view import ReportView, build_report_view

WEEKDAYS = (0, 1, 2, 3, 4)
ALL = SectionOptions(sections=frozenset(SECTION_NAMES))


def end_of(day: date) -> datetime:
    """The last moment of `day` in Berlin (an `--as-of` cut-off)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=BERLIN) - timedelta(
        microseconds=1
    )


def utc(day: int, hour: int = 12, *, month: int = 1) -> datetime:
    """A UTC moment in 2025."""
    return datetime(2025, month, day, hour, tzinfo=UTC)


def view_of(
    *issues: TrackedIssue,
    as_of: date,
    options: SectionOptions = ALL,
    plan: Plan | None = None,
    notices: tuple[str, ...] = (),
) -> ReportView:
    """The report view at the end of `as_of` with `options`."""
    sprint_data: SprintData = replace(data(*issues), notices=notices)
    ledger = build_ledger(sprint_data, cutoff=end_of(as_of), timezone=BERLIN, working_days=WEEKDAYS)
    return build_report_view(
        ledger=ledger,
        data=sprint_data,
        plan=plan,
        reconciliation=reconcile(plan, ledger, sprint_data) if plan else None,
        team="platform",
        as_of=as_of,
        working_days=WEEKDAYS,
        sections=options,
    )
