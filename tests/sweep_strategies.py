"""Random sprints for the property tests that compare the sweeps with their per-day oracles."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from sprintsync.domain import Sprint, SprintData, Timeline, TrackedIssue, WorkState

ZONES = (ZoneInfo("Europe/Berlin"), ZoneInfo("America/Santiago"), ZoneInfo("UTC"))
# Starts just before DST changes too (Berlin 30 March; Santiago at midnight, 6 April, 7 Sept).
STARTS = (
    datetime(2025, 1, 24, 8, tzinfo=UTC),
    datetime(2025, 3, 27, 8, tzinfo=UTC),
    datetime(2025, 4, 3, 12, tzinfo=UTC),
    datetime(2025, 9, 4, 12, tzinfo=UTC),
)
ESTIMATES = st.sampled_from(
    [None, 0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 0.333, 2.675, 1 / 3, 1e-7, -1.0]
)
WEEKS = st.sampled_from([(0, 1, 2, 3, 4), (0, 1, 2, 3, 4, 5), (), (6,)])


@st.composite
def moments(draw, start: datetime, zone: ZoneInfo) -> datetime:
    """A moment near the sprint: any hour, or exactly at (or 1 us around) a local midnight."""
    if draw(st.booleans()):
        return start + timedelta(hours=draw(st.integers(-72, 30 * 24)))
    day = start.astimezone(zone).date() + timedelta(days=draw(st.integers(-2, 30)))
    midnight = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    return midnight + timedelta(microseconds=draw(st.sampled_from([-1, 0, 0, 1])))


def timelines(values, start: datetime, zone: ZoneInfo):
    """Timelines with up to five changes at (often equal) moments."""
    changes = st.lists(st.tuples(moments(start, zone), values), max_size=5).map(
        lambda found: tuple(sorted(found, key=lambda change: change[0]))
    )
    return st.builds(Timeline, values, changes)


@st.composite
def sprint_runs(draw):
    """Random sprint data (any zone, any week), cut-off up to 40 days past the end."""
    zone, start = draw(st.sampled_from(ZONES)), draw(st.sampled_from(STARTS))
    issues = tuple(
        TrackedIssue(
            key=f"K-{n}",
            title="t",
            in_sprint=draw(timelines(st.booleans(), start, zone)),
            state=draw(timelines(st.sampled_from(WorkState), start, zone)),
            estimate=draw(timelines(ESTIMATES, start, zone)),
            is_subtask=draw(st.booleans()),
            flagged=draw(timelines(st.booleans(), start, zone)),
            blocked_by=draw(st.sampled_from([(), ("X-1",), ("X-1", "X-2")])),
        )
        for n in range(draw(st.integers(0, 8)))
    )
    end = draw(st.none() | st.integers(1, 20 * 24).map(lambda h: start + timedelta(hours=h)))
    complete = draw(st.none() | st.integers(1, 30 * 24).map(lambda h: start + timedelta(hours=h)))
    cutoff = start + timedelta(hours=draw(st.integers(0, 60 * 24)))
    sprint = Sprint(id="5", name="Sprint 5", state="active", start=start, end=end)
    if complete is not None:
        sprint = Sprint(
            id="5", name="Sprint 5", state="closed", start=start, end=end, complete=complete
        )
    options = {"working_days": draw(WEEKS), "count_subtasks": draw(st.booleans())}
    return SprintData(sprint=sprint, issues=issues), cutoff, zone, options
