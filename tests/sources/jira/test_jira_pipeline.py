from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from fakes.jira_bulk import NOW, bulk_jira
from fakes.jira_sample import sample_jira
from sprintsync.app import TeamJob, run_team
from sprintsync.domain import SprintData
from sprintsync.errors import UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraCloudSource
from sprintsync.sources.jira.api import JiraApi
from sprintsync.sources.jira.source import JiraSource

BERLIN = ZoneInfo("Europe/Berlin")


def client_for(url: str, *, in_flight: int = 4) -> httpx.AsyncClient:
    """A client built the way the CLI builds it, with zero retry waits."""
    policy = RetryPolicy(max_wait_seconds=0, base_wait_seconds=0, max_in_flight_per_host=in_flight)
    return build_client(
        service="Jira",
        base_url=url,
        auth=httpx.BasicAuth("bot@example.com", "api-token-123"),
        budget=RunBudget(policy=policy),
    )


@dataclass(frozen=True)
class Fetched:
    """A source that answers data fetched already."""

    data: SprintData

    async def fetch(self, *, cutoff: datetime) -> SprintData:  # noqa: ARG002 - fetched already
        """The data."""
        return self.data


async def status_json(url: str, kind: type[JiraSource], *, in_flight: int = 4):
    """The sprint data and the whole status JSON one source class gives for the fake."""
    async with client_for(url, in_flight=in_flight) as client:
        source = kind(client, board=7, base_url_for_links="https://acme.atlassian.net")
        data = await source.fetch(cutoff=NOW)
    job = TeamJob(
        team="abc",
        source=Fetched(data),
        sinks=(),
        plan=None,
        plan_path=None,
        timezone=BERLIN,
        cutoff=NOW,
        as_of=date(2026, 11, 18),
    )
    outcome = await run_team(job, dry_run=True)
    return data, outcome.report.json_text


@pytest.mark.parametrize(
    "world",
    [
        lambda: bulk_jira(240, page_size=25, id_page_size=150, changelog_page_size=60),
        sample_jira,
    ],
    ids=["240-generated-issues", "sample"],
)
async def test_pipeline_gives_the_same_status_json_as_the_sequential_fetch(world):
    """Id search + concurrent bulk fetches and whole searches one by one: the same JSON."""
    fake = world()
    with fake.running() as server:
        old_data, old_json = await status_json(server.url, JiraSource)
        new_data, new_json = await status_json(server.url, JiraCloudSource)
    assert new_data == old_data
    assert new_json == old_json
    assert any(not i.in_sprint.value_at(NOW) for i in new_data.issues)  # removed ones too


async def test_pipeline_stays_under_the_per_host_limit_and_uses_it():
    """Bulk fetches run side by side, never more than `max_in_flight_per_host` at once."""
    fake = bulk_jira(
        600, page_size=100, id_page_size=5000, changelog_page_size=1000, latency_seconds=0.02
    )
    with fake.running() as server:
        await status_json(server.url, JiraCloudSource, in_flight=3)
    assert fake.max_in_flight == 3
    assert fake.calls[("POST", "/rest/api/3/issue/bulkfetch")] >= 6


async def test_pipeline_asks_for_issue_errors_again():
    """Ids answered in `issueErrors` are requested once more, and their issues kept."""
    fake = bulk_jira(30)
    with fake.running() as server:
        _, clean = await status_json(server.url, JiraCloudSource)
    fake = bulk_jira(30)
    fake.issue_errors = {"20003", "20007"}
    with fake.running() as server:
        _, retried = await status_json(server.url, JiraCloudSource)
    assert retried == clean
    assert fake.issue_errors == set()


async def test_issue_bulkfetch_refuses_more_than_100_ids_like_jira():
    """The fake answers 101 ids with a 400, so a client that sends them is caught."""
    fake = bulk_jira(120, page_size=200, id_page_size=200)
    ids = [str(20_000 + n) for n in range(101)]
    with fake.running() as server:
        async with client_for(server.url) as client:
            answer = await client.post("/rest/api/3/issue/bulkfetch", json={"issueIdsOrKeys": ids})
            extra = await client.post(
                "/rest/api/3/issue/bulkfetch", json={"issueIdsOrKeys": ids[:2], "maxResults": 2}
            )
            page = await client.post(
                "/rest/api/3/issue/bulkfetch",
                json={"issueIdsOrKeys": ["ABC-2", "20000", "99999"], "fields": ["summary"]},
            )
            with pytest.raises(ValueError, match=r"1\.\.100"):
                await JiraApi(client, board=7).fetch_issue_page(ids, ["summary"])
    assert answer.status_code == 400
    assert extra.status_code == 400
    body = page.json()
    assert [i["id"] for i in body["issues"]] == ["20000", "20001"]  # ascending id; 99999 unseen
    assert body["issues"][0]["fields"] == {"summary": "Work item 1"}
    assert body["issueErrors"] == []


async def test_issue_errors_that_persist_stop_the_run():
    """An id Jira keeps answering in `issueErrors` is an error, not a silently missing issue."""
    fake = bulk_jira(5)
    with fake.running() as server:
        async with client_for(server.url) as client:
            api = JiraApi(client, board=7)
            fake.issue_errors = {"20001"}
            found = await api.fetch_issue_page(["20000", "20001"], ["summary"])
            assert [i["id"] for i in found] == ["20000", "20001"]

            class Stubborn(JiraApi):
                async def _post(self, path, body, *, what, not_found):
                    fake.issue_errors.add("20001")
                    return await super()._post(path, body, what=what, not_found=not_found)

            with pytest.raises(UpstreamError, match="could not return 1 issues after 3 tries"):
                await Stubborn(client, board=7).fetch_issue_page(["20001"], ["summary"])
