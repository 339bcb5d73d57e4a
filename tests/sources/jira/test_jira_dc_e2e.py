from datetime import UTC, datetime

import httpx
import pytest

from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import sample_jira_dc
from fakes.server import FakeResponse
from jira_helpers import CUTOFF, assert_sample_timelines
from sprintsync.errors import ConfigError, UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraDataCenterSource

PAT = "dc-pat-123"


def client_for(url: str, *, pat: str = PAT) -> httpx.AsyncClient:
    """A client built the way the CLI builds it for Data Center, with zero retry waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    return build_client(
        service="Jira", base_url=url, headers={"Authorization": f"Bearer {pat}"}, budget=budget
    )


async def fetch(url: str, *, board: int = 7, sprint: int | str = "active", pat: str = PAT):
    """Run JiraDataCenterSource against the fake at `url`."""
    async with client_for(url, pat=pat) as client:
        source = JiraDataCenterSource(
            client, board=board, sprint=sprint, base_url_for_links="https://jira.example.com"
        )
        return await source.fetch(cutoff=CUTOFF)


async def run(fake: FakeJiraDataCenter, **options):
    """Serve `fake` and fetch from it."""
    with fake.running() as server:
        return await fetch(server.url, **options)


async def test_source_reconstructs_the_same_timelines_as_on_cloud():
    """Removed, added-late, re-estimated and sub-task issues: the Cloud sample's timelines."""
    data = await run(sample_jira_dc())
    assert_sample_timelines(data)
    assert data.issues[0].url.startswith("https://jira.example.com/browse/")


async def test_source_never_calls_rest_api_3_or_bulkfetch():
    """Data Center has no /rest/api/3: every platform call goes to /rest/api/2."""
    fake = sample_jira_dc()
    await run(fake)
    paths = {path for _method, path in fake.calls}
    assert not [p for p in paths if p.startswith("/rest/api/3")]
    assert not [p for p in paths if "bulkfetch" in p]
    assert {"/rest/api/2/myself", "/rest/api/2/field", "/rest/api/2/search"} <= paths


async def test_source_follows_short_pages_by_start_at_and_total():
    """Pages of 2 when 100 were asked are followed by startAt until total, no page twice."""
    fake = sample_jira_dc()
    with fake.running() as server:
        await fetch(server.url)
    searches = [r.json() for r in server.calls("POST", "/rest/api/2/search")]
    current = [s["startAt"] for s in searches if s["jql"] == "sprint = 42"]
    assert current == [0, 2]  # ABC-1, 3, 4 and 5: total 4 reached after two pages of 2
    assert all(s["maxResults"] == 100 for s in searches)
    assert fake.calls[("GET", "/rest/agile/1.0/board/7/sprint")] == 2


async def test_histories_cut_in_the_embedded_changelog_are_paged_in_full():
    """ABC-4's five histories (two embedded) are read from /changelog, oldest first."""
    fake = sample_jira_dc()
    with fake.running() as server:
        data = await fetch(server.url)
    pages = server.calls("GET", "/rest/api/2/issue/ABC-4/changelog")
    assert [r.arg("startAt") for r in pages] == ["0", "3"]
    assert not server.calls("GET", "/rest/api/2/issue/ABC-3/changelog")  # one history: embedded
    estimated = next(i for i in data.issues if i.key == "ABC-4")
    assert estimated.estimate.initial == 3.0


async def test_a_missing_changelog_endpoint_stops_instead_of_counting_wrong():
    """A cut embedded changelog with no /changelog to page is an error naming the issue."""
    fake = sample_jira_dc(has_changelog_endpoint=False)
    with pytest.raises(UpstreamError, match=r"issue ABC-\d has \d change histories") as caught:
        await run(fake)
    assert "partial history" in str(caught.value)


async def test_whole_embedded_changelogs_need_no_further_request():
    """When the embedded changelog holds every history, /changelog is never called."""
    fake = sample_jira_dc(embedded_histories=100, has_changelog_endpoint=False)
    data = await run(fake)
    assert_sample_timelines(data)


async def test_a_refused_pat_names_the_variable():
    """A 401 from /rest/api/2/myself names SPRINTSYNC_JIRA_PAT, never the token."""
    with pytest.raises(UpstreamError, match="SPRINTSYNC_JIRA_PAT") as caught:
        await run(sample_jira_dc(), pat="wrong-pat")
    assert caught.value.status == 401
    assert "wrong-pat" not in str(caught.value)


async def test_an_unknown_board_is_named():
    """A 404 on the board says the board is not found or not visible."""
    with pytest.raises(UpstreamError, match="board 99 not found or not visible"):
        await run(sample_jira_dc(), board=99)


async def test_a_kanban_board_is_a_config_error():
    """A Kanban board's 400 names the board, as on Cloud."""
    with pytest.raises(ConfigError, match="board 8 does not support sprints"):
        await run(sample_jira_dc(), board=8)


async def test_a_closed_sprint_by_id_keeps_its_complete_date():
    """An integer sprint selects that closed sprint; only ABC-4 was ever in it."""
    data = await run(sample_jira_dc(), sprint=41)
    assert data.sprint.complete == datetime(2026, 11, 10, 9, 12, 44, 123000, tzinfo=UTC)
    assert {i.key for i in data.issues} == {"ABC-4"}


async def test_a_rate_limited_search_is_retried():
    """A DC 429 with `retry-after` on the search is retried and the run completes."""
    fake = sample_jira_dc()
    limited = FakeResponse(
        status=429,
        body={"errorMessages": ["Rate limit exceeded."], "errors": {}},
        headers={"retry-after": "1", "X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0"},
    )
    fake.fail_next("/rest/api/2/search", limited, method="POST")
    data = await run(fake)
    assert len(data.issues) == 6
