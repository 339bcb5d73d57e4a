"""Bad tracker answers over the recorded demo: each a correct report or a clear error, quickly."""

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from sprintsync.demo import DEMO_BASE_URL, DEMO_BOARD, DEMO_TIMEZONE, demo_transport
from sprintsync.domain import SprintData
from sprintsync.errors import UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.ledger import build_ledger
from sprintsync.sources.jira import JiraCloudSource

CUTOFF = datetime(2025, 1, 25, 23, 0, tzinfo=UTC)  # end of day 2 in Berlin
SEARCH = "/rest/api/3/search/jql"
BULK = "/rest/api/3/changelog/bulkfetch"
ISSUES = "/rest/api/3/issue/bulkfetch"  # the fields of the ids the id-only search found
RUNAWAY = 50  # requests after which the fake refuses: far past what the guard allows
Rewrite = Callable[[httpx.Request, dict[str, Any], int], bytes | dict[str, Any]]


async def fetch(rewrite: Rewrite, *, path: str) -> tuple[SprintData, list[httpx.Request]]:
    """JiraCloudSource over the demo, answers to `path` rewritten by `rewrite(request, body, n)`."""
    recorded = demo_transport()
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        response = recorded.handle_request(request)
        if request.url.path != path:
            return response
        seen.append(request)
        if len(seen) > RUNAWAY:
            return httpx.Response(400, json={"errorMessages": ["runaway"], "errors": {}})
        body = json.loads(response.read())
        new = rewrite(request, body, len(seen))
        if isinstance(new, bytes):
            return httpx.Response(200, content=new, headers={"Content-Type": "application/json"})
        return httpx.Response(200, json=new)

    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    async with build_client(
        service="Jira", base_url=DEMO_BASE_URL, budget=budget, transport=httpx.MockTransport(answer)
    ) as client:
        source = JiraCloudSource(client, board=DEMO_BOARD, base_url_for_links=DEMO_BASE_URL)
        return await source.fetch(cutoff=CUTOFF), seen


def is_sprint_search(request: httpx.Request) -> bool:
    """The search for the sprint's issues (not the removal candidates)."""
    return str(json.loads(request.content)["jql"]).startswith("sprint = ")


def committed(data: SprintData) -> float:
    """The Sprint Report's committed figure of `data`."""
    return build_ledger(data, cutoff=CUTOFF, timezone=ZoneInfo(DEMO_TIMEZONE)).totals.committed


async def test_the_same_issue_on_two_search_pages_is_counted_once():
    """PRD-104 (8 points) twice in the search and its bulk fetch: committed 75, not 83."""

    def repeat(request: httpx.Request, body: dict[str, Any], _n: int) -> dict[str, Any]:
        if request.url.path == SEARCH and not is_sprint_search(request):
            return body
        again = next(i for i in body["issues"] if i["key"] == "PRD-104")
        return {**body, "issues": [again, *body["issues"], again]}

    data, _ = await fetch(repeat, path=SEARCH)
    assert committed(data) == 75
    data, _ = await fetch(repeat, path=ISSUES)
    assert committed(data) == 75
    assert sorted(i.key for i in data.issues) == sorted({i.key for i in data.issues})
    assert len(data.issues) == 13


@pytest.mark.parametrize("same_issues", [False, True], ids=["empty_pages", "repeated_issues"])
async def test_an_endless_stream_of_fresh_search_tokens_stops_within_a_few_requests(same_issues):
    """Fresh tokens for ever, pages empty or repeating page 1: a clear error after ≤ 5 requests."""
    first: list[dict[str, Any]] = []

    def endless(request: httpx.Request, body: dict[str, Any], n: int) -> dict[str, Any]:
        if not is_sprint_search(request):
            return body
        if n == 1:
            first.extend(body["issues"])
            return {**body, "nextPageToken": "fresh-1", "isLast": False}
        issues = first if same_issues else []
        return {"issues": issues, "nextPageToken": f"fresh-{n}", "isLast": False}

    with pytest.raises(UpstreamError, match=r"pages in a row of .* brought no new item") as error:
        await fetch(endless, path=SEARCH)
    assert error.value.service == "Jira"
    assert "\n" not in str(error.value)


