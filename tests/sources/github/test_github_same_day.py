"""GitHub Projects changes inside one day, between two daily snapshots (SEMANTICS §3, §4)."""

from datetime import date

from fakes.github_graphql import FakeGitHub, FakeItem, issue
from fakes.server import serve
from github_helpers import BERLIN, at, board, close, day
from sprintsync.domain import Outcome, WorkState
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.ledger import build_ledger
from sprintsync.sources.github.source import GitHubProjectsSource
from sprintsync.state import SnapshotStore

UNKNOWN = "estimate when added unknown for acme/shop#7"


async def run(server_url, store, now):
    """One scheduled run of the source at `now` (cut-off = now)."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    headers = {"Authorization": "Bearer ghp_fake_valid"}
    async with build_client(
        service="GitHub", base_url=server_url, budget=budget, headers=headers
    ) as client:
        source = GitHubProjectsSource(
            client,
            owner="acme",
            project=5,
            iteration="current",
            iteration_field="Iteration",
            points_field="Story Points",
            status_field="Status",
            done=("Done",),
            in_progress=("In Progress",),
            store=store,
            now=now,
            timezone=BERLIN,
        )
        return await source.fetch(cutoff=now)


async def test_closed_reopened_and_closed_again_between_snapshots_is_done_at_the_new_close(
    tmp_path,
):
    """Done in both snapshots but closedAt moved: the last move into Done is the new close."""
    project = board()
    store = SnapshotStore(tmp_path / "state.db")
    with serve(FakeGitHub(project).handle) as server:
        await run(server.url, store, day(1))
        close(project.item("PVTI_1"), "2026-11-16T10:00:00Z")
        await run(server.url, store, day(2))
        # Reopened on the 17th and closed again at 15:00: the day-3 snapshot shows Done again.
        close(project.item("PVTI_1"), "2026-11-17T15:00:00Z")
        data = await run(server.url, store, day(3))
    reclosed = next(i for i in data.issues if i.key == "acme/shop#1")
    assert reclosed.state.value_at(day(3)) is WorkState.DONE
    assert reclosed.state.changes[-1] == (at("2026-11-17T15:00"), WorkState.DONE)
    ledger = build_ledger(data, cutoff=day(3), timezone=BERLIN)
    verdict = next(i for i in ledger.issues if i.key == "acme/shop#1")
    assert verdict.outcome is Outcome.COMPLETED
    assert verdict.done_on == date(2026, 11, 17)
    by_day = {d.date: d.completed_points for d in ledger.days}
    assert (by_day[date(2026, 11, 16)], by_day[date(2026, 11, 17)]) == (0, 5)


def added_then_reestimated(project, *, created_at):
    """PVTI_7 joins Iteration 7 at 12:00 on the 16th with 2 points, re-estimated to 3 at 15:00."""
    content = issue("acme/shop", 7, "Issue 7", created_at="2026-11-01T00:00:00Z")
    item = FakeItem(id="PVTI_7", created_at=created_at, content=content, points=2.0)
    project.items.append(item)
    return item


def join_and_reestimate(item):
    """Between the day-1 and day-2 snapshots: into it7 at 12:00, then 2 -> 3 at 15:00."""
    item.iteration, item.iteration_updated_at = "it7", "2026-11-16T12:00:00Z"
    item.points, item.points_updated_at = 3.0, "2026-11-16T15:00:00Z"


async def test_added_and_reestimated_the_same_day_counts_its_estimate_when_added(tmp_path):
    """The previous snapshot of the whole project and the values' updatedAt give `added` = 2."""
    project = board()
    item = added_then_reestimated(project, created_at="2026-11-10T09:00:00Z")
    store = SnapshotStore(tmp_path / "state.db")
    with serve(FakeGitHub(project).handle) as server:
        await run(server.url, store, day(1))  # PVTI_7 in the project, in no iteration, 2 points
        join_and_reestimate(item)
        data = await run(server.url, store, day(2))
    added = next(i for i in data.issues if i.key == "acme/shop#7")
    assert added.in_sprint.changes == ((at("2026-11-16T12:00"), True),)
    assert added.estimate.value_at(at("2026-11-16T12:00")) == 2.0
    assert added.estimate.changes == ((at("2026-11-16T15:00"), 3.0),)
    ledger = build_ledger(data, cutoff=day(2), timezone=BERLIN)
    verdict = next(i for i in ledger.issues if i.key == "acme/shop#7")
    assert (verdict.added_after_start, verdict.initial_estimate, verdict.final_estimate) == (
        True,
        2.0,
        3.0,
    )
    assert ledger.totals.added == 2.0
    assert not [n for n in data.notices if n.startswith("estimate when added")]


async def test_an_unknown_estimate_when_added_is_said_in_the_notices(tmp_path):
    """No earlier snapshot holds the item: its first snapshot's estimate counts, and we say so."""
    project = board()
    store = SnapshotStore(tmp_path / "state.db")
    with serve(FakeGitHub(project).handle) as server:
        await run(server.url, store, day(1))
        item = added_then_reestimated(project, created_at="2026-11-16T11:00:00Z")
        join_and_reestimate(item)
        data = await run(server.url, store, day(2))
    ledger = build_ledger(data, cutoff=day(2), timezone=BERLIN)
    verdict = next(i for i in ledger.issues if i.key == "acme/shop#7")
    assert (verdict.added_after_start, verdict.initial_estimate) == (True, 3.0)
    notes = [n for n in data.notices if n.startswith(UNKNOWN)]
    expected = (
        f"{UNKNOWN}: re-estimated after joining the iteration, and no earlier snapshot of the "
        "whole project holds its estimate before; the estimate at its first snapshot counts "
        "as added"
    )
    assert notes == [expected]


async def test_an_estimate_set_before_joining_needs_no_notice(tmp_path):
    """Points last set before the item joined: the estimate when added is today's, no notice."""
    project = board()
    store = SnapshotStore(tmp_path / "state.db")
    with serve(FakeGitHub(project).handle) as server:
        await run(server.url, store, day(1))
        item = added_then_reestimated(project, created_at="2026-11-16T11:00:00Z")
        item.iteration, item.iteration_updated_at = "it7", "2026-11-16T12:00:00Z"
        item.points_updated_at = "2026-11-16T11:30:00Z"
        data = await run(server.url, store, day(2))
    ledger = build_ledger(data, cutoff=day(2), timezone=BERLIN)
    verdict = next(i for i in ledger.issues if i.key == "acme/shop#7")
    assert (verdict.added_after_start, verdict.initial_estimate) == (True, 2.0)
    assert not [n for n in data.notices if n.startswith("estimate when added")]
