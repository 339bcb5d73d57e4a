import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from fakes.github_graphql import schema_errors
from fakes.github_payloads import (
    RATE_LIMIT,
    draft_node,
    fields_answer,
    issue_node,
    items_answer,
    owner_not_found,
)
from sprintsync.domain import WorkState
from sprintsync.errors import ConfigError, UpstreamError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.github.source import GitHubProjectsSource
from sprintsync.state import SnapshotStore

API = "https://api.github.com"
GRAPHQL = "https://api.github.com/graphql"
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


class RecordingSleep:
    """An injected sleep that records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        """Record the wait."""
        self.waits.append(seconds)


def make_source(client, tmp_path, **overrides):
    """The source for org project acme/5, options overridable."""
    options = {
        "owner": "acme",
        "project": 5,
        "iteration": "current",
        "iteration_field": "Iteration",
        "points_field": "Story Points",
        "status_field": "Status",
        "done": ("Done",),
        "in_progress": ("In Progress",),
        "store": SnapshotStore(tmp_path / "state.db"),
        "now": NOW,
        "timezone": BERLIN,
    }
    options.update(overrides)
    return GitHubProjectsSource(client, **options)


@pytest.fixture
async def client():
    """A GitHub client under the retry policy with zero waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    async with build_client(
        service="GitHub",
        base_url=API,
        budget=budget,
        headers={"Authorization": "Bearer ghp_test"},
    ) as built:
        yield built


def sent_bodies(httpx_mock):
    """The JSON bodies of every request sent."""
    return [json.loads(r.content) for r in httpx_mock.get_requests()]


async def test_fetch_reads_iteration_and_items_as_github_serves_them(httpx_mock, client, tmp_path):
    """The org project's current iteration becomes the Sprint; issues and drafts become issues."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    httpx_mock.add_response(
        url=GRAPHQL, method="POST", json=items_answer([issue_node(), draft_node()])
    )
    data = await make_source(client, tmp_path).fetch(cutoff=NOW)
    assert data.sprint.id == "cfc16e4d"
    assert data.sprint.name == "Iteration 7"
    assert data.sprint.start == datetime(2026, 11, 16, tzinfo=BERLIN)
    assert data.sprint.end == datetime(2026, 11, 30, tzinfo=BERLIN)
    assert data.sprint.state == "active"
    keys = {i.key: i for i in data.issues}
    assert set(keys) == {"acme/shop#123", "DI_lADOAbc"}
    fix = keys["acme/shop#123"]
    assert fix.estimate.value_at(NOW) == 3.0
    assert fix.state.value_at(NOW) is WorkState.IN_PROGRESS
    assert (fix.labels, fix.assignee, fix.url) == (
        ("bug",),
        "octocat",
        "https://github.com/acme/shop/issues/123",
    )
    assert keys["DI_lADOAbc"].estimate.value_at(NOW) is None
    bodies = sent_bodies(httpx_mock)
    assert bodies[1]["variables"] == {
        "login": "acme",
        "number": 5,
        "after": None,
        "iterationField": "Iteration",
        "pointsField": "Story Points",
        "statusField": "Status",
    }
    assert all(schema_errors(b["query"]) == [] for b in bodies)


async def test_graphql_posts_are_marked_safe_to_resend(httpx_mock, client, tmp_path):
    """Every GraphQL POST carries the IDEMPOTENT marker, so secondary limits are retried."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([]))
    await make_source(client, tmp_path).fetch(cutoff=NOW)
    assert all(r.extensions.get("sprintsync_idempotent") for r in httpx_mock.get_requests())


async def test_user_owned_project_is_read_through_user(httpx_mock, client, tmp_path):
    """When the organization side is NOT_FOUND, the user's project is used for the items too."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer("user"))
    httpx_mock.add_response(
        url=GRAPHQL, method="POST", json=items_answer([issue_node()], owner_kind="user")
    )
    data = await make_source(client, tmp_path).fetch(cutoff=NOW)
    assert [i.key for i in data.issues] == ["acme/shop#123"]
    items_query = sent_bodies(httpx_mock)[1]["query"]
    assert "user(login: $login)" in items_query
    assert "organization(" not in items_query


async def test_items_are_read_page_by_page_with_the_cursor(httpx_mock, client, tmp_path):
    """A second page is asked for with `after` = the first page's endCursor."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    httpx_mock.add_response(
        url=GRAPHQL, method="POST", json=items_answer([issue_node()], has_next=True, cursor="MA")
    )
    second = issue_node("PVTI_2", number=124)
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([second], cursor="MQ"))
    data = await make_source(client, tmp_path).fetch(cutoff=NOW)
    assert sorted(i.key for i in data.issues) == ["acme/shop#123", "acme/shop#124"]
    assert [b["variables"]["after"] for b in sent_bodies(httpx_mock)[1:]] == [None, "MA"]


