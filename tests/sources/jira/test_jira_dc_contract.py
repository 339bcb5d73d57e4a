import asyncio
import json
from datetime import UTC, datetime
from functools import partial

import httpx
import pytest

from fakes.jira_dc import dc_fields, legacy_sprint
from fakes.jira_world import history, issue, sprint, sprint_item, status_item
from jira_helpers import REMOVED_JQL_S5, WANTED_FIELDS, bean, mock_board_42
from sprintsync.domain import WorkState
from sprintsync.errors import UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraDataCenterSource
from sprintsync.sources.jira.api_dc import JiraDataCenterApi

SITE = "https://jira.example.com"
SEARCH = f"{SITE}/rest/api/2/search"
PAT = "dc-pat-123"
S5 = sprint(
    5, "Sprint 5", "active", board=42, site=SITE, start="2025-01-24T08:00:00.000Z", goal="a, b"
)
ISSUE = issue(
    "10101",
    "PRD-101",
    "Monitoring",
    state="Done",
    points=4,
    sprints=[S5],
    created="2025-01-20T10:00:00.000+0100",
    description="Plan:\n* Add alerts\n* Page on call\nResult: alerts fire",
)
ISSUE.fields["customfield_10020"] = [legacy_sprint(s) for s in ISSUE.fields["customfield_10020"]]


dc_bean = partial(bean, site=SITE, platform="/rest/api/2")


def search_page(issues: list, *, start: int, total: int) -> dict:
    """A `/rest/api/2/search` page (A.9)."""
    return {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": len(issues),
        "total": total,
        "issues": issues,
    }


def client(*, per_host: int = 4) -> httpx.AsyncClient:
    """A Data Center client as the CLI builds it (Bearer PAT), with zero retry waits."""
    policy = RetryPolicy(max_wait_seconds=0, base_wait_seconds=0, max_in_flight_per_host=per_host)
    budget = RunBudget(policy=policy)
    headers = {"Authorization": f"Bearer {PAT}"}
    return build_client(service="Jira", base_url=SITE, headers=headers, budget=budget)


def changelog_url(key: str) -> str:
    """The embedded-changelog request of one issue."""
    return f"{SITE}/rest/api/2/issue/{key}?expand=changelog&fields=created"


def mock_setup(httpx_mock) -> None:
    """The read-only calls before the searches: myself, sprints (with total), config, fields."""
    mock_board_42(
        httpx_mock,
        site=SITE,
        platform="/rest/api/2",
        myself={"name": "sprintbot", "displayName": "Sprint Bot", "active": True},
        sprint_pages=[{"maxResults": 50, "startAt": 0, "total": 1, "isLast": True, "values": [S5]}],
        fields=dc_fields(),
    )


async def test_source_sends_each_request_as_data_center_takes_it(httpx_mock):
    """v2 paths, Bearer PAT, startAt bodies paged by total, and one changelog GET per issue."""
    mock_setup(httpx_mock)
    sprint_body = {"jql": "sprint = 5", "startAt": 0, "maxResults": 100, "fields": WANTED_FIELDS}
    for body, page in [
        (sprint_body, search_page([dc_bean(ISSUE)], start=0, total=2)),
        ({**sprint_body, "startAt": 1}, search_page([], start=1, total=1)),
        ({**sprint_body, "jql": REMOVED_JQL_S5}, search_page([], start=0, total=0)),
    ]:
        httpx_mock.add_response(method="POST", url=SEARCH, match_json=body, json=page)
    histories = [
        history(2, "2025-01-24T15:00:00.000+0100", status_item("To Do", "Done")),
        history(1, "2025-01-23T11:00:00.000+0100", sprint_item(None, "5", with_field_id=False)),
    ]
    changelog = {"startAt": 0, "maxResults": 2, "total": 2, "histories": histories}
    created = {"created": ISSUE.fields["created"]}
    httpx_mock.add_response(
        method="GET",
        url=changelog_url("PRD-101"),
        json={**dc_bean(ISSUE, fields=created), "changelog": changelog},
    )
    async with client() as jira:
        source = JiraDataCenterSource(jira, board=42, base_url_for_links=SITE)
        data = await source.fetch(cutoff=datetime(2025, 2, 1, tzinfo=UTC))
    [tracked] = data.issues
    assert tracked.state.value_at(datetime(2025, 1, 24, 14, 30, tzinfo=UTC)) is WorkState.DONE
    assert tracked.in_sprint.value_at(datetime(2025, 1, 24, 9, tzinfo=UTC)) is True
    assert (tracked.details, tracked.result) == (("Add alerts", "Page on call"), "alerts fire")
    requests = httpx_mock.get_requests()
    assert all(r.headers["Authorization"] == f"Bearer {PAT}" for r in requests)
    assert not [r for r in requests if "/rest/api/3/" in r.url.path]


