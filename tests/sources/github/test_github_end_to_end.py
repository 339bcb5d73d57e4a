from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from fakes.github_graphql import FakeGitHub, FakeItem, issue
from fakes.server import serve
from github_helpers import at, board, close, day, reopen
from sprintsync.domain import Outcome, WorkState
from sprintsync.errors import UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.ledger import build_ledger
from sprintsync.report.json_report import to_json_data
from sprintsync.report.view import build_report_view
from sprintsync.sources.github.queries import ORGANIZATION_ITEMS
from sprintsync.sources.github.source import GitHubProjectsSource
from sprintsync.state import SnapshotStore

BERLIN = ZoneInfo("Europe/Berlin")
TOKEN = "ghp_fake_valid"
START = datetime(2026, 11, 16, tzinfo=BERLIN)


async def run(server_url, store, now, *, owner="acme", token=TOKEN):
    """One scheduled run of the source at `now` (cut-off = now)."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    headers = {"Authorization": f"Bearer {token}"}
    async with build_client(
        service="GitHub", base_url=server_url, budget=budget, headers=headers
    ) as client:
        source = GitHubProjectsSource(
            client,
            owner=owner,
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


async def five_days(tmp_path):
    """Run the source daily for five days while the board changes; the first and last data."""
    project = board()
    fake = FakeGitHub(project)
    store = SnapshotStore(tmp_path / ".sprintsync" / "state.db")
    with serve(fake.handle) as server:
        first = await run(server.url, store, day(1))
        project.item("PVTI_3").points = 5.0  # re-estimated before day 2
        await run(server.url, store, day(2))
        project.item("PVTI_2").iteration = "it8"  # moved to the next iteration before day 3
        close(project.item("PVTI_1"), "2026-11-18T06:00:00Z")
        await run(server.url, store, day(3))
        added = issue("acme/shop", 4, "Issue 4", created_at="2026-11-18T09:00:00Z")
        project.items.append(
            FakeItem(
                id="PVTI_4",
                created_at="2026-11-18T10:00:00Z",
                content=added,
                iteration="it7",
                points=8.0,
            )
        )
        reopen(project.item("PVTI_1"))
        await run(server.url, store, day(4))
        close(project.item("PVTI_1"), "2026-11-20T03:00:00Z")
        await run(server.url, store, day(5))
        last = await run(server.url, store, day(5))  # a repeated run at the same moment
    assert fake.invalid == []
    assert len(store.snapshots(project="acme/5", iteration="it7")) == 5
    return first, last


async def test_day_by_day_runs_rebuild_the_history(tmp_path):
    """Five daily runs with the board changing between them give exact timelines."""
    first, last = await five_days(tmp_path)

    assert first.notices[0].startswith(
        "no snapshot before 2026-11-16: items present at the first snapshot are assumed "
        "committed at the iteration start"
    )
    issues = {i.key: i for i in last.issues}
    assert set(issues) == {"acme/shop#1", "acme/shop#2", "acme/shop#3", "acme/shop#4", "DI_spike"}

    reopened = issues["acme/shop#1"]
    assert reopened.in_sprint.initial is True
    assert reopened.in_sprint.changes == ()
    assert reopened.state.initial is WorkState.TODO
    assert reopened.state.changes == (
        (at("2026-11-18T06:00"), WorkState.DONE),
        (day(4), WorkState.IN_PROGRESS),
        (at("2026-11-20T03:00"), WorkState.DONE),
    )

    moved = issues["acme/shop#2"]
    assert (moved.in_sprint.initial, moved.in_sprint.changes) == (True, ((day(3), False),))

    reestimated = issues["acme/shop#3"]
    assert (reestimated.estimate.initial, reestimated.estimate.changes) == (2.0, ((day(2), 5.0),))

    mid = issues["acme/shop#4"]
    assert (mid.in_sprint.initial, mid.in_sprint.changes) == (
        False,
        ((at("2026-11-18T10:00"), True),),
    )
    assert mid.estimate.initial == 8.0

    draft = issues["DI_spike"]
    assert draft.state.value_at(day(5)) is WorkState.IN_PROGRESS
    assert (draft.issue_type, draft.url) == ("Draft", None)

    assert last.sprint.start == START
    assert last.sprint.state == "active"


async def test_day_by_day_totals_follow_semantics(tmp_path):
    """Via the ledger: the moved item is removed, the mid-iteration item added (SEMANTICS §4)."""
    _, data = await five_days(tmp_path)
    ledger = build_ledger(data, cutoff=day(5), timezone=BERLIN)
    totals = ledger.totals
    assert (totals.committed, totals.added, totals.removed) == (11.0, 8.0, 3.0)
    assert (totals.completed, totals.remaining, totals.scope) == (5.0, 14.0, 19.0)
    assert (totals.estimate_change, totals.percent_complete) == (3.0, 26.3)
    verdicts = {i.key: i for i in ledger.issues}
    assert verdicts["acme/shop#2"].outcome is Outcome.REMOVED
    assert verdicts["acme/shop#2"].removed_on == date(2026, 11, 18)
    assert verdicts["acme/shop#4"].added_after_start
    assert verdicts["acme/shop#1"].outcome is Outcome.COMPLETED
    assert verdicts["acme/shop#1"].done_on == date(2026, 11, 20)


async def test_day_by_day_status_json_totals(tmp_path):
    """The status JSON of the fifth day carries SEMANTICS §4 totals and the source's notices."""
    _, data = await five_days(tmp_path)
    ledger = build_ledger(data, cutoff=day(5), timezone=BERLIN)
    view = build_report_view(
        ledger=ledger,
        data=data,
        plan=None,
        reconciliation=None,
        team="shop",
        as_of=date(2026, 11, 20),
        working_days=(0, 1, 2, 3, 4),
    )
    document = to_json_data(view)
    assert document["totals"] == {
        "committed": 11,
        "added": 8,
        "removed": 3,
        "completed": 5,
        "completed_outside": 0,
        "remaining": 14,
        "scope": 19,
        "percent_complete": 26.3,
        "estimate_change": 3,
    }
    rows = {row["key"]: row for row in document["issues"]}
    assert (rows["acme/shop#2"]["outcome"], rows["acme/shop#2"]["removed_on"]) == (
        "removed",
        "2026-11-18",
    )
    assert rows["acme/shop#4"]["added_after_start"] is True
    assert document["notices"] == list(data.notices)
    assert document["notices"][0].startswith("no snapshot before 2026-11-16")


