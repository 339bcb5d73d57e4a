"""The Jira Data Center source with a sprint cache: the same SprintData as without one."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from fakes.jira_bulk import NOW
from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_bulk import bulk_jira_dc
from fakes.jira_dc_sample import in_site_zone, sample_jira_dc
from fakes.jira_world import history, status_item
from fakes.jira_world import status as status_value
from jira_helpers import CUTOFF
from sprintsync.app import TeamJob, run_team
from sprintsync.domain import SprintData
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraDataCenterSource
from sprintsync.sources.jira.cache import CachedIssue, SprintCache
from sprintsync.sources.jira.compact import CompactIssue
from sprintsync.sources.jira.incremental import CacheOptions
from sprintsync.sources.jira.incremental_dc import build_edited


def client_for(url: str) -> httpx.AsyncClient:
    """A client built the way the CLI builds it for Data Center, with zero retry waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    headers = {"Authorization": "Bearer dc-pat-123"}
    return build_client(service="Jira", base_url=url, headers=headers, budget=budget)


@dataclass(frozen=True)
class Fetched:
    """A source that answers data fetched already."""

    data: SprintData

    async def fetch(self, *, cutoff: datetime) -> SprintData:  # noqa: ARG002 - fetched already
        """The data."""
        return self.data


async def status_json(data: SprintData, *, cutoff: datetime) -> str:
    """The whole status JSON a team's report gives for `data` (a dry run publishes nothing)."""
    job = TeamJob(
        team="abc",
        source=Fetched(data),
        sinks=(),
        plan=None,
        plan_path=None,
        timezone=ZoneInfo("Europe/Berlin"),
        cutoff=cutoff,
        as_of=cutoff.date(),
    )
    outcome = await run_team(job, dry_run=True)
    return outcome.report.json_text


async def fetch(
    fake: FakeJiraDataCenter, *, cache: CacheOptions | None, cutoff: datetime
) -> SprintData:
    """JiraDataCenterSource against `fake`, with or without a cache."""
    with fake.running() as server:
        async with client_for(server.url) as client:
            source = JiraDataCenterSource(
                client, board=7, base_url_for_links="https://jira.example.com", cache=cache
            )
            return await source.fetch(cutoff=cutoff)


@pytest.mark.parametrize(
    ("world", "cutoff"),
    [
        pytest.param(sample_jira_dc, CUTOFF, id="sample"),
        pytest.param(lambda: bulk_jira_dc(120), NOW, id="bulk"),
    ],
)
async def test_cached_first_run_and_rerun_equal_the_uncached_fetch(tmp_path, world, cutoff):
    """No cache, a first cached run, an unchanged rerun: one SprintData, notices included."""
    fake = world()
    options = CacheOptions(folder=tmp_path, now=cutoff)
    plain = await fetch(fake, cache=None, cutoff=cutoff)
    assert await fetch(fake, cache=options, cutoff=cutoff) == plain
    fake.calls.clear()
    later = CacheOptions(folder=tmp_path, now=cutoff + timedelta(hours=1))
    rerun = await fetch(fake, cache=later, cutoff=cutoff)
    assert rerun == plain
    assert await status_json(rerun, cutoff=cutoff) == await status_json(plain, cutoff=cutoff)
    assert not [path for _method, path in fake.calls if path.startswith("/rest/api/2/issue/")]


async def test_rerun_after_edits_equals_the_uncached_fetch(tmp_path):
    """ABC-4 (paged changelog, legacy Sprint string) edited since the cache: refetched alone."""
    fake = sample_jira_dc()
    await fetch(fake, cache=CacheOptions(folder=tmp_path, now=CUTOFF), cutoff=CUTOFF)
    edited = next(i for i in fake.issues if i.key == "ABC-4")
    moment = in_site_zone((CUTOFF + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))
    edited.histories.append(history(99001, moment, status_item("In Progress", "Done")))
    edited.fields.update(status=status_value("Done"), updated=moment)
    fake.calls.clear()
    rerun = CacheOptions(folder=tmp_path, now=CUTOFF + timedelta(hours=2))
    cutoff = CUTOFF + timedelta(hours=2)
    cached = await fetch(fake, cache=rerun, cutoff=cutoff)
    issue_calls = {path for _method, path in fake.calls if path.startswith("/rest/api/2/issue/")}
    assert issue_calls == {"/rest/api/2/issue/ABC-4", "/rest/api/2/issue/ABC-4/changelog"}
    plain = await fetch(fake, cache=None, cutoff=cutoff)
    assert cached == plain
    assert await status_json(cached, cutoff=cutoff) == await status_json(plain, cutoff=cutoff)


def cached(issue_id: str, updated: str | None) -> CachedIssue:
    """A cached issue whose bean said `updated`."""
    return CachedIssue(CompactIssue(issue_id, f"ABC-{issue_id}", {}, (), None, updated), ())


def test_edited_is_a_cached_issue_whose_updated_differs():
    """A changed or missing `updated` of a cached issue; unknown ids are left to build_refetch."""
    issues = {"1": cached("1", "2026-11-18T10:00:00.000+0100"), "2": cached("2", "x")}
    previous = SprintCache(
        key="k",
        fetched_at=datetime(2026, 11, 18, tzinfo=UTC),
        members=("1", "2"),
        removed=(),
        checked=frozenset({"3"}),
        issues=issues,
    )
    hits = [
        {"id": "1", "key": "ABC-1", "fields": {"updated": "2026-11-18T10:00:00.000+0100"}},
        {"id": "2", "key": "ABC-2", "fields": {"updated": "y"}},
        {"id": "3", "key": "ABC-3", "fields": {"updated": "z"}},
        {"id": "4", "key": "ABC-4"},
    ]
    assert build_edited(previous, hits) == {"2"}
    assert build_edited(previous, [{"id": "1", "key": "ABC-1"}]) == {"1"}
