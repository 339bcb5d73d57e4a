import ssl
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from fakes.server import FakeRequest, FakeResponse, serve
from sprintsync.errors import ConfigError
from sprintsync.http import RetryingTransport, RetryPolicy, RunBudget, build_client
from sprintsync.preflight import check_url

CONFIG = Path("/etc/sprintsync/config.yaml")


def budget() -> RunBudget:
    """A zero-wait budget."""
    return RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))


@pytest.fixture
def no_proxy_env(monkeypatch):
    """No proxy variables from the developer's shell."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def test_build_client_verifies_tls_certificates_and_host_names(no_proxy_env):
    """The real transport keeps certificate and host-name verification on."""
    async with build_client(service="Jira", base_url="https://x.test", budget=budget()) as client:
        retrying = client._transport
        assert isinstance(retrying, RetryingTransport)
        context = retrying._inner._pool._ssl_context  # type: ignore[attr-defined]
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True
        assert client.trust_env is True


async def test_proxy_variables_are_honoured(monkeypatch, no_proxy_env):
    """HTTP_PROXY routes requests through the proxy, as httpx's trust_env default would."""

    def proxy(request: FakeRequest) -> FakeResponse:
        return FakeResponse(body={"via": "proxy", "host": request.headers.get("host")})

    with serve(proxy) as server:
        monkeypatch.setenv("HTTP_PROXY", server.url)
        async with build_client(
            service="Jira", base_url="http://sprintsync.invalid", budget=budget()
        ) as client:
            answer = (await client.get("/rest/api/3/myself")).json()
    assert answer == {"via": "proxy", "host": "sprintsync.invalid"}
    assert [r.path for r in server.requests] == ["/rest/api/3/myself"]


async def test_no_proxy_bypasses_the_proxy(monkeypatch, no_proxy_env):
    """A host listed in NO_PROXY is reached directly even with HTTP_PROXY set."""
    with serve(lambda _r: FakeResponse(body={"direct": True})) as server:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # discard port: nothing listens
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with build_client(service="Jira", base_url=server.url, budget=budget()) as client:
            answer = (await client.get("/ping")).json()
    assert answer == {"direct": True}


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.atlassian.net",
        "http://127.0.0.1:8080",
        "http://localhost:3000/wiki",
        "http://[::1]:8000",
    ],
)
def test_https_or_loopback_urls_are_accepted(url):
    """HTTPS anywhere, and plain http to loopback, pass the check."""
    check_url(url, key="teams[0].source.url", config_path=CONFIG, allow_insecure=False)


@pytest.mark.parametrize(
    "url", ["http://jira.example.com", "ftp://jira.example.com", "jira.example.com", "https://"]
)
def test_plain_http_to_a_remote_host_is_refused_with_the_key(url):
    """Anything but https to a real host is a ConfigError naming the file, key and URL."""
    with pytest.raises(ConfigError) as caught:
        check_url(url, key="teams[0].source.url", config_path=CONFIG, allow_insecure=False)
    message = str(caught.value)
    assert message.startswith(f"{CONFIG}: teams[0].source.url: expected an https:// URL")
    assert repr(url) in message


def test_insecure_opt_out_is_allowed_and_logged():
    """http.allow_insecure_http lets plain http through, with a warning naming key and host."""
    with capture_logs() as events:
        check_url(
            "http://jira.intranet",
            key="teams[1].source.url",
            config_path=CONFIG,
            allow_insecure=True,
        )
    assert events == [
        {
            "event": "http.insecure_opt_out",
            "log_level": "warning",
            "key": "teams[1].source.url",
            "host": "jira.intranet",
        }
    ]
