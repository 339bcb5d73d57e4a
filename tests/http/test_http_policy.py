import asyncio
import random
import time
from email.utils import formatdate

import httpx
import pytest
from structlog.testing import capture_logs

from http_helpers import make_budget, make_client, sequence
from sprintsync.errors import UpstreamError
from sprintsync.http import IDEMPOTENT, RetryPolicy, RunBudget, gather_all, send_json

OK = httpx.Response(200, json={"ok": True})


def jira_429(**headers: str) -> httpx.Response:
    """Jira's burst-limit answer (API-NOTES §A.8)."""
    return httpx.Response(
        429,
        headers={"RateLimit-Reason": "jira-burst-based", **headers},
        json={"errorMessages": ["Rate limit exceeded."], "errors": {}},
    )


async def get(client: httpx.AsyncClient, path: str = "/rest/api/3/myself", **kwargs: object):
    """GET `path` through send_json as service Jira."""
    return await send_json(client, "GET", path, service="Jira", what="reading", **kwargs)


async def test_429_waits_retry_after_seconds_then_succeeds():
    """A 429 with Retry-After: 7 is retried once after exactly 7 seconds."""
    budget, slept = make_budget()
    handler, seen = sequence(jira_429(**{"Retry-After": "7"}), OK)
    async with make_client(handler, budget=budget) as client:
        assert await get(client) == {"ok": True}
    assert len(seen) == 2
    assert slept.waits == [7.0]
    assert budget.retries == 1


async def test_retry_after_http_date_is_time_left():
    """Retry-After as an HTTP date waits until that moment."""
    budget, slept = make_budget()
    handler, _ = sequence(
        jira_429(**{"Retry-After": formatdate(time.time() + 30, usegmt=True)}), OK
    )
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert 27.0 <= slept.waits[0] <= 30.0


async def test_jira_reset_timestamp_without_retry_after():
    """A Jira 429 without Retry-After waits until its ISO X-RateLimit-Reset."""
    budget, slept = make_budget()
    reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 20))
    handler, _ = sequence(jira_429(**{"X-RateLimit-Reset": reset}), OK)
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert 17.0 <= slept.waits[0] <= 20.0


async def test_github_primary_limit_waits_until_epoch_reset():
    """GitHub 403 with x-ratelimit-remaining: 0 waits until x-ratelimit-reset (epoch)."""
    budget, slept = make_budget()
    exhausted = httpx.Response(
        403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 40)},
        json={"message": "API rate limit exceeded for user ID 1."},
    )
    handler, seen = sequence(exhausted, OK)
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert len(seen) == 2
    assert 37.0 <= slept.waits[0] <= 40.0


async def test_github_secondary_limit_retry_after_wins():
    """A secondary-limit 403 with retry-after waits that many seconds."""
    budget, slept = make_budget()
    body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    handler, _ = sequence(httpx.Response(403, headers={"retry-after": "12"}, json=body), OK)
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert slept.waits == [12.0]


async def test_github_secondary_limit_without_headers_waits_a_minute_then_doubles():
    """No retry-after and quota left: wait at least 60 s, then back off exponentially."""
    budget, slept = make_budget(max_wait_seconds=1000, budget_seconds=1000)
    body = {"message": "You have exceeded a secondary rate limit."}
    limited = httpx.Response(403, headers={"x-ratelimit-remaining": "4000"}, json=body)
    handler, seen = sequence(limited, limited, limited, OK)
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert len(seen) == 4
    assert slept.waits == [60.0, 120.0, 240.0]


async def test_github_secondary_429_without_headers_also_waits_a_minute():
    """GitHub may answer a secondary limit with 429; the one-minute rule still holds."""
    budget, slept = make_budget()
    body = {"message": "You have exceeded a secondary rate limit."}
    handler, _ = sequence(httpx.Response(429, json=body), OK)
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert slept.waits == [60.0]


async def test_secondary_limit_that_never_lifts_says_rate_limited():
    """A 403 rate limit that outlasts the retries is reported as a rate limit, not a permission."""
    budget, _ = make_budget(max_wait_seconds=0, max_attempts=2)
    body = {"message": "You have exceeded a secondary rate limit."}
    handler, _ = sequence(httpx.Response(403, headers={"retry-after": "1"}, json=body))
    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError) as caught:
            await get(client, hints={403: "the token needs read:project"})
    assert str(caught.value) == (
        "Jira answered 403 to reading: rate limited, and the retries or the run's time budget "
        "ran out (gave up after 2 attempts) "
        "(server said: You have exceeded a secondary rate limit.)"
    )


