"""The comment sink touches only its own comments, keeps parts in order, reads back lost writes."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date

import pytest
from structlog.testing import capture_logs

from fakes.github_rest import BOT, FakeGitHubComments, account, error
from fakes.server import FakeResponse, RunningServer, serve
from faults.injector import FaultyHandler, Injection
from sprintsync.domain import RenderedReport
from sprintsync.errors import PublishError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sinks.github.comment import GitHubCommentSink, build_bodies, parse_marker
from sprintsync.sinks.github.split import PART_LIMIT

REPO = "acme/shop"
ISSUE = 42
ZERO_WAITS = RetryPolicy(max_wait_seconds=0, base_wait_seconds=0)
MALLORY = account("mallory")
LINE = "- PERF item with a long enough title to fill a comment quickly " * 2 + "\n"


def report(markdown: str = "# Sprint 5\n\nshort\n") -> RenderedReport:
    """A rendered report for team platform, sprint 5, 24 January 2025."""
    return RenderedReport(
        team="platform",
        sprint_id="5",
        sprint_name="Sprint 5",
        as_of=date(2025, 1, 24),
        markdown=markdown,
        json_text="{}",
        github_markdown=markdown,
    )


def parts_report(parts: int, tag: str = "") -> RenderedReport:
    """A report that splits into exactly `parts` comments; `tag` changes its text."""
    lines = (PART_LIMIT - 1_000) // len(LINE) * parts - parts // 2
    markdown = f"# Sprint 5 {tag}\n\n" + LINE * lines
    assert len(build_bodies(report(markdown), team="platform", daily=False)) == parts
    return report(markdown)


def bodies_of(rendered: RenderedReport) -> list[str]:
    """The comment bodies the sink writes for `rendered`."""
    return build_bodies(rendered, team="platform", daily=False)


@pytest.fixture
def fake() -> FakeGitHubComments:
    """A fake GitHub with the repository and issue the sink publishes to."""
    github = FakeGitHubComments()
    github.add_issue(REPO, ISSUE)
    return github


@asynccontextmanager
async def published_to(fake: FakeGitHubComments, injection: Injection | None = None, **kw):
    """Serve `fake` (with `injection` in front), yield a sink on it and the running server."""
    handler = FaultyHandler(fake.handle, injection) if injection else fake.handle
    with serve(handler) as server:
        client = build_client(
            service="github",
            base_url=server.url,
            budget=RunBudget(policy=ZERO_WAITS),
            headers={"Authorization": f"Bearer {fake.token}"},
        )
        async with client:
            yield GitHubCommentSink(client, repo=REPO, issue=ISSUE, team="platform", **kw), server


def thread(fake: FakeGitHubComments) -> list[tuple[int, int]]:
    """(part, id) of our report's comments in thread order."""
    found = [(parse_marker(c["body"]), c["id"]) for c in fake.comments]
    return [(key.part, cid) for key, cid in found if key is not None]


def writes(server: RunningServer) -> list[str]:
    """The write requests the fake received, as `METHOD id-or-path`."""
    return [
        f"{r.method} {r.path.rsplit('/', 1)[-1]}"
        for r in server.requests
        if r.method in {"POST", "PATCH", "DELETE"}
    ]


async def test_a_foreign_comment_with_our_marker_is_never_edited_nor_linked(fake):
    """Someone else's copy of our comment, there before our first run, is left alone."""
    copied = fake.seed(REPO, ISSUE, bodies_of(report("# old copy\n"))[0], author=MALLORY)
    fenced = "```\n" + bodies_of(report())[0] + "\n```"
    fake.seed(REPO, ISSUE, fenced, author=MALLORY)
    async with published_to(fake) as (sink, server):
        with capture_logs() as events:
            result = await sink.publish(report())
    assert writes(server) == ["POST comments"]
    assert fake.comments[0] == copied
    assert fake.comments[1]["body"] == fenced
    assert result.url == fake.comments[2]["html_url"] != copied["html_url"]
    [ignored] = [e for e in events if e["event"] == "github_comment.foreign_marker_ignored"]
    assert ignored["comment_id"] == copied["id"]
    assert ignored["author"] == "mallory"
    assert "old copy" not in repr(ignored)