async def test_an_endless_stream_of_fresh_bulkfetch_tokens_stops_within_a_few_requests():
    """Bulkfetch pages with no histories and a new token each time end after ≤ 5 requests."""
    counted: list[int] = []

    def endless(_request: httpx.Request, body: dict[str, Any], n: int) -> dict[str, Any]:
        counted.append(n)
        if n == 1:
            return {**body, "nextPageToken": "fresh-1"}
        return {"issueChangeLogs": [], "nextPageToken": f"fresh-{n}"}

    with pytest.raises(UpstreamError, match="brought no new item"):
        await fetch(endless, path=BULK)
    assert len(counted) <= 5


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity", b"1e308", b"1e400"])
async def test_unusable_story_points_in_a_field_count_as_unestimated_with_a_notice(value):
    """PRD-104's estimate NaN / infinite / 1e308: a report with it unestimated and a notice."""

    def poison(_request: httpx.Request, body: dict[str, Any], _n: int) -> bytes:
        for issue in body["issues"]:
            if issue["key"] == "PRD-104":
                issue["fields"]["customfield_10016"] = "POISON"
        return json.dumps(body).replace('"POISON"', value.decode()).encode()

    data, _ = await fetch(poison, path=ISSUES)
    issue = next(i for i in data.issues if i.key == "PRD-104")
    assert issue.estimate.value_at(CUTOFF) is None
    assert committed(data) == 67  # 75 without PRD-104's 8 points
    [notice] = [n for n in data.notices if "story points" in n]
    assert "PRD-104" in notice
    assert "unestimated" in notice


@pytest.mark.parametrize("text", ["NaN", "Infinity", "1e308", "-1e308", "inf"])
async def test_unusable_story_points_in_a_changelog_count_as_unestimated_with_a_notice(text):
    """A changelog that re-estimates PRD-101 to `text`: no crash, unestimated, a notice."""

    def poison(_request: httpx.Request, body: dict[str, Any], _n: int) -> dict[str, Any]:
        for log in body["issueChangeLogs"]:
            if log["issueId"] == "10101":
                log["changeHistories"].append(
                    {
                        "id": "39999",
                        "created": "2025-01-24T09:00:00.000+0000",
                        "items": [
                            {
                                "field": "Story point estimate",
                                "fieldId": "customfield_10016",
                                "from": None,
                                "fromString": "4",
                                "to": None,
                                "toString": text,
                            }
                        ],
                    }
                )
        return body

    data, _ = await fetch(poison, path=BULK)
    issue = next(i for i in data.issues if i.key == "PRD-101")
    assert issue.estimate.value_at(CUTOFF) is None
    build_ledger(data, cutoff=CUTOFF, timezone=ZoneInfo(DEMO_TIMEZONE))  # no crash
    [notice] = [n for n in data.notices if "story points" in n]
    assert f"PRD-101 ({text!r})" in notice


async def test_negative_story_points_are_counted_as_jira_counts_them():
    """A negative estimate is a number Jira sums: it stays, with no notice."""

    def negative(_request: httpx.Request, body: dict[str, Any], _n: int) -> dict[str, Any]:
        for issue in body["issues"]:
            if issue["key"] == "PRD-104":
                issue["fields"]["customfield_10016"] = -8
        return body

    data, _ = await fetch(negative, path=ISSUES)
    assert committed(data) == 75 - 16
    assert not [n for n in data.notices if "story points" in n]
    assert math.isfinite(committed(data))


async def test_json_nested_5000_deep_is_a_clear_error_naming_the_service():
    """A search answer nested 5,000 deep: an UpstreamError naming Jira, not a RecursionError."""

    def deep(_request: httpx.Request, _body: dict[str, Any], _n: int) -> bytes:
        return b'{"issues": ' + b"[" * 5000 + b"]" * 5000 + b', "isLast": true}'

    with pytest.raises(UpstreamError, match=r"^Jira answered .* nested deeper than 200 levels"):
        await fetch(deep, path=SEARCH)


async def test_non_utf8_bytes_in_a_json_body_are_a_clear_error():
    """Latin-1 bytes in a JSON answer: an UpstreamError saying the body is not JSON."""

    def latin1(_request: httpx.Request, body: dict[str, Any], _n: int) -> bytes:
        return json.dumps(body).replace("PRD-101", "PRD-\xe9").encode("latin-1")

    with pytest.raises(UpstreamError, match="body that is not JSON"):
        await fetch(latin1, path=SEARCH)
