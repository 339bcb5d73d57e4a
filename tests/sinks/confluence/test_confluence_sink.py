"""End-to-end runs of ConfluenceSink against the stateful fake Confluence (Cloud and DC)."""

from __future__ import annotations

import dataclasses

import pytest

from confluence_helpers import (
    DAY1,
    DAY2,
    EVIL,
    TITLE,
    make_client,
    make_sink,
    report_for,
    sprint5_view,
)
from fakes.confluence import FakeConfluence, parse_storage
from fakes.server import FakeResponse
from sprintsync.errors import PublishError, exit_code_for
from sprintsync.report.storage import render_storage

FLAVORS = ["cloud", "datacenter"]
WRITE_PATH = {"cloud": "/api/v2/pages", "datacenter": "/rest/api/content"}


def all_bodies(fake: FakeConfluence) -> list[str]:
    """Every stored version's body of every page."""
    return [v.body for page in fake.pages.values() for v in page.versions]


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_day1_day2_day2_again_gives_one_page_with_two_versions(flavor):
    """Day 1 creates the page, day 2 adds one version with both days, a re-run adds nothing."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            first = await make_sink(client).publish(report_for(["shipped A"], DAY1))
            second = await make_sink(client).publish(report_for(["shipped A", "B"], DAY2))
            third = await make_sink(client).publish(report_for(["shipped A", "B"], DAY2))
    page = fake.only_page()
    assert page.title == TITLE
    assert page.parent_id == "111111"
    assert [v.number for v in page.versions] == [1, 2]
    assert page.versions[1].message == "sprintsync report as of 2025-01-25"
    assert "shipped A" in page.current.body
    assert "<h2>Day 2</h2><p>B</p>" in page.current.body
    assert (first.changed, second.changed, third.changed) == (True, True, False)
    assert third.destination == f"confluence page {page.id}"
    assert len(server.calls("PUT")) == 1
    for body in all_bodies(fake):
        parse_storage(body)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_detection_probes_v2_and_cloud_never_touches_v1(flavor):
    """Without `deployment`, the v2 spaces probe decides; Cloud never sends a v1 request."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            sink = make_sink(client)
            await sink.publish(report_for(["x"], DAY1))
    probe = server.requests[0]
    assert probe.path.endswith("/api/v2/spaces")
    assert probe.arg("keys") == "ENG"
    v1_calls = [r for r in server.requests if "/rest/api/" in r.path]
    v2_calls = [r for r in server.requests if "/api/v2/" in r.path]
    if flavor == "cloud":
        assert v1_calls == []
        assert {r.path for r in v2_calls} >= {"/wiki/api/v2/pages"}
    else:
        assert len(v2_calls) == 2  # the probe, and the one under /wiki (a Cloud site without it?)
        assert {r.path for r in v1_calls} == {"/rest/api/content"}


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_configured_deployment_skips_the_probe(flavor):
    """With `deployment` set, no detection request is sent."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            await make_sink(client, deployment=flavor).publish(report_for(["x"], DAY1))
    spaces_probe = [r for r in server.requests if r.path.endswith("/api/v2/spaces")]
    assert len(spaces_probe) == (1 if flavor == "cloud" else 0)  # Cloud resolves the space id
    assert fake.only_page().current.number == 1


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_injected_409_on_first_update_retries_once(flavor):
    """A 409 on the first PUT re-reads the page and ends with one new version, right content."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            await make_sink(client).publish(report_for(["A"], DAY1))
            conflict = (
                FakeResponse(409, {"errors": [{"status": 409, "code": "CONFLICT", "title": "x"}]})
                if flavor == "cloud"
                else FakeResponse(409, {"statusCode": 409, "message": "Version must be ..."})
            )
            fake.fail_next("PUT", WRITE_PATH[flavor], conflict)
            result = await make_sink(client).publish(report_for(["A", "B"], DAY2))
    page = fake.only_page()
    assert result.changed
    assert [v.number for v in page.versions] == [1, 2]
    assert "<h2>Day 2</h2><p>B</p>" in page.current.body
    assert len(server.calls("PUT")) == 2


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_concurrent_edit_gives_real_409_and_keeps_their_notes(flavor):
    """Someone saves team notes just before our PUT: we re-read, keep the notes, add one version."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]

    def alice(body: str) -> str:
        return body.replace("Team notes go here.", "Demo moved to Friday &amp; &lt;Bob&gt; out")

    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            await make_sink(client).publish(report_for(["A"], DAY1))
            fake.edit_before_next_put(alice)
            await make_sink(client).publish(report_for(["A", "B"], DAY2))
    page = fake.only_page()
    assert [(v.number, v.author) for v in page.versions] == [
        (1, "sprintsync"),
        (2, "alice"),
        (3, "sprintsync"),
    ]
    assert "Demo moved to Friday &amp; &lt;Bob&gt; out" in page.current.body
    assert "<h2>Day 2</h2><p>B</p>" in page.current.body
    assert len(server.calls("PUT")) == 2


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_team_notes_survive_every_update(flavor):
    """Notes written under the "Team notes" heading on the page are kept by later runs."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    notes = "<h2>Team notes</h2><p>Retro on <strong>Friday</strong></p><ul><li>ask ops</li></ul>"
    with fake.running() as (_server, url):
        async with make_client(fake, url) as client:
            await make_sink(client).publish(report_for(["A"], DAY1))
            page = fake.only_page()
            head = page.current.body.split("<h2>Team notes</h2>")[0]
            fake.human_edit(page.id, head + notes)
            await make_sink(client).publish(report_for(["A", "B"], DAY2))
            await make_sink(client).publish(report_for(["A", "B", "C"], DAY2))
    page = fake.only_page()
    assert [v.author for v in page.versions] == ["sprintsync", "alice", "sprintsync", "sprintsync"]
    assert page.current.body.endswith(notes)
    assert "<h2>Day 3</h2><p>C</p>" in page.current.body


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_three_conflicts_raise_and_leave_the_page(flavor):
    """Three 409s in a row end in a PublishError; nothing of ours is written."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (_server, url):
        async with make_client(fake, url) as client:
            await make_sink(client).publish(report_for(["A"], DAY1))
            for _ in range(3):
                fake.fail_next("PUT", WRITE_PATH[flavor], FakeResponse(409, {"message": "stale"}))
            with pytest.raises(PublishError) as caught:
                await make_sink(client).publish(report_for(["A", "B"], DAY2))
    assert "version conflict" in str(caught.value)
    assert fake.only_page().current.number == 1


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_bad_credentials_fail_with_one_line_and_leave_the_page(flavor):
    """A 401 is a PublishError (exit 3) with one line naming the env vars; the page is untouched."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    existing = fake.add_page(TITLE, "<p>old</p>")
    with fake.running() as (server, url):
        async with make_client(fake, url, good_auth=False) as client:
            with pytest.raises(PublishError) as caught:
                await make_sink(client, deployment=flavor).publish(report_for(["A"], DAY1))
    message = str(caught.value)
    assert exit_code_for(caught.value) == 3
    assert "\n" not in message
    assert "401" in message
    assert "SPRINTSYNC_CONFLUENCE_" in message
    assert "wrong" not in message  # the secret is never quoted
    assert existing.versions[-1].number == 1
    assert server.calls("PUT") == []
    assert server.calls("POST") == []


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_unknown_space_fails_naming_the_space(flavor):
    """An unknown space key is a PublishError naming the space; nothing is created."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            with pytest.raises(PublishError) as caught:
                await make_sink(client, space="NOPE").publish(report_for(["A"], DAY1))
    assert "'NOPE'" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert exit_code_for(caught.value) == 3
    assert fake.pages == {}
    assert server.calls("POST") == []


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_create_without_answer_looks_before_retrying(flavor):
    """A POST that created the page but lost its answer is not repeated: one page, one version."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            fake.fail_next(
                "POST", WRITE_PATH[flavor], FakeResponse(drop_connection=True), after_apply=True
            )
            result = await make_sink(client).publish(report_for(["A"], DAY1))
    assert len(server.calls("POST")) == 1
    assert fake.only_page().current.number == 1
    assert result.destination == f"confluence page {fake.only_page().id}"


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_create_lost_before_the_server_retries_the_post(flavor):
    """A POST dropped before the server acted is sent again after finding no page."""
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (server, url):
        async with make_client(fake, url) as client:
            fake.fail_next("POST", WRITE_PATH[flavor], FakeResponse(drop_connection=True))
            await make_sink(client).publish(report_for(["A"], DAY1))
    assert len(server.calls("POST")) == 2
    assert fake.only_page().current.number == 1