async def test_plain_403_is_not_retried_and_names_the_permission():
    """A 403 that is not a rate limit fails at once with the caller's hint."""
    budget, slept = make_budget()
    handler, seen = sequence(httpx.Response(403, json={"message": "Resource not accessible"}))
    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError) as caught:
            await get(client, hints={403: "the token needs issues: write"})
    assert len(seen) == 1
    assert slept.waits == []
    assert caught.value.status == 403
    assert "the token needs issues: write" in str(caught.value)
    assert "Resource not accessible" in str(caught.value)


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_get_is_retried_on_gateway_and_unavailable(status):
    """GETs are retried on 502, 503 and 504."""
    budget, _ = make_budget(max_wait_seconds=0)
    handler, seen = sequence(httpx.Response(status, text="busy"), OK)
    async with make_client(handler, budget=budget) as client:
        assert await get(client) == {"ok": True}
    assert len(seen) == 2


@pytest.mark.parametrize(("status", "calls"), [(429, 2), (503, 2), (502, 1), (504, 1)])
async def test_post_is_resent_only_when_the_server_did_not_act(status, calls):
    """A write is resent after 429/503 (not acted on) but not after 502/504 (may have acted)."""
    budget, _ = make_budget(max_wait_seconds=0)
    handler, seen = sequence(httpx.Response(status, text="x"), httpx.Response(201, json={}))
    async with make_client(handler, budget=budget) as client:
        response = await client.post("/wiki/api/v2/pages", json={"title": "t"})
    assert len(seen) == calls
    assert response.status_code == (201 if calls == 2 else status)


def failing_first(error: type[httpx.TransportError]):
    """A handler that raises `error` on the first request and answers 201 after."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            raise error("boom", request=request)
        return httpx.Response(201, json={"id": "1"})

    return handler, seen


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError])
async def test_post_is_never_resent_after_it_may_have_arrived(error):
    """A POST whose answer was lost is not repeated, and the error line says why."""
    budget, _ = make_budget(max_wait_seconds=0)
    handler, seen = failing_first(error)
    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError) as caught:
            await send_json(
                client, "POST", "/x", service="Confluence", what="creating page 'S5'", json={}
            )
    assert len(seen) == 1
    message = str(caught.value)
    assert "creating page 'S5'" in message
    assert "may have reached the server, so it was not repeated" in message
    assert "\n" not in message


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT"])
async def test_writes_are_resent_after_a_connect_error(method):
    """A connect error means the server never saw the write: it is sent again."""
    budget, _ = make_budget(max_wait_seconds=0)
    handler, seen = failing_first(httpx.ConnectError)
    async with make_client(handler, budget=budget) as client:
        response = await client.request(method, "/x", json={})
    assert response.status_code == 201
    assert len(seen) == 2


async def test_idempotent_post_and_get_are_resent_after_read_timeout():
    """A read-only POST marked IDEMPOTENT, and a GET, are resent after a read timeout."""
    budget, _ = make_budget(max_wait_seconds=0)
    handler, seen = failing_first(httpx.ReadTimeout)
    async with make_client(handler, budget=budget) as client:
        response = await client.post("/rest/api/3/search/jql", json={}, extensions=IDEMPOTENT)
        assert response.status_code == 201
        handler2, seen2 = failing_first(httpx.ReadTimeout)
    async with make_client(handler2, budget=budget) as client:
        assert (await client.get("/x")).status_code == 201
    assert (len(seen), len(seen2)) == (2, 2)


async def test_attempts_run_out_with_the_last_answer_and_one_clear_line():
    """After max_attempts 503s, send_json raises one line saying it gave up after N attempts."""
    budget, slept = make_budget(max_attempts=3, max_wait_seconds=0)
    handler, seen = sequence(
        httpx.Response(503, headers={"X-AREQUESTID": "req-42"}, text="<html>down</html>")
    )
    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError) as caught:
            await get(client)
    assert len(seen) == 3
    assert slept.waits == [0.0, 0.0]
    message = str(caught.value)
    assert caught.value.status == 503
    assert caught.value.request_id == "req-42"
    assert "gave up after 3 attempts" in message
    assert "Content-Type 'text/plain; charset=utf-8'" in message
    assert "'<html>down</html>'" in message
    assert "\n" not in message


async def test_budget_exhaustion_returns_last_429_and_names_the_budget():
    """When the next wait would overrun the run's budget, the last 429 stands."""
    budget, slept = make_budget(budget_seconds=10, max_attempts=10)
    handler, seen = sequence(jira_429(**{"Retry-After": "4"}))
    async with make_client(handler, budget=budget) as client:
        response = await client.get("/rest/api/3/myself")
        assert response.status_code == 429
        with pytest.raises(UpstreamError) as caught:
            await get(client)
    assert slept.waits == [4.0, 4.0]  # the third 4 s would pass 10 s; the second call waits none
    assert len(seen) == 4
    assert "time budget of 10 s" in str(caught.value)
    assert caught.value.status == 429


