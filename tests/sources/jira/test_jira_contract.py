from datetime import UTC, datetime
from functools import partial

import httpx
import pytest

from fakes.jira_specs import response_errors, schema_errors, without_nulls
from fakes.jira_world import (
    FIELDS,
    history,
    issue,
    sprint,
    sprint_item,
    status_item,
)
from jira_helpers import REMOVED_JQL_S5, WANTED_FIELDS, bean, mock_board_42
from sprintsync.domain import WorkState
from sprintsync.errors import UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraCloudSource
from sprintsync.sources.jira.api import JiraApi
from sprintsync.sources.jira.source import JiraSource

SITE = "https://acme.atlassian.net"
SEARCH = f"{SITE}/rest/api/3/search/jql"
BULK = f"{SITE}/rest/api/3/changelog/bulkfetch"
ISSUES = f"{SITE}/rest/api/3/issue/bulkfetch"
S5 = sprint(
    5,
    "Sprint 5",
    "active",
    board=42,
    start="2025-01-24T08:00:00.000Z",
    end="2025-02-04T17:00:00.000Z",
)
S4 = sprint(
    4,
    "Sprint 4",
    "closed",
    board=42,
    start="2025-01-10T08:00:00.000Z",
    end="2025-01-23T17:00:00.000Z",
    complete="2025-01-23T18:00:00.000Z",
)
ISSUE = issue(
    "10101",
    "PRD-101",
    "Monitoring",
    state="Done",
    points=4,
    sprints=[S5],
    created="2025-01-20T09:00:00.000+0000",
)
OTHER = issue(
    "10199",
    "PRD-199",
    "Unrelated",
    state="To Do",
    points=1,
    sprints=[],
    created="2025-01-20T09:00:00.000+0000",
)


cloud_bean = partial(bean, site=SITE, platform="/rest/api/3")