async def test_cloud_fake_answers_410_on_v1_paths():
    """The Cloud fake refuses the removed v1 content API with the GoneException body."""
    fake = FakeConfluence(flavor="cloud")
    with fake.running() as (_server, url):
        async with make_client(fake, url) as client:
            response = await client.get("rest/api/content", params={"spaceKey": "ENG"})
    assert response.status_code == 410
    assert "GoneException" in response.json()["message"]


async def test_v1_deployment_on_cloud_fails_with_a_hint():
    """Forcing `datacenter` against Cloud gives a PublishError that says v1 is removed there."""
    fake = FakeConfluence(flavor="cloud")
    with fake.running() as (_server, url):
        async with make_client(fake, url) as client:
            with pytest.raises(PublishError) as caught:
                await make_sink(client, deployment="datacenter").publish(report_for(["A"], DAY1))
    assert "410" in str(caught.value)
    assert "deployment: cloud" in str(caught.value)
    assert fake.pages == {}


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_rendered_sprint5_pages_store_hostile_titles_as_text(flavor):
    """The real template through the fake: day 1 then day 2, a hostile title stays text."""
    view = sprint5_view()
    task = dataclasses.replace(view.days[1].completed[0], title=EVIL)
    day2 = dataclasses.replace(view.days[1], completed=(task, *view.days[1].completed[1:]))
    burndown = view.burndown
    day1_view = dataclasses.replace(
        view,
        as_of=DAY1,
        days=view.days[:1],
        burndown=dataclasses.replace(burndown, points=burndown.points[:2]),
    )
    day2_view = dataclasses.replace(view, days=(view.days[0], day2))
    fake = FakeConfluence(flavor=flavor)  # type: ignore[arg-type]
    with fake.running() as (_server, url):
        async with make_client(fake, url) as client:
            for as_of, shown in ((DAY1, day1_view), (DAY2, day2_view), (DAY2, day2_view)):
                storage = render_storage(shown)
                await make_sink(client).publish(report_for([], as_of, storage=storage))
    page = fake.only_page()
    assert [v.number for v in page.versions] == [1, 2]
    roots = [parse_storage(v.body) for v in page.versions]
    assert list(roots[1].iter("script")) == []
    headings = ["".join(h.itertext()) for h in roots[1].iter("h4")]
    assert f"PERF-001: {EVIL} (5 points)" in headings
    days = ["".join(h.itertext()) for h in roots[1].iter("h2")]
    assert days[-3:] == ["Day 1: January 24, 2025", "Day 2: January 25, 2025", "Team notes"]
