"""The report view's per-day sweep (in progress, blockers, scope lines) equals the per-day scan."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from report_oracle import oracle_day_views
from sprintsync.domain import Plan, PlanBlocker, PlanDay, PlanItem
from sprintsync.ledger import build_ledger
from sprintsync.reconcile import reconcile
from sprintsync.report.context import DayContext
from sprintsync.report.view import STALE_AFTER_DAYS, build_burndown, build_report_view
from sweep_strategies import sprint_runs


@st.composite
def views(draw):
    """A random sprint's ledger, with a plan (two items, a blocker and a note) or none."""
    data, cutoff, zone, options = draw(sprint_runs())
    ledger = build_ledger(data, cutoff=cutoff, timezone=zone, **options)
    plan = None
    if draw(st.booleans()):
        first = ledger.days[0].date
        plan = Plan(
            sprint="Sprint 5",
            working_days=options["working_days"],
            days=(PlanDay(first, "goal", ("a note",), (PlanBlocker("waiting", "done"),)),),
            items=(
                PlanItem(id="P-1", title="One", points=3.0, issues=("K-0", "K-1")),
                PlanItem(id="P-2", title="Two", points=5.0, issues=("K-2",)),
            ),
        )
    return data, ledger, plan, options["working_days"]


@given(views())
@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
def test_view_days_equal_the_per_day_scan(drawn):
    """Every shown day (in progress, blockers, insights, all of it) equals the oracle's day."""
    data, ledger, plan, working_days = drawn
    reconciliation = reconcile(plan, ledger, data) if plan else None
    view = build_report_view(
        ledger=ledger,
        data=data,
        plan=plan,
        reconciliation=reconciliation,
        team="t",
        as_of=ledger.days[-1].date,
        working_days=working_days,
    )
    context = DayContext.build(
        ledger=ledger,
        data=data,
        plan=plan,
        reconciliation=reconciliation,
        working_days=working_days,
    )
    reported = tuple(
        f for f in ledger.days if f.is_working_day or f.completed or f.scope_change != 0
    )
    expected = oracle_day_views(context, reported)
    end = context.end_date
    if end is not None and (ledger.days[-1].date - end).days > STALE_AFTER_DAYS:
        expected = tuple(
            d
            for d in expected
            if d.date <= end or d.completed or d is expected[-1] or _changed(ledger, d.date)
        )
        assert any("days past its end date" in notice for notice in view.notices)
    else:
        assert view.notices == data.notices
    assert view.days == expected
    shown = tuple(f for f in reported if f.date in {d.date for d in expected})
    numbers = tuple(d.number for d in expected)
    assert view.burndown == build_burndown(
        shown, committed=ledger.totals.committed, start=context.start_date, numbers=numbers
    )
    assert view.figures == ledger.days


def _changed(ledger, day):
    """Whether the ledger has a scope change or a completion on `day`."""
    (figures,) = [f for f in ledger.days if f.date == day]
    return bool(figures.completed) or figures.scope_change != 0
