import base64
import json
from datetime import UTC, datetime

import httpx

from fakes.jira import GONE, UNBOUNDED, FakeJira
from fakes.jira_sample import sample_jira
from fakes.jira_specs import AGILE, example, response_errors, schema_errors, without_nulls
from fakes.server import FakeRequest, FakeResponse, serve
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraCloudSource

AUTH = {"authorization": "Basic " + base64.b64encode(b"bot@example.com:api-token-123").decode()}
SEARCH = "/rest/api/3/search/jql"
BULK = "/rest/api/3/changelog/bulkfetch"
SPRINT_KEYS = set(example("/rest/agile/1.0/board/{boardId}/sprint", "get")["values"][0])


def call(fake: FakeJira, method: str, path: str, body=None, **query: str) -> FakeResponse:
    """Send one request straight to the fake's handler."""
    raw = b"" if body is None else json.dumps(body).encode()
    request = FakeRequest(method, path, {k: [v] for k, v in query.items()}, dict(AUTH), raw)
    return fake.handle(request)


def check_exchange(request: FakeRequest, response: FakeResponse) -> list[str]:
    """Spec violations of one request/response pair the source exchanged with the fake."""
    path, body = request.path, response.body
    found: list[str] = []
    if path == SEARCH:
        found += schema_errors("SearchAndReconcileRequestBean", request.json())
        found += response_errors(SEARCH, "post", body)
    elif path == BULK:
        found += schema_errors("BulkChangelogRequestBean", request.json())
        found += response_errors(BULK, "post", without_nulls(body))
    elif path == "/rest/api/3/field":
        # untranslatedName is real but undocumented (API-NOTES A.3); the spec forbids extras.
        fields = [{k: v for k, v in f.items() if k != "untranslatedName"} for f in body]
        found += response_errors(path, "get", fields)
    elif path == "/rest/api/3/myself":
        found += response_errors(path, "get", body)
    elif path.endswith("/configuration"):
        lenient = {k: v for k, v in body.items() if k != "location"}  # A.5.4: real shape differs
        found += response_errors(
            "/rest/agile/1.0/board/{boardId}/configuration", "get", lenient, spec=AGILE
        )
    elif path.endswith("/sprint"):
        found += [f"total sent: {body}"] if "total" in body else []
        found += [f"unknown sprint keys in {v}" for v in body["values"] if set(v) - SPRINT_KEYS]
    return found


async def test_every_request_and_answer_of_a_run_matches_the_specs():
    """Each request the source sends and each answer the fake gives validate against the specs."""
    fake = sample_jira()
    exchanges: list[tuple[FakeRequest, FakeResponse]] = []

    def recording(request: FakeRequest) -> FakeResponse:
        response = fake.handle(request)
        exchanges.append((request, response))
        return response

    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    auth = httpx.BasicAuth("bot@example.com", "api-token-123")
    with serve(recording) as server:
        async with build_client(
            service="Jira", base_url=server.url, auth=auth, budget=budget
        ) as client:
            source = JiraCloudSource(client, board=7, base_url_for_links="https://x.atlassian.net")
            await source.fetch(cutoff=datetime(2026, 11, 20, tzinfo=UTC))
    assert {r.path for r, _ in exchanges} >= {SEARCH, BULK, "/rest/api/3/myself"}
    assert all(resp.status == 200 for _, resp in exchanges)
    assert [error for pair in exchanges for error in check_exchange(*pair)] == []


def test_fake_answers_the_removed_search_with_410_gone():
    """`/rest/api/{2,3}/search` answer 410 with the CHANGE-2046 body, whatever the method."""
    fake = sample_jira()
    for method, path in (("GET", "/rest/api/3/search"), ("POST", "/rest/api/2/search")):
        response = call(fake, method, path, {"jql": "sprint = 42"})
        assert response.status == 410
        assert response.body == {"errorMessages": [GONE], "errors": {}}


def test_fake_refuses_unbounded_jql():
    """A search without a restriction is a 400 with Jira's message."""
    response = call(fake := sample_jira(), "POST", SEARCH, {"jql": "order by key desc"})
    assert response.status == 400
    assert response.body["errorMessages"] == [UNBOUNDED]
    assert fake.calls[("POST", SEARCH)] == 1


