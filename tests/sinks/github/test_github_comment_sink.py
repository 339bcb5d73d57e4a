from __future__ import annotations

import os
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import pytest

from fakes.github_rest import (
    FakeGitHubComments,
    body_too_long,
    secondary_rate_limit,
    serve_github,
)
from fakes.server import RunningServer
from sprintsync.domain import RenderedReport
from sprintsync.errors import PublishError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sinks.github.comment import (
    GitHubCommentSink,
    build_bodies,
    github_headers,
    parse_marker,
)
from sprintsync.sinks.github.split import GITHUB_BODY_LIMIT, PART_LIMIT, build_blocks

REPO = "acme/shop"
ISSUE = 42
GOLDEN = Path(__file__).parent / "golden" / "github_comment_body.md"
ZERO_WAITS = RetryPolicy(max_wait_seconds=0, base_wait_seconds=0)


def report(markdown: str = "# Sprint 5\n\n- **Completed**: 7/75 points (9.3%)\n", **kw):
    """A rendered report for team platform, sprint 5, 24 January 2025."""
    fields = {"team": "platform", "sprint_id": "5", "sprint_name": "Sprint 5"}
    fields |= {"as_of": date(2025, 1, 24), "markdown": markdown, "json_text": "{}"}
    return RenderedReport(**(fields | {"github_markdown": markdown} | kw))


@asynccontextmanager
async def sink_for(server: RunningServer, *, mode="update", token="ghs_fake_token"):  # noqa: S107
    """A sink whose client talks to the fake with zero retry waits."""
    budget = RunBudget(policy=ZERO_WAITS)
    client = build_client(
        service="github", base_url=server.url, budget=budget, headers=github_headers(token)
    )
    async with client:
        yield GitHubCommentSink(client, repo=REPO, issue=ISSUE, team="platform", mode=mode)


@pytest.fixture
def fake() -> FakeGitHubComments:
    """A fake GitHub with the repository and issue the sink publishes to."""
    github = FakeGitHubComments()
    github.add_issue(REPO, ISSUE)
    return github


def writes(server: RunningServer) -> list[str]:
    """The methods of the write requests the fake received, in order."""
    return [r.method for r in server.requests if r.method in {"POST", "PATCH", "DELETE"}]


async def test_update_mode_three_runs_on_two_days_leave_one_comment(fake):
    """In update mode three runs over two days keep one comment, edited in place."""
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            first = await sink.publish(report())
            await sink.publish(report("# Sprint 5\n\nday 1, later\n"))
            last = await sink.publish(report("# Sprint 5\n\nday 2\n", as_of=date(2025, 1, 25)))
    bodies = fake.bodies(REPO, ISSUE)
    assert len(bodies) == 1
    assert bodies[0].endswith("day 2\n")
    assert first.url == last.url
    assert writes(server) == ["POST", "PATCH", "PATCH"]


async def test_daily_mode_three_runs_on_two_days_leave_two_comments(fake):
    """In daily mode each day gets its own comment, and a second run on a day edits it."""
    with serve_github(fake) as server:
        async with sink_for(server, mode="daily") as sink:
            await sink.publish(report("day 1\n"))
            await sink.publish(report("day 1, later\n"))
            await sink.publish(report("day 2\n", as_of=date(2025, 1, 25)))
    bodies = fake.bodies(REPO, ISSUE)
    assert [parse_marker(b).day for b in bodies] == ["2025-01-24", "2025-01-25"]
    assert bodies[0].endswith("day 1, later\n")
    assert writes(server) == ["POST", "PATCH", "POST"]


async def test_unchanged_report_sends_no_write(fake):
    """A second run with the same report lists comments and writes nothing."""
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report())
            before = len(server.requests)
            result = await sink.publish(report())
    assert result.changed is False
    assert [r.method for r in server.requests[before:]] == ["GET"]


async def test_listing_follows_link_pagination_to_find_the_marker(fake):
    """Our comment on page 3 of 100 is found and edited, never posted twice."""
    for n in range(230):
        fake.seed(REPO, ISSUE, f"chatter {n}")
    ours = build_bodies(report("old\n"), team="platform", daily=False)[0]
    fake.seed(REPO, ISSUE, ours)
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report("new\n"))
    pages = [r.arg("page") for r in server.calls("GET")]
    assert pages == [None, "2", "3"]
    assert all(r.arg("per_page") == "100" for r in server.calls("GET"))
    assert writes(server) == ["PATCH"]
    assert fake.bodies(REPO, ISSUE)[-1].endswith("new\n")


async def test_other_teams_and_sprints_are_left_alone(fake):
    """Markers of another team or sprint, and look-alike text, are never edited or deleted."""
    other = build_bodies(report("x\n", team="platform2"), team="platform2", daily=False)[0]
    old_sprint = build_bodies(report("x\n", sprint_id="4"), team="platform", daily=False)[0]
    fake.seed(REPO, ISSUE, other)
    fake.seed(REPO, ISSUE, old_sprint)
    fake.seed(REPO, ISSUE, "quoting `<!-- sprintsync:report team=platform sprint=5 part=1 -->`")
    fake.seed(REPO, ISSUE, "pasted:\n<!-- sprintsync:report team=platform sprint=5 part=1 -->\nx")
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report())
    assert writes(server) == ["POST"]
    bodies = fake.bodies(REPO, ISSUE)
    assert len(bodies) == 5
    assert bodies[:2] == [other, old_sprint]
    assert bodies[3].startswith("pasted:")