async def test_search_refuses_a_page_that_makes_no_progress(httpx_mock):
    """An empty page before `total` is reached stops the search instead of looping."""
    httpx_mock.add_response(
        method="POST", url=SEARCH, json=search_page([dc_bean(ISSUE)], start=0, total=5)
    )
    # The later pages are asked at once (startAt 1..4); every one of them answers empty.
    httpx_mock.add_response(
        method="POST", url=SEARCH, json=search_page([], start=1, total=5), is_reusable=True
    )
    async with client() as jira:
        with pytest.raises(UpstreamError, match="empty page at startAt=1 of 5"):
            await JiraDataCenterApi(jira, board=42).search("sprint = 5", ["summary"])


async def test_search_refuses_a_server_that_ignores_start_at(httpx_mock):
    """A page answering startAt 0 when 1 was asked would repeat issues: refused."""
    page = search_page([dc_bean(ISSUE)], start=0, total=2)
    httpx_mock.add_response(method="POST", url=SEARCH, json=page, is_reusable=True)
    async with client() as jira:
        with pytest.raises(UpstreamError, match="another startAt"):
            await JiraDataCenterApi(jira, board=42).search("sprint = 5", ["summary"])
    assert len(httpx_mock.get_requests()) == 2


async def test_search_without_total_is_refused(httpx_mock):
    """A search page without `total` cannot be paged safely (A.9): refused."""
    httpx_mock.add_response(method="POST", url=SEARCH, json={"startAt": 0, "issues": []})
    async with client() as jira:
        with pytest.raises(UpstreamError, match="no total"):
            await JiraDataCenterApi(jira, board=42).search("sprint = 5", ["summary"])


def embedded(key: str, *, histories: list, total: int) -> dict:
    """An issue bean with only `created` and a cut embedded changelog."""
    page = {"startAt": 0, "maxResults": len(histories), "total": total, "histories": histories}
    return {
        "id": "1",
        "key": key,
        "fields": {"created": "2025-01-20T10:00:00.000+0100"},
        "changelog": page,
    }


async def test_a_cut_embedded_changelog_is_paged_from_the_changelog_endpoint(httpx_mock):
    """A total of 3 with 1 embedded: every history comes from /changelog, paged by startAt."""
    first, second, third = (
        history(n, f"2025-01-2{n}T10:00:00.000+0100", status_item("To Do", "Done"))
        for n in (1, 2, 3)
    )
    httpx_mock.add_response(
        url=changelog_url("PRD-1"), json=embedded("PRD-1", histories=[third], total=3)
    )
    base = f"{SITE}/rest/api/2/issue/PRD-1/changelog"
    for start, values in [(0, [first, second]), (2, [third])]:
        body = {"startAt": start, "maxResults": 2, "total": 3, "isLast": start == 2}
        httpx_mock.add_response(
            url=f"{base}?startAt={start}&maxResults=100", json={**body, "values": values}
        )
    async with client() as jira:
        found = await JiraDataCenterApi(jira, board=42).fetch_issue_histories("PRD-1")
    assert [h["id"] for h in found] == ["1", "2", "3"]


async def test_a_cut_changelog_without_the_endpoint_fails_clearly(httpx_mock):
    """No /changelog on this Data Center: an error naming the issue, not wrong figures."""
    one = history(9, "2025-01-29T10:00:00.000+0100", status_item("To Do", "Done"))
    httpx_mock.add_response(
        url=changelog_url("PRD-7"), json=embedded("PRD-7", histories=[one], total=120)
    )
    httpx_mock.add_response(
        url=f"{SITE}/rest/api/2/issue/PRD-7/changelog?startAt=0&maxResults=100",
        status_code=404,
        text="<html><body>Not Found</body></html>",
        headers={"Content-Type": "text/html"},
    )
    async with client() as jira:
        with pytest.raises(UpstreamError, match="issue PRD-7 has 120 change histories") as caught:
            await JiraDataCenterApi(jira, board=42).fetch_issue_histories("PRD-7")
    assert "embedded only 1" in str(caught.value)


