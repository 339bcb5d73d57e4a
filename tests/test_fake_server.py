import httpx

from fakes.server import FakeRequest, FakeResponse, serve


def test_fake_server_answers_on_loopback_and_records_requests():
    """The shared fake server serves a handler on 127.0.0.1 and keeps every request."""

    def handler(request: FakeRequest) -> FakeResponse:
        return FakeResponse(body={"path": request.path, "q": request.arg("q")})

    with serve(handler) as server:
        assert server.url.startswith("http://127.0.0.1:")
        answer = httpx.get(f"{server.url}/x?q=1").json()
    assert answer == {"path": "/x", "q": "1"}
    assert [r.path for r in server.requests] == ["/x"]
