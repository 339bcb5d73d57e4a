from datetime import UTC, date, datetime

from demo_helpers import BERLIN, CUTOFF, fetch_demo
from sprintsync.demo import DEMO_BASE_URL
from sprintsync.domain import WorkState


def done_day(issue) -> date | None:
    """The Berlin date of the issue's last move into Done, if done at the cut-off."""
    moves = [m for m, state in issue.state.changes if state is WorkState.DONE]
    return moves[-1].astimezone(BERLIN).date() if moves else None


async def test_demo_is_sprint_5_with_13_issues_and_75_points():
    """The demo yields Sprint 5 of the seed report: 13 issues, 75 points, all in from the start."""
    data = await fetch_demo()
    assert (data.sprint.id, data.sprint.name, data.sprint.goal) == (
        "5",
        "Sprint 5",
        "Production Readiness",
    )
    assert data.sprint.start == datetime(2025, 1, 24, 8, tzinfo=UTC)
    assert data.sprint.end == datetime(2025, 2, 4, 17, tzinfo=UTC)
    assert len(data.issues) == 13
    assert sum(i.estimate.value_at(data.sprint.start) or 0 for i in data.issues) == 75
    assert all(i.in_sprint.value_at(data.sprint.start) for i in data.issues)


async def test_demo_completions_fall_on_the_seed_report_days():
    """PRD-101/102 are done on 24 Jan (7 points), PRD-103/104/105 on 25 Jan (15 points)."""
    issues = {i.key: i for i in (await fetch_demo()).issues}
    days = {key: done_day(issue) for key, issue in issues.items()}
    day1 = [k for k, d in days.items() if d == date(2025, 1, 24)]
    day2 = [k for k, d in days.items() if d == date(2025, 1, 25)]
    assert sorted(day1) == ["PRD-101", "PRD-102"]
    assert sorted(day2) == ["PRD-103", "PRD-104", "PRD-105"]
    assert sum(issues[k].estimate.value_at(CUTOFF) for k in day1) == 7
    assert sum(issues[k].estimate.value_at(CUTOFF) for k in day2) == 15
    assert issues["PRD-106"].state.value_at(CUTOFF) is WorkState.IN_PROGRESS


async def test_demo_descriptions_carry_the_seed_details_and_results():
    """Detail bullets and Result lines come from the ADF descriptions, as in the seed."""
    issues = {i.key: i for i in (await fetch_demo()).issues}
    monitoring = issues["PRD-101"]
    assert monitoring.details[0] == "Integrated Prometheus metrics collection"
    assert len(monitoring.details) == 4
    assert monitoring.result == "Real-time metrics collection operational"
    assert issues["PRD-104"].details[-1] == "Supports 10+ concurrent batch jobs"
    assert issues["PRD-105"].result == "API protected from abuse"
    assert issues["PRD-101"].url == f"{DEMO_BASE_URL}/browse/PRD-101"
