"""Scoped tokens: `api_url` (the api.atlassian.com gateway) takes the requests, the site the links.

API-NOTES: a scoped token reaches Cloud only through `https://api.atlassian.com/ex/jira/{cloudId}`
and `…/ex/confluence/{cloudId}` (`/wiki` added). One local fake plays the gateway: it serves the
Jira and Confluence fakes under those two prefixes and answers 404 to anything else.
"""

import json
from contextlib import contextmanager
from dataclasses import replace

import pytest

from fakes.confluence import FakeConfluence
from fakes.jira_sample import sample_jira
from fakes.server import FakeRequest, FakeResponse, serve
from jira_helpers import run

SITE = "https://acme.atlassian.net"
JIRA_GATEWAY = "/ex/jira/11111111-2222-3333-4444-555555555555"
CONFLUENCE_GATEWAY = "/ex/confluence/11111111-2222-3333-4444-555555555555"
DAY_1, DAY_2 = "2026-11-19T18:00:00+01:00", "2026-11-20T18:00:00+01:00"
CONFIG = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: checkout
    source:
      type: jira
      url: {site}
      api_url: {gateway}{jira}
      board: 7
    publish:
      - {{type: file, path: out/checkout.md}}
      - type: confluence
        url: {site}/wiki
        api_url: {gateway}{confluence}
        space: ENG
"""


@pytest.fixture
def scoped_tokens(monkeypatch):
    """The email and (scoped) token pairs the fakes accept."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_EMAIL", "bot@acme.test")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_TOKEN", "cloud-token")


@contextmanager
def gateway(jira, confluence):
    """The gateway on 127.0.0.1: each product's fake under its `/ex/…/{cloudId}` prefix."""
    routes = {JIRA_GATEWAY: jira.handle, CONFLUENCE_GATEWAY: confluence.handle}

    def handle(request: FakeRequest) -> FakeResponse:
        for prefix, product in routes.items():
            if request.path.startswith(f"{prefix}/"):
                return product(replace(request, path=request.path.removeprefix(prefix)))
        return FakeResponse(404, {"message": f"no route for {request.path}"})

    with serve(handle) as server:
        yield server


def outcome_links(capsys) -> list[str]:
    """The links of the run's one `run.outcome` event."""
    events = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
    (outcome,) = [e for e in events if e["event"] == "run.outcome"]
    return outcome["links"]["checkout"]


def test_gateway_api_urls_take_every_request_and_links_name_the_site(
    scoped_tokens, tmp_path, capsys
):
    """Jira and Confluence through the gateway: no request elsewhere, every link on the site."""
    jira, confluence = sample_jira(), FakeConfluence(flavor="cloud")
    config = tmp_path / "sprintsync.yaml"
    with gateway(jira, confluence) as server:
        text = CONFIG.format(
            site=SITE, gateway=server.url, jira=JIRA_GATEWAY, confluence=CONFLUENCE_GATEWAY
        )
        config.write_text(text, encoding="utf-8")
        assert run(config, "--now", DAY_1) == 0
        created = outcome_links(capsys)
        assert run(config, "--now", DAY_2) == 0  # the update path: found by title, then PUT
        updated = outcome_links(capsys)
        assert run(config, "--now", DAY_2) == 0  # unchanged: the page as the listing found it
        unchanged = outcome_links(capsys)
    jira_calls = [r for r in server.requests if r.path.startswith(f"{JIRA_GATEWAY}/rest/")]
    wiki_calls = [r for r in server.requests if r.path.startswith(f"{CONFLUENCE_GATEWAY}/wiki/")]
    assert jira_calls
    assert wiki_calls
    assert len(jira_calls) + len(wiki_calls) == len(server.requests)  # nothing off the gateway
    assert [v.number for v in confluence.only_page().versions] == [1, 2]
    page = f"{SITE}/wiki/spaces/ENG/pages/{confluence.only_page().id}"
    assert page in created
    assert page in updated
    assert page in unchanged
    markdown = (tmp_path / "out/checkout.md").read_text(encoding="utf-8")
    assert f"]({SITE}/browse/ABC-" in markdown
    assert server.url not in markdown
    assert not any(server.url in link for link in created + updated + unchanged)
