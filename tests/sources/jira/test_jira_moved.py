"""An issue moved to another project, then removed from the sprint, still belongs (SEMANTICS §2)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from fakes.jira import FakeJira
from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import to_dc_issue
from fakes.jira_sample import NAMES, SPRINT_42, sample_jira
from fakes.jira_world import history, issue, sprint_item, status_item
from jira_helpers import CUTOFF
from sprintsync.domain import Outcome, Plan, PlanItem, SprintData
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.ledger import build_ledger
from sprintsync.reconcile import reconcile
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.sources.jira.source import JiraSource

MOVED = datetime(2026, 11, 13, 10, 0, tzinfo=UTC)
REMOVED = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def client_for(url: str, *, dc: bool) -> httpx.AsyncClient:
    """A client built the way the CLI builds it (PAT or API token), with zero retry waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    if dc:
        headers = {"Authorization": "Bearer dc-pat-123"}
        return build_client(service="Jira", base_url=url, headers=headers, budget=budget)
    auth = httpx.BasicAuth("bot@example.com", "api-token-123")
    return build_client(service="Jira", base_url=url, auth=auth, budget=budget)


def key_item(old: str, new: str) -> dict:
    """The `Key` item of a move to another project (the old key in `fromString`)."""
    return {
        "field": "Key",
        "fieldtype": "jira",
        "from": None,
        "fromString": old,
        "to": None,
        "toString": new,
    }


def project_item() -> dict:
    """The `project` item of the same move."""
    return {
        "field": "project",
        "fieldtype": "jira",
        "fieldId": "project",
        "from": "10000",
        "fromString": "ABC project",
        "to": "10100",
        "toString": "XYZ project",
    }


def moved_issues() -> list:
    """ABC-9 committed (5 points), moved to XYZ as XYZ-3, then removed; XYZ-4 moved, kept."""
    removed = issue(
        "10009",
        "XYZ-3",
        "Moved, then removed",
        state="In Progress",
        points=5,
        sprints=[],
        created="2026-11-01T09:00:00.000+0000",
        updated="2026-11-15T12:00:00.000+0000",
        histories=[
            history(20090, "2026-11-09T10:00:00.000+0000", sprint_item(None, "42", names=NAMES)),
            history(20091, "2026-11-12T10:00:00.000+0000", status_item("To Do", "In Progress")),
            history(
                20092, "2026-11-13T10:00:00.000+0000", key_item("ABC-9", "XYZ-3"), project_item()
            ),
            history(20093, "2026-11-15T12:00:00.000+0000", sprint_item("42", None, names=NAMES)),
        ],
    )
    kept = issue(
        "10010",
        "XYZ-4",
        "Moved, still in the sprint",
        state="To Do",
        points=3,
        sprints=[SPRINT_42],
        created="2026-11-01T09:00:00.000+0000",
        updated="2026-11-13T11:00:00.000+0000",
        histories=[
            history(20100, "2026-11-09T10:00:00.000+0000", sprint_item(None, "42", names=NAMES)),
            history(
                20101, "2026-11-13T11:00:00.000+0000", key_item("ABC-10", "XYZ-4"), project_item()
            ),
        ],
    )
    removed.in_board_filter = kept.in_board_filter = False  # the board's filter is project ABC
    return [removed, kept]


def moved_cloud() -> FakeJira:
    """The sample site (board 7) with the two moved issues added."""
    fake = sample_jira()
    fake.issues += moved_issues()
    return fake


def moved_dc() -> FakeJiraDataCenter:
    """The same world on Data Center."""
    cloud = moved_cloud()
    issues = [to_dc_issue(i) for i in cloud.issues]
    return FakeJiraDataCenter(boards=cloud.boards, issues=issues)


async def fetch(fake: FakeJira, kind: type[JiraSource]) -> SprintData:
    """The sprint data `kind` reads from `fake`."""
    with fake.running() as server:
        async with client_for(server.url, dc=kind is JiraDataCenterSource) as client:
            source = kind(client, board=7, base_url_for_links="https://acme.atlassian.net")
            return await source.fetch(cutoff=CUTOFF)


WORLDS = [
    pytest.param(moved_cloud, JiraCloudSource, id="cloud"),
    pytest.param(moved_cloud, JiraSource, id="cloud-sequential"),
    pytest.param(moved_dc, JiraDataCenterSource, id="data-center"),
]


@pytest.mark.parametrize(("world", "kind"), WORLDS)
async def test_an_issue_moved_then_removed_is_reported_removed(world, kind):
    """Outside the board's filter after the move, XYZ-3 is still committed and removed."""
    data = await fetch(world(), kind)
    issues = {i.key: i for i in data.issues}
    assert issues["XYZ-3"].in_sprint.value_at(REMOVED) is False
    assert issues["XYZ-3"].former_keys == ("ABC-9",)
    assert issues["XYZ-4"].former_keys == ("ABC-10",)
    ledger = build_ledger(data, cutoff=CUTOFF, timezone=UTC_ZONE)
    verdicts = {line.key: line for line in ledger.issues}
    assert verdicts["XYZ-3"].outcome is Outcome.REMOVED
    assert verdicts["XYZ-3"].removed_estimate == 5
    assert verdicts["XYZ-4"].outcome is Outcome.NOT_COMPLETED


@pytest.mark.parametrize(("world", "kind"), WORLDS)
async def test_plan_items_keyed_by_the_old_key_claim_the_moved_issue(world, kind):
    """A plan item listing ABC-10 claims XYZ-4, so it is neither missing nor unplanned."""
    data = await fetch(world(), kind)
    ledger = build_ledger(data, cutoff=CUTOFF, timezone=UTC_ZONE)
    plan = Plan(
        sprint="ABC Sprint 42",
        items=(PlanItem(id="PERF-001", title="t", points=3, issues=("ABC-10", "ABC-9")),),
    )
    result = reconcile(plan, ledger, data)
    assert result.item_of_issue["XYZ-4"] == "PERF-001"
    assert result.item_of_issue["XYZ-3"] == "PERF-001"
    assert "PERF-001" not in result.missing
    assert "XYZ-4" not in result.unplanned