def test_fake_search_returns_ids_only_by_default_and_no_token_on_the_last_page():
    """Default fields are `id` only; the last page has isLast and no nextPageToken key."""
    fake = sample_jira()
    first = call(fake, "POST", SEARCH, {"jql": "sprint = 42"}).body
    assert all("fields" not in issue for issue in first["issues"])
    assert first["isLast"] is False
    second = call(
        fake, "POST", SEARCH, {"jql": "sprint = 42", "nextPageToken": first["nextPageToken"]}
    )
    assert second.body["isLast"] is True
    assert "nextPageToken" not in second.body
    assert len(first["issues"]) + len(second.body["issues"]) == 4


def test_fake_search_rejects_a_token_from_another_query():
    """A token is tied to its JQL, like the real API's."""
    fake = sample_jira()
    token = call(fake, "POST", SEARCH, {"jql": "sprint = 42"}).body["nextPageToken"]
    response = call(fake, "POST", SEARCH, {"jql": "sprint = 43", "nextPageToken": token})
    assert response.status == 400


def test_fake_bulkfetch_enforces_the_id_and_field_limits():
    """More than 1000 ids, none, or more than 10 field ids are a 400."""
    fake = sample_jira()
    many = call(fake, "POST", BULK, {"issueIdsOrKeys": [str(i) for i in range(1001)]})
    none = call(fake, "POST", BULK, {"issueIdsOrKeys": []})
    fields = call(
        fake, "POST", BULK, {"issueIdsOrKeys": ["10001"], "fieldIds": list("abcdefghijk")}
    )
    assert [many.status, none.status, fields.status] == [400, 400, 400]


def test_fake_bulkfetch_pages_histories_oldest_first_and_filters_fields():
    """Pages follow tokens; only the asked fields' items come back, oldest history first."""
    fake = sample_jira()
    body = {"issueIdsOrKeys": ["10004", "ABC-1"], "fieldIds": ["status"]}
    pages = [call(fake, "POST", BULK, body).body]
    while "nextPageToken" in pages[-1]:
        pages.append(
            call(fake, "POST", BULK, {**body, "nextPageToken": pages[-1]["nextPageToken"]}).body
        )
    histories = [h for p in pages for log in p["issueChangeLogs"] for h in log["changeHistories"]]
    assert [h["id"] for h in histories] == ["20031", "20002", "20003"]
    assert {i["field"] for h in histories for i in h["items"]} == {"status"}


def test_fake_bulkfetch_filter_drops_items_without_a_field_id():
    """A `fieldIds` filter keeps items by `fieldId` only: ABC-4's points item (none) vanishes."""
    fake = sample_jira()
    filtered = {"issueIdsOrKeys": ["10004"], "fieldIds": ["customfield_10016"]}
    everything = {"issueIdsOrKeys": ["10004"], "maxResults": 1000}
    kept = call(fake, "POST", BULK, filtered).body["issueChangeLogs"]
    fake.changelog_page_size = 1000
    logs = call(fake, "POST", BULK, everything).body["issueChangeLogs"]
    fields = {i["field"] for log in logs for h in log["changeHistories"] for i in h["items"]}
    assert kept == []
    assert "Story point estimate" in fields


def test_fake_sprint_pages_have_is_last_and_no_total():
    """Agile sprint pages carry isLast, never total, and 404 for an unknown board."""
    fake = sample_jira()
    first = call(fake, "GET", "/rest/agile/1.0/board/7/sprint", startAt="0", maxResults="50").body
    assert (first["isLast"], "total" in first, len(first["values"])) == (False, False, 2)
    assert call(fake, "GET", "/rest/agile/1.0/board/99/sprint").status == 404
    assert call(fake, "GET", "/rest/agile/1.0/sprint/77").status == 404


def test_fake_requires_the_basic_credentials():
    """A request without the right Basic header is a 401."""
    fake = sample_jira()
    request = FakeRequest("GET", "/rest/api/3/myself", {}, {}, b"")
    assert fake.handle(request).status == 401


def test_fail_next_answers_the_fault_once_then_the_world():
    """An injected fault applies to the next matching request only."""
    fake = sample_jira()
    fake.fail_next("/rest/api/3/myself", FakeResponse(status=503, headers={"Retry-After": "0"}))
    assert call(fake, "GET", "/rest/api/3/myself").status == 503
    assert call(fake, "GET", "/rest/api/3/myself").status == 200