async def test_a_wait_longer_than_the_budget_is_not_taken_at_all():
    """A reset an hour away fails at once instead of sleeping a capped wait in vain."""
    budget, slept = make_budget(budget_seconds=300)
    handler, seen = sequence(jira_429(**{"Retry-After": "3600"}))
    async with make_client(handler, budget=budget) as client:
        assert (await client.get("/x")).status_code == 429
    assert len(seen) == 1
    assert slept.waits == []


async def test_budget_counts_wall_time_too():
    """A run whose clock is about to pass the budget makes no further waits."""
    budget, slept = make_budget(budget_seconds=300)
    budget.clock = lambda: 299.5  # started at 0.0
    handler, _ = sequence(jira_429(**{"Retry-After": "1"}), OK)
    async with make_client(handler, budget=budget) as client:
        assert (await client.get("/x")).status_code == 429
    assert slept.waits == []


async def test_no_request_starts_once_the_budget_is_spent():
    """Past the budget nothing is sent: a slow server cannot stretch the run (issue 14)."""
    budget, _slept = make_budget(budget_seconds=300)
    budget.clock = lambda: 500.0  # started at 0.0
    handler, seen = sequence(OK)
    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError, match="time budget of 300 s is spent"):
            await send_json(client, "GET", "/x", service="Jira", what="the sprint")
    assert seen == []


async def test_no_request_waits_longer_than_the_budget_left():
    """Each request's timeouts are cut to what is left of the run's budget."""
    budget, _slept = make_budget(budget_seconds=300)
    budget.clock = lambda: 298.0  # 2 s left; the policy's timeout is longer
    handler, seen = sequence(OK)
    async with make_client(handler, budget=budget) as client:
        await client.get("/x")
    assert seen[0].extensions["timeout"]["read"] == pytest.approx(2.0)


async def test_zero_policy_makes_every_wait_zero():
    """With max_wait_seconds: 0 a Retry-After of 1 s is waited as 0 s (tests never sleep)."""
    budget, slept = make_budget(max_wait_seconds=0, base_wait_seconds=0)
    handler, _ = sequence(jira_429(**{"Retry-After": "1"}), httpx.Response(503), OK)
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert slept.waits == [0.0, 0.0]


def test_backoff_is_exponential_with_bounded_jitter():
    """Backoff after attempt n lies in [base*2^(n-1), base*2^(n-1) + base]."""
    rng = random.Random(5)  # noqa: S311 - seeded jitter, not crypto
    budget = RunBudget(policy=RetryPolicy(base_wait_seconds=2), jitter=rng.uniform)
    for attempt in (1, 2, 3, 4):
        samples = [budget.backoff(attempt) for _ in range(200)]
        low = 2 * 2 ** (attempt - 1)
        assert all(low <= s <= low + 2 for s in samples)
        assert max(samples) - min(samples) > 1  # the jitter actually spreads the waits


async def test_backoff_without_server_hint_is_capped_by_max_wait():
    """Without Retry-After the wait is the backoff, never more than max_wait_seconds."""
    budget, slept = make_budget(base_wait_seconds=2, max_wait_seconds=5, max_attempts=5)
    handler, _ = sequence(httpx.Response(502), httpx.Response(502), httpx.Response(502), OK)
    async with make_client(handler, budget=budget) as client:
        await get(client)
    assert slept.waits == [
        4.0,
        5.0,
        5.0,
    ]  # jitter fixed at its upper bound: 2+2, 4+2 -> 5, 8+2 -> 5


async def test_retry_logs_reason_and_request_id_headers():
    """Each retry logs the status, RateLimit-Reason and the request id, never a header dump."""
    budget, _ = make_budget(max_wait_seconds=0)
    handler, _ = sequence(jira_429(**{"Retry-After": "1", "X-AREQUESTID": "a1"}), OK)
    with capture_logs() as events:
        async with make_client(handler, budget=budget) as client:
            await client.get("/rest/api/3/myself", headers={"Authorization": "Basic c2VjcmV0"})
    retry = next(e for e in events if e["event"] == "http.retry")
    assert retry["ratelimit_reason"] == "jira-burst-based"
    assert retry["x_arequestid"] == "a1"
    assert retry["status"] == 429
    assert retry["path"] == "/rest/api/3/myself"
    assert "c2VjcmV0" not in repr(events)