async def test_changelogs_are_fetched_at_most_four_at_a_time(httpx_mock):
    """Ten changelog requests, at most four in flight even when the client would allow 16."""
    in_flight, peak = 0, 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight -= 1
        key = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json=embedded(key, histories=[], total=0))

    httpx_mock.add_callback(answer, is_reusable=True)
    issues = [{"id": str(n), "key": f"PRD-{n}"} for n in range(10)]
    async with client(per_host=16) as jira:
        found = await JiraDataCenterApi(jira, board=42).fetch_histories(issues, ["status"])
    assert sorted(found, key=int) == [str(n) for n in range(10)]
    assert len(httpx_mock.get_requests()) == 10
    assert peak == 4


async def test_sprint_pages_without_is_last_stop_at_total(httpx_mock):
    """A sprint page with `total` but no `isLast` is followed until `total` sprints are read."""
    s6 = sprint(6, "Sprint 6", "future", board=42, site=SITE)
    for start, values in [(0, [S5]), (1, [s6])]:
        httpx_mock.add_response(
            url=f"{SITE}/rest/agile/1.0/board/42/sprint?startAt={start}&maxResults=50",
            json={"maxResults": 1, "startAt": start, "total": 2, "values": values},
        )
    async with client() as jira:
        sprints = await JiraDataCenterApi(jira, board=42).fetch_sprints()
    assert [s["id"] for s in sprints] == [5, 6]


async def test_search_pages_after_the_first_are_asked_at_once(httpx_mock):
    """Once the first page tells `total`, the other startAt pages are in flight together."""
    in_flight, peak = 0, 0
    beans = [dc_bean(ISSUE) | {"id": str(n), "key": f"PRD-{n}"} for n in range(6)]

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight -= 1
        start = json.loads(request.content)["startAt"]
        return httpx.Response(200, json=search_page(beans[start : start + 2], start=start, total=6))

    httpx_mock.add_callback(answer, is_reusable=True)
    async with client(per_host=8) as jira:
        found = await JiraDataCenterApi(jira, board=42).search("sprint = 5", ["summary"])
    assert [i["key"] for i in found] == [f"PRD-{n}" for n in range(6)]
    starts = [json.loads(r.content)["startAt"] for r in httpx_mock.get_requests()]
    assert sorted(starts) == [0, 2, 4]
    assert peak == 2


async def test_a_membership_search_asks_one_real_field_a_thousand_a_page(httpx_mock):
    """`search_ids`: `fields: ["updated"]` (DC has no `id` field), maxResults 1000 (A.9)."""
    hit = {"id": "10101", "key": "PRD-101", "fields": {"updated": "2025-01-24T15:00:00.000+0100"}}
    body = {"jql": "sprint = 5", "startAt": 0, "maxResults": 1000, "fields": ["updated"]}
    page = search_page([hit], start=0, total=1)
    httpx_mock.add_response(method="POST", url=SEARCH, match_json=body, json=page)
    async with client() as jira:
        found = await JiraDataCenterApi(jira, board=42).search_ids("sprint = 5")
    assert found == [hit]


async def test_an_issue_is_fetched_with_its_fields_and_changelog_in_one_request(httpx_mock):
    """`fetch_issue`: the search's fields and `expand=changelog` on one GET; the bean apart."""
    one = history(1, "2025-01-23T11:00:00.000+0100", sprint_item(None, "5", with_field_id=False))
    changelog = {"startAt": 0, "maxResults": 1, "total": 1, "histories": [one]}
    fields = ",".join(WANTED_FIELDS)
    httpx_mock.add_response(
        method="GET",
        url=f"{SITE}/rest/api/2/issue/PRD-101?expand=changelog&fields={fields}",
        json={**dc_bean(ISSUE), "changelog": changelog},
    )
    async with client() as jira:
        bean, histories = await JiraDataCenterApi(jira, board=42).fetch_issue(
            "PRD-101", WANTED_FIELDS
        )
    assert bean == dc_bean(ISSUE)
    assert histories == [one]