async def test_stray_duplicates_are_deleted_keeping_the_oldest(fake):
    """Two comments with our marker: the oldest is kept and edited, the newer one deleted."""
    body = build_bodies(report("old\n"), team="platform", daily=False)[0]
    oldest = fake.seed(REPO, ISSUE, body)
    fake.seed(REPO, ISSUE, body)
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            result = await sink.publish(report("new\n"))
    assert [c["id"] for c in fake.comments] == [oldest["id"]]
    assert result.url == oldest["html_url"]
    assert sorted(writes(server)) == ["DELETE", "PATCH"]


async def test_lost_create_answer_is_found_again_not_duplicated(fake):
    """A POST whose answer is lost is looked for before any retry: one comment, one POST."""
    fake.lose_next_create_answer = True
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            result = await sink.publish(report())
    assert len(fake.bodies(REPO, ISSUE)) == 1
    assert len(server.calls("POST")) == 1
    assert result.url == fake.comments[0]["html_url"]


async def test_secondary_rate_limit_is_waited_out_and_retried(fake):
    """A 403 secondary rate limit with retry-after is retried; the list then succeeds."""
    fake.inject("GET", secondary_rate_limit(retry_after="0"))
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report())
    assert len(server.calls("GET")) == 3  # the 403, its retry, the look after the create
    assert len(fake.bodies(REPO, ISSUE)) == 1


async def test_bad_credentials_is_a_publish_error_naming_the_token(fake):
    """401 Bad credentials becomes a PublishError naming the env vars, without the token."""
    with serve_github(fake) as server:
        async with sink_for(server, token="ghp_wrong_secret") as sink:
            with pytest.raises(PublishError) as raised:
                await sink.publish(report())
    message = str(raised.value)
    assert "401" in message
    assert "SPRINTSYNC_GITHUB_TOKEN" in message
    assert "ghp_wrong_secret" not in message


async def test_unknown_issue_is_a_publish_error_naming_repo_and_issue():
    """404 for an issue that does not exist names the repository and issue number."""
    with serve_github(FakeGitHubComments()) as server:
        async with sink_for(server) as sink:
            with pytest.raises(PublishError, match=r"acme/shop#42.*not found"):
                await sink.publish(report())


async def test_body_too_long_is_reported(fake):
    """GitHub's 422 'body is too long' surfaces as a PublishError quoting the server."""
    fake.inject("POST", body_too_long())
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            with pytest.raises(PublishError, match="body is too long") as raised:
                await sink.publish(report())
    assert raised.value.status == 422


def long_report(rows: int) -> str:
    """A report with tables, fences and details blocks: about 230 characters per row."""
    chunks = ["# Sprint 5 status", ""]
    for n in range(rows):
        if n % 40 == 0:
            chunks += ["", "| key | title | points |", "|---|---|---|"]
        chunks.append(f"| PERF-{n:04} | {'cache warming and eviction ' * 6} | 3 |")
        if n % 97 == 0:
            chunks += ["", "```mermaid", "xychart-beta", f'  title "day {n}"', "```", ""]
        if n % 113 == 0:
            chunks += ["<details><summary>notes</summary>", "", f"note {n}", "", "</details>"]
    return "\n".join(chunks) + "\n"


async def test_long_report_becomes_several_well_formed_comments(fake):
    """A 70,000-character report is split into parts under the limit, blocks intact."""
    text = long_report(400)
    assert len(text) > 70_000
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report(text))
    bodies = fake.bodies(REPO, ISSUE)
    assert len(bodies) >= 2
    assert [parse_marker(b).part for b in bodies] == list(range(1, len(bodies) + 1))
    assert all(len(b) <= PART_LIMIT < GITHUB_BODY_LIMIT for b in bodies)
    whole = {b for b in build_blocks(text.split("\n")) if b.kind != "line"}
    for body in bodies:
        kept = [b for b in build_blocks(body.split("\n")) if b.kind != "line"]
        assert kept
        assert all(block in whole for block in kept)


async def test_shrinking_report_deletes_surplus_parts_and_edits_the_rest(fake):
    """When the report shrinks, part 1 is edited in place and old continuation parts deleted."""
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            first = await sink.publish(report(long_report(400)))
            parts_before = len(fake.bodies(REPO, ISSUE))
            again = await sink.publish(report("short now\n"))
    assert parts_before >= 2
    assert fake.bodies(REPO, ISSUE) == [fake.comments[0]["body"]]
    assert fake.comments[0]["body"].endswith("short now\n")
    assert again.url == first.url
    assert server.calls("DELETE")
    assert len(server.calls("POST")) == parts_before


async def test_requests_carry_github_api_headers(fake):
    """Every request names the REST media type and API version 2022-11-28."""
    with serve_github(fake) as server:
        async with sink_for(server) as sink:
            await sink.publish(report())
    for request in server.requests:
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"


def test_comment_body_matches_golden_file():
    """Marker line and content of a comment body match the reviewed golden file."""
    body = build_bodies(report(), team="platform", daily=True)[0]
    if os.environ.get("SPRINTSYNC_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(body, encoding="utf-8")
    assert body == GOLDEN.read_text(encoding="utf-8")