async def test_item_created_after_start_joins_at_created_at_on_first_run(tmp_path):
    """On a first run mid-iteration, an item whose createdAt is after the start counts as added."""
    project = board()
    project.items[0].created_at = "2026-11-17T12:00:00Z"
    store = SnapshotStore(tmp_path / "state.db")
    with serve(FakeGitHub(project).handle) as server:
        data = await run(server.url, store, day(3))
    issues = {i.key: i for i in data.issues}
    assert issues["acme/shop#1"].in_sprint.changes == ((at("2026-11-17T12:00"), True),)
    assert issues["acme/shop#2"].in_sprint.initial is True
    assert "acme/shop#2" in data.notices[0]
    assert "acme/shop#1" not in data.notices[0]


async def test_items_are_paginated_by_100(tmp_path):
    """A project with 230 items is read in three pages of at most 100."""
    project = board()
    for n in range(100, 330):
        content = issue("acme/shop", n, f"Issue {n}", created_at="2026-11-01T00:00:00Z")
        project.items.append(
            FakeItem(id=f"PVTI_{n}", created_at="2026-11-10T09:00:00Z", content=content)
        )
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        data = await run(server.url, SnapshotStore(tmp_path / "state.db"), day(2))
    item_queries = [q for q in fake.queries if "items(first: 100" in q]
    assert len(item_queries) == 3
    assert len(data.issues) == 4  # only the iteration's items are tracked


async def test_user_project_through_the_fake(tmp_path):
    """A user-owned project is found through `user(login:)`."""
    project = board()
    project.owner_kind = "user"
    with serve(FakeGitHub(project).handle) as server:
        data = await run(server.url, SnapshotStore(tmp_path / "state.db"), day(2))
    assert data.tracker_url == "https://github.com/users/acme/projects/5"
    assert len(data.issues) == 4


async def test_fake_errors_surface_as_clear_upstream_errors(tmp_path):
    """Wrong token, missing scope and unknown owner each give their own message."""
    fake = FakeGitHub(board())
    store = SnapshotStore(tmp_path / "state.db")
    with serve(fake.handle) as server:
        with pytest.raises(UpstreamError, match=r"401.*Bad credentials"):
            await run(server.url, store, day(2), token="ghp_wrong")
        with pytest.raises(UpstreamError, match="no organization or user 'nobody'"):
            await run(server.url, store, day(2), owner="nobody")
        fake.scopes_ok = False
        with pytest.raises(UpstreamError, match=r"cannot read this project .*required scopes"):
            await run(server.url, store, day(2))
    assert store.snapshots(project="acme/5", iteration="it7") == ()


def test_fake_refuses_more_than_100_per_page():
    """The fake enforces GitHub's `first` limit of 100 like GitHub does."""
    fake = FakeGitHub(board())
    query = ORGANIZATION_ITEMS.replace("items(first: 100", "items(first: 101")
    variables = {"login": "acme", "number": 5, "after": None}
    variables |= {
        "iterationField": "Iteration",
        "pointsField": "Story Points",
        "statusField": "Status",
    }
    answer = fake.answer(query, variables)
    assert answer["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    assert "exceeds the `first` limit of 100 records" in answer["errors"][0]["message"]


def test_fake_rejects_a_query_the_schema_rejects():
    """The fake validates every query: a misspelled field is answered with a validation error."""
    fake = FakeGitHub(board())
    answer = fake.answer("query { rateLimit { costt } }", {})
    assert "Cannot query field 'costt' on type 'RateLimit'" in answer["errors"][0]["message"]
    assert fake.invalid == ["query { rateLimit { costt } }"]
