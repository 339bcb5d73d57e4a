"""Flag-clear notes: comments are read only for cleared flags, and the clearing one is kept."""

from datetime import UTC, datetime

import httpx
import pytest

from fakes.jira import FakeJira
from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import to_dc_issue
from fakes.jira_sample import NAMES, SPRINT_42, sample_jira
from fakes.jira_world import FakeIssue, comment, flagged_item, history, issue, sprint_item
from jira_helpers import CUTOFF
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraCloudSource, JiraDataCenterSource
from sprintsync.sources.jira.comments import adf_body_text, build_flag_notes, wiki_body_text
from sprintsync.sources.jira.source import JiraSource

CLEARED = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # Monday; raised the Friday before
NOTE = "Increased pool size and connection timeout"


def client_for(url: str, *, dc: bool) -> httpx.AsyncClient:
    """A client built the way the CLI builds it, with zero retry waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    if dc:
        headers = {"Authorization": "Bearer dc-pat-123"}
        return build_client(service="Jira", base_url=url, headers=headers, budget=budget)
    auth = httpx.BasicAuth("bot@example.com", "api-token-123")
    return build_client(service="Jira", base_url=url, auth=auth, budget=budget)


def cleared_issue(*comments: dict) -> FakeIssue:
    """ABC-30: flagged Friday 13 November, cleared Monday 16 November 09:30 UTC."""
    joined = sprint_item(None, "42", names=NAMES)
    found = issue(
        "10030",
        "ABC-30",
        "Redis connection pool",
        state="In Progress",
        points=3,
        sprints=[SPRINT_42],
        created="2026-11-01T09:00:00.000+0000",
        updated="2026-11-16T09:31:00.000+0000",
        histories=[
            history(30300, "2026-11-09T10:00:00.000+0000", joined),
            history(30301, "2026-11-13T10:00:00.000+0000", flagged_item(on=True)),
            history(30302, "2026-11-16T09:30:00.000+0000", flagged_item(on=False)),
        ],
    )
    found.comments = list(comments)
    return found


def world(*comments: dict, dc: bool = False) -> FakeJira:
    """The sample board holding ABC-30 with `comments` (three: two pages of two)."""
    found = cleared_issue(*comments)
    boards = sample_jira().boards
    if dc:
        return FakeJiraDataCenter(boards=boards, issues=[to_dc_issue(found)])
    return FakeJira(boards=boards, issues=[found])


EARLY = comment(1, "2026-11-10T08:00:00.000+0000", "Looking into it", flag_off=False)
CLEARING = comment(2, "2026-11-16T09:30:02.000+0000", NOTE)
LATE = comment(3, "2026-11-16T11:30:00.000+0000", "Two hours later", flag_off=False)


async def notes_of(fake: FakeJira, kind: type[JiraSource]) -> tuple:
    """ABC-30's flag notes as `kind` reads them from `fake`."""
    with fake.running() as server:
        async with client_for(server.url, dc=kind is JiraDataCenterSource) as client:
            source = kind(client, board=7, base_url_for_links="https://acme.atlassian.net")
            data = await source.fetch(cutoff=CUTOFF)
    return next(i for i in data.issues if i.key == "ABC-30").flag_notes


@pytest.mark.parametrize("kind", [JiraCloudSource, JiraSource, JiraDataCenterSource])
async def test_the_clearing_comment_is_read_across_pages(kind):
    """Cloud (ADF) and Data Center (wiki): the comment at the clear, prefix stripped."""
    fake = world(EARLY, CLEARING, LATE, dc=kind is JiraDataCenterSource)
    assert await notes_of(fake, kind) == ((CLEARED, NOTE),)
    assert fake.comment_requests == ["ABC-30", "ABC-30"]  # two pages of two, one issue
    path = "/rest/api/2" if kind is JiraDataCenterSource else "/rest/api/3"
    assert fake.calls[("GET", f"{path}/issue/ABC-30/comment")] == 2


@pytest.mark.parametrize("kind", [JiraCloudSource, JiraDataCenterSource])
async def test_a_comment_two_hours_after_the_clear_is_not_taken(kind):
    """Only a comment within 10 minutes of the clear is its resolution."""
    fake = world(EARLY, LATE, dc=kind is JiraDataCenterSource)
    assert await notes_of(fake, kind) == ()


@pytest.mark.parametrize("kind", [JiraCloudSource, JiraDataCenterSource])
async def test_no_comment_request_without_a_cleared_flag(kind):
    """The sample sprint clears no flag in the window: no comment is asked for."""
    cloud = sample_jira()
    fake = (
        FakeJiraDataCenter(boards=cloud.boards, issues=[to_dc_issue(i) for i in cloud.issues])
        if kind is JiraDataCenterSource
        else cloud
    )
    with fake.running() as server:
        async with client_for(server.url, dc=kind is JiraDataCenterSource) as client:
            source = kind(client, board=7, base_url_for_links="https://acme.atlassian.net")
            await source.fetch(cutoff=CUTOFF)
    assert fake.comment_requests == []


def test_bodies_of_both_apis_lose_the_flag_off_prefix():
    """ADF (emoji node, then text) and wiki ("(flagoff) Flag removed") give the user's text."""
    cloud = [{**CLEARING, "body": CLEARING["adf"]}]
    dc = [{**CLEARING, "body": CLEARING["wiki"]}]
    assert build_flag_notes([CLEARED], cloud, adf_body_text) == ((CLEARED, NOTE),)
    assert build_flag_notes([CLEARED], dc, wiki_body_text) == ((CLEARED, NOTE),)


def test_a_bare_flag_off_comment_gives_no_resolution():
    """A flag cleared with the prefix only (nothing typed) has no note."""
    bare = {**CLEARING, "body": "(flagoff) Flag removed"}
    assert build_flag_notes([CLEARED], [bare], wiki_body_text) == ()