def client() -> httpx.AsyncClient:
    """A Jira client as the CLI builds it, with zero retry waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    auth = httpx.BasicAuth("bot@example.com", "api-token-123")
    return build_client(service="Jira", base_url=SITE, auth=auth, budget=budget)


def mock_setup(httpx_mock) -> None:
    """The read-only calls before the searches: myself, two sprint pages, config, fields."""
    mock_board_42(
        httpx_mock,
        site=SITE,
        platform="/rest/api/3",
        myself={"accountId": "5b10", "displayName": "Bot", "active": True},
        sprint_pages=[
            {"maxResults": 1, "startAt": 0, "isLast": False, "values": [S4]},
            {"maxResults": 1, "startAt": 1, "isLast": True, "values": [S5]},
        ],
        fields=FIELDS,
    )


async def test_source_sends_each_request_exactly_as_the_api_takes_it(httpx_mock):
    """Id-only searches, then issue and changelog bulk fetches, each body as the spec takes it."""
    mock_setup(httpx_mock)
    sprint_body = {"jql": "sprint = 5", "fields": ["id"], "maxResults": 5000}
    removed_body = {**sprint_body, "jql": REMOVED_JQL_S5}
    for body in (sprint_body, removed_body):
        assert schema_errors("SearchAndReconcileRequestBean", body) == []
    id_only = {"id": ISSUE.id, "self": f"{SITE}/rest/api/3/issue/{ISSUE.id}", "key": ISSUE.key}
    httpx_mock.add_response(
        method="POST",
        url=SEARCH,
        match_json=sprint_body,
        json={"issues": [id_only], "nextPageToken": "CAEaAggD", "isLast": False},
    )
    httpx_mock.add_response(
        method="POST",
        url=SEARCH,
        match_json={**sprint_body, "nextPageToken": "CAEaAggD"},
        json={"issues": [], "isLast": True},
    )
    httpx_mock.add_response(
        method="POST",
        url=SEARCH,
        match_json=removed_body,
        json={"issues": [{**id_only, "id": OTHER.id, "key": OTHER.key}], "isLast": True},
    )
    issue_body = {"issueIdsOrKeys": ["10101"], "fields": WANTED_FIELDS}
    assert schema_errors("BulkFetchIssueRequestBean", issue_body) == []
    issues = {"expand": "schema,names", "issues": [cloud_bean(ISSUE)], "issueErrors": []}
    # The spec's own example answers a top-level `expand` its schema does not list; real
    # answers carry it, so the schema check leaves it out.
    schema_view = without_nulls({k: v for k, v in issues.items() if k != "expand"})
    assert response_errors("/rest/api/3/issue/bulkfetch", "post", schema_view) == []
    httpx_mock.add_response(method="POST", url=ISSUES, match_json=issue_body, json=issues)
    bulk_body = {"issueIdsOrKeys": ["10101"], "maxResults": 1000}
    assert schema_errors("BulkChangelogRequestBean", bulk_body) == []
    page = {
        "issueChangeLogs": [
            {
                "issueId": "10101",
                "changeHistories": [
                    history(1, "2025-01-23T10:00:00.000+0000", sprint_item(None, "5")),
                    history(2, "2025-01-24T14:00:00.000+0000", status_item("To Do", "Done")),
                ],
            }
        ]
    }
    assert response_errors("/rest/api/3/changelog/bulkfetch", "post", without_nulls(page)) == []
    httpx_mock.add_response(method="POST", url=BULK, match_json=bulk_body, json=page)
    # The candidate's changelog never mentions sprint 5: its fields are never asked for.
    httpx_mock.add_response(
        method="POST",
        url=BULK,
        match_json={**bulk_body, "issueIdsOrKeys": ["10199"]},
        json={"issueChangeLogs": []},
    )
    async with client() as jira:
        source = JiraCloudSource(jira, board=42, base_url_for_links=SITE)
        data = await source.fetch(cutoff=datetime(2025, 2, 1, tzinfo=UTC))
    assert [i.key for i in data.issues] == ["PRD-101"]
    assert data.issues[0].state.value_at(datetime(2025, 1, 24, 15, tzinfo=UTC)) is WorkState.DONE
    posts = [r for r in httpx_mock.get_requests() if r.method == "POST"]
    assert all(r.headers["Content-Type"] == "application/json" for r in posts)
    assert all(r.headers["Accept"] == "application/json" for r in posts)


async def test_the_old_sequential_fetch_still_sends_searches_with_fields(httpx_mock):
    """The generic JiraSource (Data Center's path) asks the search for the fields themselves."""
    mock_setup(httpx_mock)
    sprint_body = {"jql": "sprint = 5", "fields": WANTED_FIELDS, "maxResults": 100}
    httpx_mock.add_response(
        method="POST",
        url=SEARCH,
        match_json=sprint_body,
        json={"issues": [cloud_bean(ISSUE)], "isLast": True},
    )
    httpx_mock.add_response(
        method="POST",
        url=SEARCH,
        match_json={**sprint_body, "jql": REMOVED_JQL_S5},
        json={"issues": [], "isLast": True},
    )
    bulk_body = {"issueIdsOrKeys": ["10101"], "maxResults": 1000}
    httpx_mock.add_response(
        method="POST", url=BULK, match_json=bulk_body, json={"issueChangeLogs": []}
    )
    async with client() as jira:
        source = JiraSource(jira, board=42, base_url_for_links=SITE)
        data = await source.fetch(cutoff=datetime(2025, 2, 1, tzinfo=UTC))
    assert [i.key for i in data.issues] == ["PRD-101"]


async def test_search_refuses_a_repeated_page_token(httpx_mock):
    """A server that hands back the same nextPageToken is stopped with an error naming the loop."""
    httpx_mock.add_response(
        method="POST",
        url=SEARCH,
        is_reusable=True,
        json={"issues": [], "nextPageToken": "AAA", "isLast": False},
    )
    async with client() as jira:
        with pytest.raises(UpstreamError, match="same nextPageToken twice"):
            await JiraApi(jira, board=42).search("sprint = 5", ["summary"])
    assert len(httpx_mock.get_requests()) == 2


async def test_search_stops_when_the_token_key_is_absent_even_without_is_last(httpx_mock):
    """A page without `nextPageToken` ends the search (JRACLOUD-92184)."""
    httpx_mock.add_response(method="POST", url=SEARCH, json={"issues": [cloud_bean(ISSUE)]})
    async with client() as jira:
        issues = await JiraApi(jira, board=42).search("sprint = 5", ["summary"])
    assert [i["key"] for i in issues] == ["PRD-101"]


async def test_bulkfetch_sends_at_most_1000_ids_per_request_and_follows_tokens(httpx_mock):
    """1001 ids make two request chains; each chain follows its nextPageToken."""
    ids = [str(10000 + n) for n in range(1001)]
    fields = ["status", "customfield_10020"]
    first = {"issueIdsOrKeys": ids[:1000], "fieldIds": fields, "maxResults": 1000}
    httpx_mock.add_response(
        method="POST",
        url=BULK,
        match_json=first,
        json={"issueChangeLogs": [], "nextPageToken": "UxAQBFRF"},
    )
    httpx_mock.add_response(
        method="POST",
        url=BULK,
        match_json={**first, "nextPageToken": "UxAQBFRF"},
        json={"issueChangeLogs": []},
    )
    httpx_mock.add_response(
        method="POST",
        url=BULK,
        match_json={**first, "issueIdsOrKeys": ids[1000:]},
        json={"issueChangeLogs": []},
    )
    async with client() as jira:
        pages = await JiraApi(jira, board=42).fetch_changelogs(ids, fields)
    assert len(pages) == 3


async def test_a_401_names_the_credentials_to_fix(httpx_mock):
    """An anonymous or refused /myself stops the run with the env vars to check."""
    httpx_mock.add_response(
        method="GET",
        url=f"{SITE}/rest/api/3/myself",
        status_code=401,
        json={"errorMessages": ["Client must be authenticated"], "errors": {}},
    )
    async with client() as jira:
        with pytest.raises(UpstreamError, match="SPRINTSYNC_JIRA_EMAIL and SPRINTSYNC_JIRA_TOKEN"):
            await JiraApi(jira, board=42).fetch_myself()


async def test_a_removed_search_410_is_reported_not_retried(httpx_mock):
    """If a proxy routed us to a removed API, the 410 and its message reach the user once."""
    body = {"errorMessages": ["The requested API has been removed."], "errors": {}}
    httpx_mock.add_response(method="POST", url=SEARCH, status_code=410, json=body)
    async with client() as jira:
        with pytest.raises(UpstreamError, match="410") as caught:
            await JiraApi(jira, board=42).search("sprint = 5", ["summary"])
    assert caught.value.status == 410
    assert len(httpx_mock.get_requests()) == 1


async def test_sprint_pages_that_ignore_start_at_are_refused(httpx_mock):
    """A server that repeats the first sprint page is stopped instead of looped over."""
    httpx_mock.add_response(
        method="GET",
        url=f"{SITE}/rest/agile/1.0/board/42/sprint?startAt=0&maxResults=50",
        json={"maxResults": 1, "startAt": 0, "isLast": False, "values": [S4]},
    )
    httpx_mock.add_response(
        method="GET",
        url=f"{SITE}/rest/agile/1.0/board/42/sprint?startAt=1&maxResults=50",
        json={"maxResults": 1, "startAt": 0, "isLast": False, "values": [S4]},
    )
    async with client() as jira:
        with pytest.raises(UpstreamError, match="same sprints twice for board 42"):
            await JiraApi(jira, board=42).fetch_sprints()


async def test_bulkfetch_refuses_a_repeated_page_token(httpx_mock):
    """The changelog paginator also refuses a token it has already followed."""
    httpx_mock.add_response(
        method="POST",
        url=BULK,
        is_reusable=True,
        json={"issueChangeLogs": [], "nextPageToken": "UxAQBFRF"},
    )
    async with client() as jira:
        with pytest.raises(UpstreamError, match="changelogs of 1 issues"):
            await JiraApi(jira, board=42).fetch_changelogs(["10101"], ["status"])