async def test_github_request_id_logged_when_giving_up():
    """The give-up event carries X-GitHub-Request-Id and the reason."""
    budget, _ = make_budget(max_wait_seconds=0, max_attempts=2)
    handler, _ = sequence(httpx.Response(503, headers={"X-GitHub-Request-Id": "GH:1"}))
    with capture_logs() as events:
        async with make_client(handler, budget=budget) as client:
            await client.get("/x")
    gave_up = next(e for e in events if e["event"] == "http.gave_up")
    assert gave_up["x_github_request_id"] == "GH:1"
    assert gave_up["reason"] == "gave up after 2 attempts"


async def test_in_flight_requests_per_host_are_bounded():
    """No more than max_in_flight_per_host requests to one host run at once; hosts are apart."""
    budget, _ = make_budget(max_in_flight_per_host=2)
    active: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        active[host] = active.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), active[host])
        for _ in range(5):
            await asyncio.sleep(0)  # yield to the other requests (no real time passes)
        active[host] -= 1
        return OK

    async with (
        make_client(handler, budget=budget, base_url="https://a.test") as a,
        make_client(handler, budget=budget, base_url="https://b.test") as b,
    ):
        await asyncio.gather(*[c.get("/x") for c in (a, b) for _ in range(8)])
    assert peak == {"a.test": 2, "b.test": 2}


async def test_concurrent_retries_keep_every_result():
    """Concurrent requests through one transport each get their own answer (STYLE trap 1)."""
    budget, _ = make_budget(max_wait_seconds=0, max_in_flight_per_host=32)
    tries: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        key = request.url.path
        tries[key] = tries.get(key, 0) + 1
        if tries[key] == 1:
            return jira_429(**{"Retry-After": "1"})
        return httpx.Response(200, json={"path": key})

    async with make_client(handler, budget=budget) as client:
        answers = await asyncio.gather(*[get(client, f"/n/{i}") for i in range(20)])
    assert answers == [{"path": f"/n/{i}"} for i in range(20)]
    assert budget.requests == 40


async def test_connect_errors_that_never_end_become_one_upstream_line():
    """Endless connect errors end as one UpstreamError naming the host and port tried."""
    budget, _ = make_budget(max_wait_seconds=0, max_attempts=3)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError) as caught:
            await get(client)
    assert budget.requests == 3
    assert str(caught.value) == (
        "Jira could not be reached at jira.test:443 for reading "
        "(ConnectError: [Errno 111] Connection refused)"
    )


async def test_gather_all_lets_every_request_finish_before_raising():
    """gather_all raises the first failure only after its siblings have finished."""
    finished: list[str] = []

    async def fails() -> None:
        raise UpstreamError("Jira answered 404 to the sprints of board 7", service="Jira")

    async def slow(name: str) -> str:
        for _ in range(5):
            await asyncio.sleep(0)
        finished.append(name)
        return name

    with pytest.raises(UpstreamError, match="board 7"):
        await gather_all(fails(), slow("config"), slow("fields"))
    assert finished == ["config", "fields"]
    assert await gather_all(slow("a"), slow("b")) == ["a", "b"]


async def test_removed_api_410_is_one_line_naming_the_removal():
    """A 410 (CHANGE-2046) is not retried and reads as an API the server no longer serves."""
    budget, _ = make_budget()
    gone = {
        "errorMessages": [
            "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
        ],
        "errors": {},
    }
    handler, seen = sequence(httpx.Response(410, json=gone, headers={"X-AREQUESTID": "r-9"}))
    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError) as caught:
            await get(client, "/rest/api/3/search")
    assert len(seen) == 1
    assert str(caught.value) == (
        "Jira answered 410 to reading: the server no longer serves this API (server said: The "
        "requested API has been removed. Please migrate to the /rest/api/3/search/jql API.) "
        "[request id r-9]"
    )


async def test_html_page_with_200_names_content_type_and_first_bytes():
    """A 200 HTML page where JSON was expected is one line with the type and the first bytes."""
    budget, _ = make_budget()
    page = "<html><body>Please sign in</body></html>"
    handler, _ = sequence(httpx.Response(200, text=page, headers={"Content-Type": "text/html"}))
    async with make_client(handler, budget=budget) as client:
        with pytest.raises(UpstreamError) as caught:
            await get(client)
    assert str(caught.value) == (
        "Jira answered reading with a body that is not JSON (status 200, Content-Type "
        "'text/html', starts with '<html><body>Please sign in</body></html>'); a proxy or "
        "login page may stand in front of the service"
    )
