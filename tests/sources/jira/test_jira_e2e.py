from datetime import UTC, datetime

import httpx
import pytest

from fakes.jira_sample import sample_jira
from fakes.server import FakeResponse
from jira_helpers import CUTOFF, assert_sample_timelines
from sprintsync.errors import ConfigError, UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraCloudSource

TOKEN = "api-token-123"


def client_for(url: str, *, token: str = TOKEN) -> httpx.AsyncClient:
    """A client built the way the CLI builds it, with zero retry waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    return build_client(
        service="Jira", base_url=url, auth=httpx.BasicAuth("bot@example.com", token), budget=budget
    )


async def fetch(url: str, *, board: int = 7, sprint: int | str = "active", token: str = TOKEN):
    """Run JiraCloudSource against the fake at `url`."""
    async with client_for(url, token=token) as client:
        source = JiraCloudSource(
            client, board=board, sprint=sprint, base_url_for_links="https://acme.atlassian.net"
        )
        return await source.fetch(cutoff=CUTOFF)


async def test_source_reconstructs_scope_changes_from_the_fake_site():
    """Removed, added-late, re-estimated and sub-task issues come back with true timelines."""
    fake = sample_jira()
    with fake.running() as server:
        data = await fetch(server.url)
    assert_sample_timelines(data)


async def test_source_pages_through_every_endpoint_and_never_calls_the_removed_search():
    """Short pages are followed to the end and the removed /rest/api/3/search is never called."""
    fake = sample_jira()
    with fake.running() as server:
        await fetch(server.url)
    assert fake.calls[("GET", "/rest/agile/1.0/board/7/sprint")] == 2
    assert fake.calls[("POST", "/rest/api/3/search/jql")] == 4
    assert fake.calls[("POST", "/rest/api/3/changelog/bulkfetch")] >= 2
    assert ("POST", "/rest/api/3/search") not in fake.calls
    assert ("GET", "/rest/api/3/search") not in fake.calls


async def test_source_refuses_wrong_credentials_with_a_hint():
    """A 401 from /myself names the env vars to fix."""
    with (
        sample_jira().running() as server,
        pytest.raises(UpstreamError, match="SPRINTSYNC_JIRA_TOKEN") as caught,
    ):
        await fetch(server.url, token="wrong")
    assert caught.value.status == 401
    assert "wrong" not in str(caught.value)


async def test_source_names_an_unknown_board():
    """A 404 on the board's sprints says the board is not found or not visible."""
    with (
        sample_jira().running() as server,
        pytest.raises(UpstreamError, match="board 99 not found or not visible"),
    ):
        await fetch(server.url, board=99)


async def test_source_explains_a_kanban_board():
    """A Kanban board's 400 becomes a config error naming the board."""
    with (
        sample_jira().running() as server,
        pytest.raises(ConfigError, match="board 8 does not support sprints"),
    ):
        await fetch(server.url, board=8)


async def test_source_lists_the_sprints_when_the_name_is_unknown():
    """An unknown sprint name is a config error that lists the board's sprints."""
    with (
        sample_jira().running() as server,
        pytest.raises(UpstreamError, match=r"sprint 'Sprint 9' not found on board 7 \(sprints:"),
    ):
        await fetch(server.url, sprint="Sprint 9")


async def test_source_selects_a_closed_sprint_by_id():
    """An integer sprint selects that sprint, with its completeDate kept."""
    with sample_jira().running() as server:
        data = await fetch(server.url, sprint=41)
    assert data.sprint.complete == datetime(2026, 11, 10, 9, 12, 44, 123000, tzinfo=UTC)
    assert {i.key for i in data.issues} == {"ABC-4"}


async def test_source_retries_a_rate_limited_search():
    """A 429 with Retry-After injected into the search is retried and the run completes."""
    fake = sample_jira()
    limited = FakeResponse(
        status=429,
        body={"errorMessages": ["Rate limit exceeded."], "errors": {}},
        headers={"Retry-After": "1", "RateLimit-Reason": "jira-burst-based"},
    )
    fake.fail_next("/rest/api/3/search/jql", limited, method="POST")
    with fake.running() as server:
        data = await fetch(server.url)
    assert len(data.issues) == 6
    assert fake.calls[("POST", "/rest/api/3/search/jql")] == 5
