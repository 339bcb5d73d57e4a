"""`hide_previous`: our earlier daily comments minimised as OUTDATED through GraphQL."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date

import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs

from fakes.github_graphql import schema_errors
from fakes.github_rest import FakeGitHubComments, account, serve_github
from fakes.server import RunningServer
from sprintsync.config import GitHubCommentSinkConfig
from sprintsync.domain import RenderedReport
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sinks.github.comment import GitHubCommentSink, build_bodies, github_headers
from sprintsync.sinks.github.hide import ALL_DOCUMENTS
from sprintsync.sources.github.graphql import graphql_endpoint

REPO = "acme/shop"
ISSUE = 42
ZERO_WAITS = RetryPolicy(max_wait_seconds=0, base_wait_seconds=0)


def report(day: int, *, team: str = "platform", sprint: str = "5") -> RenderedReport:
    """A rendered report of `team` for 2025-01-`day`."""
    text = f"# Sprint {sprint}\n\nday {day}\n"
    return RenderedReport(
        team=team,
        sprint_id=sprint,
        sprint_name=f"Sprint {sprint}",
        as_of=date(2025, 1, day),
        markdown=text,
        json_text="{}",
        github_markdown=text,
    )


@asynccontextmanager
async def sink_for(server: RunningServer, *, hide: bool = True, mode: str = "daily", at=None):
    """A daily sink on the fake, minimising earlier days when `hide` (through `at`, if given)."""
    client = build_client(
        service="github",
        base_url=server.url,
        budget=RunBudget(policy=ZERO_WAITS),
        headers=github_headers("ghs_fake_token"),
    )
    async with client:
        yield GitHubCommentSink(
            client,
            repo=REPO,
            issue=ISSUE,
            team="platform",
            mode=mode,  # type: ignore[arg-type]
            hide_previous_at=(at or graphql_endpoint(server.url)) if hide else None,
        )


@pytest.fixture
def fake() -> FakeGitHubComments:
    """A fake GitHub with the issue the sink publishes to."""
    github = FakeGitHubComments()
    github.add_issue(REPO, ISSUE)
    return github


def ids_of(fake: FakeGitHubComments, day: str) -> list[str]:
    """The node ids of the comments whose marker carries `day`."""
    return [c["node_id"] for c in fake.comments if f"date={day} " in c["body"]]


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_the_documents_are_valid_against_githubs_schema(name):
    """The minimised-state query and the minimizeComment mutation validate against the schema."""
    assert schema_errors(ALL_DOCUMENTS[name]) == []


def test_a_wrong_classifier_is_caught_by_the_schema():
    """The validation is real: a classifier the enum lacks fails."""
    broken = ALL_DOCUMENTS["MinimizeOutdated"].replace("OUTDATED", "STALE")
    assert schema_errors(broken) != []


async def test_earlier_days_are_minimised_once_and_today_stays(fake):
    """Day 3 hides days 1 and 2 as OUTDATED; a rerun skips the comments hidden already."""
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report(1))
            await sink.publish(report(2))
            assert list(fake.minimized) == ids_of(fake, "2025-01-01")
            await sink.publish(report(3))
            mutations = sum("mutation" in q for q in fake.graphql_queries)
            await sink.publish(report(3))
    earlier = ids_of(fake, "2025-01-01") + ids_of(fake, "2025-01-02")
    assert fake.minimized == dict.fromkeys(earlier, "OUTDATED")
    assert ids_of(fake, "2025-01-03")[0] not in fake.minimized
    assert mutations == 2  # days 1 and 2, once each
    assert sum("mutation" in q for q in fake.graphql_queries) == mutations  # the rerun: none


async def test_only_our_own_comments_of_this_team_and_sprint_are_hidden(fake):
    """Another team's, another sprint's, a later day's and someone else's markers stay shown."""
    for other in (report(1, team="mobile"), report(1, sprint="4"), report(9)):
        fake.seed(REPO, ISSUE, build_bodies(other, team=other.team, daily=True)[0])
    stranger = build_bodies(report(1), team="platform", daily=True)[0]
    fake.seed(REPO, ISSUE, stranger, author=account("mallory"))
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report(2))
    assert fake.minimized == {}


async def test_a_refused_minimise_is_a_warning_and_the_report_stands(fake):
    """A token that may not minimise: a warning, the report published, the run not failed."""
    fake.seed(REPO, ISSUE, build_bodies(report(1), team="platform", daily=True)[0])
    fake.refuse_minimize = True
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            with capture_logs() as events:
                result = await sink.publish(report(2))
    assert result.changed is True
    assert len(fake.comments) == 2
    assert fake.minimized == {}
    [warning] = [e for e in events if e["event"] == "github_comment.hide_failed"]
    assert warning["log_level"] == "warning"
    assert "Resource not accessible by integration" in warning["error"]


async def test_an_unreachable_graphql_endpoint_is_a_warning(fake):
    """A GraphQL answer that is not 2xx is a warning too, never an error."""
    fake.seed(REPO, ISSUE, build_bodies(report(1), team="platform", daily=True)[0])
    with serve_github(fake) as server:
        async with sink_for(server, at=f"{server.url}/api/graphql") as sink:  # no such route
            with capture_logs() as events:
                await sink.publish(report(2))
    assert [e["event"] for e in events if e["log_level"] == "warning"] == [
        "github_comment.hide_failed"
    ]


async def test_without_hide_previous_no_graphql_request_is_sent(fake):
    """The default: earlier comments stay as they are, and GraphQL is never asked."""
    fake.seed(REPO, ISSUE, build_bodies(report(1), team="platform", daily=True)[0])
    with serve_github(fake) as server:
        async with sink_for(server, hide=False) as sink:
            await sink.publish(report(2))
    assert fake.graphql_queries == []


async def test_update_mode_never_hides(fake):
    """In update mode there are no earlier days: nothing is asked even if a URL is given."""
    with serve_github(fake) as server:
        async with sink_for(server, mode="update") as sink:
            await sink.publish(report(1))
            await sink.publish(report(2))
    assert fake.graphql_queries == []


def test_hide_previous_needs_daily_mode():
    """`hide_previous: true` with `mode: update` is refused in the config."""
    with pytest.raises(ValidationError, match="hide_previous: true needs mode: daily"):
        GitHubCommentSinkConfig(type="github_comment", repo=REPO, issue=1, hide_previous=True)
    sink = GitHubCommentSinkConfig(
        type="github_comment", repo=REPO, issue=1, mode="daily", hide_previous=True
    )
    assert sink.hide_previous is True