async def test_repeated_cursor_is_refused(httpx_mock, client, tmp_path):
    """A page that hands back the cursor just used is an UpstreamError, not an endless loop."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    page = items_answer([issue_node()], has_next=True, cursor="MA")
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=page, is_reusable=True)
    with pytest.raises(UpstreamError, match="repeated the items cursor 'MA'"):
        await make_source(client, tmp_path).fetch(cutoff=NOW)


async def test_project_not_found_names_project_and_token_kinds(httpx_mock, client, tmp_path):
    """NOT_FOUND on projectV2 names the project and the token kinds that can read it."""
    body = {
        "data": {"organization": {"projectV2": None}, "user": None, "rateLimit": RATE_LIMIT},
        "errors": [
            owner_not_found("user"),
            {
                "type": "NOT_FOUND",
                "path": ["organization", "projectV2"],
                "locations": [{"line": 5, "column": 9}],
                "message": "Could not resolve to a ProjectV2 with the number 5.",
            },
        ],
    }
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=body)
    with pytest.raises(UpstreamError) as caught:
        await make_source(client, tmp_path).fetch(cutoff=NOW)
    message = str(caught.value)
    assert "GitHub project acme/5: not found" in message
    assert "Could not resolve to a ProjectV2 with the number 5." in message
    assert "read:project" in message
    assert "organization_projects" in message


async def test_unknown_owner_says_neither_organization_nor_user(httpx_mock, client, tmp_path):
    """NOT_FOUND for both organization and user says the login does not exist."""
    body = {
        "data": {"organization": None, "user": None, "rateLimit": RATE_LIMIT},
        "errors": [owner_not_found("organization"), owner_not_found("user")],
    }
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=body)
    with pytest.raises(UpstreamError, match="no organization or user 'acme'"):
        await make_source(client, tmp_path).fetch(cutoff=NOW)


async def test_insufficient_scopes_lists_token_kinds(httpx_mock, client, tmp_path):
    """INSUFFICIENT_SCOPES says that GITHUB_TOKEN cannot read Projects and which tokens can."""
    body = {
        "errors": [
            {
                "type": "INSUFFICIENT_SCOPES",
                "locations": [{"line": 3, "column": 5}],
                "message": "Your token has not been granted the required scopes to execute this "
                "query. The 'projectV2' field requires one of the following scopes: "
                "['read:project'], but your token has only been granted the: ['repo'] scopes.",
            }
        ]
    }
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=body)
    with pytest.raises(UpstreamError) as caught:
        await make_source(client, tmp_path).fetch(cutoff=NOW)
    message = str(caught.value)
    assert "cannot read this project" in message
    assert "GITHUB_TOKEN cannot read Projects" in message
    assert "fine-grained PAT with Projects: read" in message
    assert "ghp_test" not in message


async def test_bad_credentials_is_an_upstream_error_with_a_hint(httpx_mock, client, tmp_path):
    """HTTP 401 Bad credentials names the status, the env vars and GitHub's message."""
    httpx_mock.add_response(
        url=GRAPHQL,
        method="POST",
        status_code=401,
        json={
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/graphql",
            "status": "401",
        },
    )
    with pytest.raises(UpstreamError) as caught:
        await make_source(client, tmp_path).fetch(cutoff=NOW)
    assert caught.value.status == 401
    assert "SPRINTSYNC_GITHUB_TOKEN" in str(caught.value)
    assert "Bad credentials" in str(caught.value)


async def test_missing_points_field_is_a_config_error_listing_fields(httpx_mock, client, tmp_path):
    """A points field name the project lacks is a ConfigError naming the key and the fields."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer(points_name="Estimate"))
    with pytest.raises(
        ConfigError, match=r"source.points_field: .*'Story Points'.*Estimate \(NUMBER\)"
    ):
        await make_source(client, tmp_path).fetch(cutoff=NOW)


async def test_iteration_by_title_and_completed_iteration_is_closed(httpx_mock, client, tmp_path):
    """`iteration: <title>` picks that iteration; a completed one is closed at its end."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([]))
    data = await make_source(client, tmp_path, iteration="Iteration 6").fetch(cutoff=NOW)
    assert (data.sprint.id, data.sprint.state) == ("0f0f0f0f", "closed")
    assert data.sprint.complete == datetime(2026, 11, 16, tzinfo=BERLIN)


