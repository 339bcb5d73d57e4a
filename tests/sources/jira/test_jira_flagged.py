"""Flagged history survives bulkfetch whether or not its items carry a `fieldId` (A.2.3)."""

from datetime import UTC, datetime

import httpx
import pytest

from fakes.jira import FakeJira
from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import to_dc_issue
from fakes.jira_sample import NAMES, SPRINT_42, sample_jira
from fakes.jira_world import (
    FLAGGED_FIELD,
    flagged_item,
    history,
    issue,
    points_item,
    sprint_item,
)
from jira_helpers import CUTOFF
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.sources.jira.source import JiraSource

RAISED = datetime(2026, 11, 12, 10, 0, tzinfo=UTC)
CLEARED = datetime(2026, 11, 13, 16, 0, tzinfo=UTC)
REFLAGGED = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
IMPEDIMENT = [{"value": "Impediment", "id": "10019"}]


def flag_issues(*, with_field_id: bool) -> list:
    """ABC-20 flagged and cleared mid-sprint; ABC-21 flagged mid-sprint and still flagged."""
    shape = {"with_field_id": with_field_id}
    joined = sprint_item(None, "42", names=NAMES)
    return [
        issue(
            "10020",
            "ABC-20",
            "Flag raised and cleared",
            state="In Progress",
            points=3,
            sprints=[SPRINT_42],
            created="2026-11-01T09:00:00.000+0000",
            updated="2026-11-13T16:00:00.000+0000",
            histories=[
                history(20200, "2026-11-09T10:00:00.000+0000", joined),
                history(20201, "2026-11-12T10:00:00.000+0000", flagged_item(on=True, **shape)),
                history(20202, "2026-11-13T16:00:00.000+0000", flagged_item(on=False, **shape)),
            ],
        ),
        issue(
            "10021",
            "ABC-21",
            "Flag raised and kept",
            state="To Do",
            points=5,
            sprints=[SPRINT_42],
            created="2026-11-01T09:00:00.000+0000",
            updated="2026-11-16T09:00:00.000+0000",
            histories=[
                history(20210, "2026-11-09T10:00:00.000+0000", joined),
                history(20211, "2026-11-12T11:00:00.000+0000", points_item(2, 5)),
                history(20212, "2026-11-16T09:00:00.000+0000", flagged_item(on=True, **shape)),
            ],
            **{FLAGGED_FIELD: IMPEDIMENT},
        ),
    ]


def flag_jira(*, with_field_id: bool) -> FakeJira:
    """The sample site's board 7 holding only the two flag issues."""
    return FakeJira(boards=sample_jira().boards, issues=flag_issues(with_field_id=with_field_id))


def client_for(url: str, *, dc: bool) -> httpx.AsyncClient:
    """A client built the way the CLI builds it, with zero retry waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    if dc:
        headers = {"Authorization": "Bearer dc-pat-123"}
        return build_client(service="Jira", base_url=url, headers=headers, budget=budget)
    auth = httpx.BasicAuth("bot@example.com", "api-token-123")
    return build_client(service="Jira", base_url=url, auth=auth, budget=budget)


async def fetch(fake: FakeJira, kind: type[JiraSource]):
    """The sprint data `kind` reads from `fake`, issues by key."""
    with fake.running() as server:
        async with client_for(server.url, dc=kind is JiraDataCenterSource) as client:
            source = kind(client, board=7, base_url_for_links="https://acme.atlassian.net")
            data = await source.fetch(cutoff=CUTOFF)
    return {i.key: i for i in data.issues}


def assert_flag_history(issues: dict) -> None:
    """Flags on exactly the days they were raised, a cleared flag kept, re-estimates kept."""
    cleared, kept = issues["ABC-20"], issues["ABC-21"]
    assert cleared.flagged.value_at(RAISED.replace(hour=9)) is False
    assert cleared.flagged.value_at(RAISED) is True
    assert cleared.flagged.value_at(CLEARED) is False
    assert kept.flagged.value_at(RAISED) is False  # not flagged before it was raised
    assert kept.flagged.value_at(REFLAGGED) is True
    assert kept.estimate.value_at(RAISED.replace(hour=9)) == 2


@pytest.mark.parametrize("with_field_id", [True, False], ids=["with-fieldId", "without-fieldId"])
async def test_cloud_keeps_flagged_history_in_both_item_shapes(with_field_id):
    """Cloud: a raised-and-cleared flag and a later flag, with or without `fieldId` (A.2.3)."""
    fake = flag_jira(with_field_id=with_field_id)
    assert_flag_history(await fetch(fake, JiraCloudSource))


@pytest.mark.parametrize("with_field_id", [True, False], ids=["with-fieldId", "without-fieldId"])
async def test_the_sequential_cloud_fetch_keeps_flagged_history_too(with_field_id):
    """The whole-search Cloud path (JiraSource) reads the same flag history."""
    fake = flag_jira(with_field_id=with_field_id)
    assert_flag_history(await fetch(fake, JiraSource))


async def test_data_center_keeps_flagged_history():
    """Data Center's per-issue changelog (never filtered, no `fieldId`) keeps every flag."""
    cloud = flag_jira(with_field_id=False)
    fake = FakeJiraDataCenter(boards=cloud.boards, issues=[to_dc_issue(i) for i in cloud.issues])
    assert_flag_history(await fetch(fake, JiraDataCenterSource))


async def test_cloud_changelog_requests_send_no_field_filter():
    """Changelog bulkfetch is asked for every item (no `fieldIds`), so none can be filtered away."""
    fake = flag_jira(with_field_id=False)
    seen: list[dict] = []
    handle = fake.handle

    def spy(request):
        if request.path == "/rest/api/3/changelog/bulkfetch":
            seen.append(request.json() or {})
        return handle(request)

    fake.handle = spy  # type: ignore[method-assign]
    await fetch(fake, JiraCloudSource)
    assert seen
    assert all("fieldIds" not in body for body in seen)