async def test_foreign_spam_carrying_our_marker_is_not_deleted(fake):
    """20 foreign comments with our marker beside our own: none deleted, ours edited."""
    ours = fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])
    for _ in range(20):
        fake.seed(REPO, ISSUE, bodies_of(report("# spam\n"))[0], author=MALLORY)
    async with published_to(fake) as (sink, server):
        result = await sink.publish(report())
    assert writes(server) == [f"PATCH {ours['id']}"]
    assert len(fake.comments) == 21
    assert result.url == ours["html_url"]


async def test_a_personal_token_learns_its_login_from_its_own_create(fake):
    """A PAT's earlier comment is ours once a create reveals the login: one comment remains."""
    fake.author = account("alice")
    earlier = fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])
    async with published_to(fake) as (sink, _server):
        result = await sink.publish(report())
    assert [c["id"] for c in fake.comments] == [earlier["id"]]
    assert fake.comments[0]["body"] == bodies_of(report())[0]
    assert result.url == earlier["html_url"]


async def test_without_author_a_personal_token_asks_github_whose_it_is(fake):
    """No `author`: `GET /user` names the PAT's login, so yesterday's comment is edited at once."""
    fake.author = account("alice")
    earlier = fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])
    async with published_to(fake, author=None) as (sink, server):
        result = await sink.publish(report())
    assert server.requests[0].path == "/user"
    assert writes(server) == [f"PATCH {earlier['id']}"]
    assert result.url == earlier["html_url"]


async def test_without_author_an_installation_token_is_taken_for_the_actions_bot(fake):
    """GitHub refuses `GET /user` to an installation token (403): the Actions bot is assumed."""
    earlier = fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])
    async with published_to(fake, author=None) as (sink, server):
        await sink.publish(report())
    assert writes(server) == [f"PATCH {earlier['id']}"]


async def test_a_configured_author_edits_in_place_at_once(fake):
    """With `author` set to the PAT's login the earlier comment is simply edited."""
    fake.author = account("alice")
    earlier = fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])
    async with published_to(fake, author="alice") as (sink, server):
        await sink.publish(report())
    assert writes(server) == [f"PATCH {earlier['id']}"]


async def test_surplus_parts_are_deleted_from_the_end(fake):
    """Shrinking from 4 parts to 2 deletes part 4, then part 3."""
    seeded = [fake.seed(REPO, ISSUE, body) for body in bodies_of(parts_report(4))]
    async with published_to(fake) as (sink, server):
        await sink.publish(parts_report(2, "new"))
    deletes = [w for w in writes(server) if w.startswith("DELETE")]
    assert deletes == [f"DELETE {seeded[3]['id']}", f"DELETE {seeded[2]['id']}"]
    assert [part for part, _ in thread(fake)] == [1, 2]


@pytest.mark.parametrize("seeded_parts", [(1, 3), (2, 1), (1, 3, 2)])
async def test_broken_part_order_is_rebuilt_in_thread_order(fake, seeded_parts):
    """A missing middle part or parts out of order: the report is rebuilt 1..n in order."""
    old = bodies_of(parts_report(3, "old"))
    for part in seeded_parts:
        fake.seed(REPO, ISSUE, old[part - 1])
    wanted = parts_report(3, "new")
    async with published_to(fake) as (sink, server):
        result = await sink.publish(wanted)
    assert [part for part, _ in thread(fake)] == [1, 2, 3]
    assert fake.bodies(REPO, ISSUE) == bodies_of(wanted)
    assert result.url == fake.comments[0]["html_url"]
    posts = [w for w in writes(server) if w.startswith("POST")]
    assert writes(server)[: len(posts)] == posts  # every new part before any old one goes