async def test_no_iteration_contains_the_cutoff_is_a_service_error(httpx_mock, client, tmp_path):
    """`current` with no iteration around the cut-off day names the day and the iterations."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    late = datetime(2027, 3, 1, 12, tzinfo=UTC)
    with pytest.raises(
        UpstreamError,
        match=r"source.iteration: no iteration containing 2027-03-01 \(iterations: Iteration 6",
    ):
        await make_source(client, tmp_path).fetch(cutoff=late)


async def test_rate_limited_answers_are_retried_then_fail(httpx_mock, client, tmp_path):
    """RATE_LIMITED with HTTP 200 is retried after the reset wait, then an UpstreamError."""
    limited = {
        "errors": [
            {"type": "RATE_LIMITED", "message": "API rate limit already exceeded for user ID 1."}
        ]
    }
    reset = str(int(NOW.timestamp()) + 120)
    httpx_mock.add_response(
        url=GRAPHQL,
        method="POST",
        json=limited,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
        is_reusable=True,
    )
    sleep = RecordingSleep()
    with pytest.raises(UpstreamError, match=r"rate limit exhausted .* after 3 attempts"):
        await make_source(client, tmp_path, sleep=sleep).fetch(cutoff=NOW)
    assert sleep.waits == [120.0, 120.0]
    assert len(httpx_mock.get_requests()) == 3


async def test_rate_limited_once_then_answered(httpx_mock, client, tmp_path):
    """One RATE_LIMITED answer is waited out and the query sent again."""
    limited = {
        "errors": [
            {"type": "RATE_LIMITED", "message": "API rate limit already exceeded for user ID 1."}
        ]
    }
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=limited)
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([issue_node()]))
    sleep = RecordingSleep()
    data = await make_source(client, tmp_path, sleep=sleep).fetch(cutoff=NOW)
    assert [i.key for i in data.issues] == ["acme/shop#123"]
    assert sleep.waits == [60.0]


async def test_low_remaining_points_wait_until_reset(httpx_mock, client, tmp_path):
    """When `remaining` is below the last cost, the next query waits until `resetAt`."""
    low = {**RATE_LIMIT, "cost": 3, "remaining": 2, "resetAt": "2026-11-25T07:05:00Z"}
    answer = fields_answer()
    answer["data"]["rateLimit"] = low
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=answer)
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([]))
    sleep = RecordingSleep()
    await make_source(client, tmp_path, sleep=sleep).fetch(cutoff=NOW)
    assert sleep.waits == [300.0]


async def test_reset_beyond_the_wait_budget_fails_clearly(httpx_mock, client, tmp_path):
    """A reset further away than the wait budget is an UpstreamError, not a long sleep."""
    low = {**RATE_LIMIT, "cost": 3, "remaining": 0, "resetAt": "2026-11-25T08:00:00Z"}
    answer = fields_answer()
    answer["data"]["rateLimit"] = low
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=answer)
    sleep = RecordingSleep()
    with pytest.raises(UpstreamError, match="must wait 3600s for the reset"):
        await make_source(client, tmp_path, sleep=sleep).fetch(cutoff=NOW)
    assert sleep.waits == []


async def test_secondary_limit_403_is_retried_by_the_transport(httpx_mock, client, tmp_path):
    """A 403 secondary rate limit with retry-after is retried (the POST is marked idempotent)."""
    httpx_mock.add_response(
        url=GRAPHQL,
        method="POST",
        status_code=403,
        headers={"retry-after": "1"},
        json={"message": "You have exceeded a secondary rate limit.", "status": "403"},
    )
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([]))
    data = await make_source(client, tmp_path).fetch(cutoff=NOW)
    assert data.sprint.name == "Iteration 7"


async def test_ghes_api_url_posts_to_api_graphql(httpx_mock, tmp_path):
    """With a GHES api_url ending in /api/v3 the query goes to /api/graphql."""
    httpx_mock.add_response(
        url="https://ghe.example.com/api/graphql", method="POST", json=fields_answer()
    )
    httpx_mock.add_response(
        url="https://ghe.example.com/api/graphql", method="POST", json=items_answer([])
    )
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    async with build_client(
        service="GitHub", base_url="https://ghe.example.com/api/v3", budget=budget
    ) as ghes:
        data = await make_source(ghes, tmp_path).fetch(cutoff=NOW)
    assert data.tracker_url == "https://github.com/orgs/acme/projects/5"


async def test_transport_failure_is_an_upstream_error(httpx_mock, client, tmp_path):
    """A connection that cannot be made is an UpstreamError naming GitHub."""
    httpx_mock.add_exception(httpx.ConnectError("refused"), is_reusable=True)
    with pytest.raises(UpstreamError, match="GitHub could not be reached"):
        await make_source(client, tmp_path).fetch(cutoff=NOW)