async def test_a_delete_failing_half_way_leaves_contiguous_parts_and_a_rerun_repairs(fake):
    """The second DELETE refused: parts 1..4 remain (no gap); the rerun leaves exactly 1..2."""
    for body in bodies_of(parts_report(5)):
        fake.seed(REPO, ISSUE, body)
    refused = Injection(response=error(403, "Forbidden"), method="DELETE", after=1)
    async with published_to(fake, refused) as (sink, _server):
        with pytest.raises(PublishError, match="403"):
            await sink.publish(parts_report(2, "new"))
    assert [part for part, _ in thread(fake)] == [1, 2, 3, 4]
    async with published_to(fake) as (sink, _server):
        await sink.publish(parts_report(2, "new"))
    assert fake.bodies(REPO, ISSUE) == bodies_of(parts_report(2, "new"))


async def test_a_rebuild_stopped_half_way_keeps_a_report_and_a_rerun_repairs(fake):
    """Rebuilding 2,1 fails at its first DELETE: the new set is there; the rerun tidies."""
    old = bodies_of(parts_report(2, "old"))
    fake.seed(REPO, ISSUE, old[1])
    fake.seed(REPO, ISSUE, old[0])
    wanted = parts_report(2, "new")
    refused = Injection(response=error(403, "Forbidden"), method="DELETE")
    async with published_to(fake, refused) as (sink, _server):
        with pytest.raises(PublishError, match="403"):
            await sink.publish(wanted)
    assert fake.bodies(REPO, ISSUE)[-2:] == bodies_of(wanted)
    async with published_to(fake) as (sink, _server):
        await sink.publish(wanted)
    assert fake.bodies(REPO, ISSUE) == bodies_of(wanted)
    assert [part for part, _ in thread(fake)] == [1, 2]


LOST = FakeResponse(drop_connection=True)
GARBLED = FakeResponse(200, raw=b'{"id": 1, "html_u', headers={"Content-Type": "application/json"})
GARBLED_201 = FakeResponse(201, raw=b'{"id": 1', headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("method", "answer"),
    [("PATCH", LOST), ("PATCH", GARBLED), ("DELETE", LOST), ("POST", GARBLED_201)],
    ids=["patch-lost", "patch-garbled", "delete-lost", "post-garbled"],
)
async def test_an_applied_write_whose_answer_went_missing_is_read_back(fake, method, answer):
    """The write landed, its answer did not: the sink reads back and succeeds, once."""
    if method != "POST":
        fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])
    if method == "DELETE":
        fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])  # a duplicate to delete
    applied = Injection(response=answer, method=method, act_first=True)
    async with published_to(fake, applied) as (sink, server):
        with capture_logs() as events:
            result = await sink.publish(report())
    assert fake.bodies(REPO, ISSUE) == bodies_of(report())
    assert result.url == fake.comments[0]["html_url"]
    assert len(server.calls(method)) == 1
    if method != "POST":
        assert any(e["event"] == "github_comment.write_confirmed" for e in events)


async def test_an_edit_refused_by_a_gateway_and_not_applied_is_sent_again(fake):
    """A 502 to a PATCH that did not land: read back, PATCH again (same body), one comment."""
    fake.seed(REPO, ISSUE, bodies_of(report("# yesterday\n"))[0])
    gateway = Injection(response=error(502, "Bad Gateway"), method="PATCH")
    async with published_to(fake, gateway) as (sink, server):
        await sink.publish(report())
    assert fake.bodies(REPO, ISSUE) == bodies_of(report())
    assert len(server.calls("PATCH")) == 2


def test_the_fake_answers_with_the_author_of_each_comment(fake):
    """Comments carry `user.login`/`user.type` like GitHub's: the token's owner, or the seeder."""
    assert fake.seed(REPO, ISSUE, "hi")["user"] == BOT
    assert fake.seed(REPO, ISSUE, "hi", author=MALLORY)["user"]["type"] == "User"


async def test_creates_lost_twice_stop_without_a_duplicate(fake):
    """Two POSTs that never reach GitHub: the run stops after the second, nothing posted."""
    dropped = Injection(response=LOST, method="POST", times=None)
    async with published_to(fake, dropped) as (sink, server):
        with pytest.raises(PublishError, match="twice; nothing was duplicated"):
            await sink.publish(report())
    assert len(server.calls("POST")) == 2
    assert fake.comments == []
