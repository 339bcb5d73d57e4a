"""Errors that point the right way: wrong roots, missing /wiki, unreachable hosts (issue 13)."""

import socket

import pytest

from fakes.confluence import FakeConfluence
from fakes.jira_sample import sample_jira
from jira_helpers import run, write_config
from sprintsync.cli import main

NOW = "2026-11-20T12:00:00+00:00"
CONFLUENCE = """\
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: checkout
    source: {{type: jira, deployment: cloud, url: "{jira}", board: 7}}
    publish: [{{type: confluence, url: "{wiki}", space: ENG, deployment: cloud}}]
"""


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    """Jira and Confluence Cloud credentials the fakes accept."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_EMAIL", "bot@acme.test")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_TOKEN", "cloud-token")


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The single `sprintsync: error:` line on stderr."""
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("sprintsync: ")]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_wrong_jira_url_says_not_a_jira_root_not_check_credentials(tmp_path, capsys):
    """A 404 under a wrong base URL names the URL and never blames the credentials (exit 3)."""
    with sample_jira().running() as server:
        wrong = f"{server.url}/sites/acme"
        assert run(write_config(tmp_path, wrong), "--now", NOW) == 3
    line = one_error_line(capsys)
    assert f"{wrong} does not look like a Jira root; expected the site root" in line
    assert "check SPRINTSYNC" not in line
    assert "credentials" not in line


def test_confluence_cloud_without_wiki_says_so(tmp_path, capsys):
    """Confluence Cloud given without /wiki: "set url: .../wiki", not "space not found"."""
    fake = FakeConfluence(flavor="cloud")
    with sample_jira().running() as jira, fake.running() as (_, wiki):
        root = wiki.removesuffix("/wiki")
        config = tmp_path / "sprintsync.yaml"
        config.write_text(CONFLUENCE.format(jira=jira.url, wiki=root), encoding="utf-8")
        assert main(["run", "--config", str(config), "--now", NOW]) == 3
    line = one_error_line(capsys)
    assert f"Confluence Cloud lives under /wiki: set url: {root}/wiki" in line
    assert "not found" not in line


def test_a_refused_connection_names_host_and_port(tmp_path, capsys):
    """Nothing listening: the error names the host and the port tried (exit 3)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_config(tmp_path, f"http://127.0.0.1:{port}")
    text = config.read_text(encoding="utf-8").replace("max_wait", "max_attempts: 1, max_wait")
    config.write_text(text, encoding="utf-8")
    assert run(config, "--now", NOW) == 3
    assert f"could not be reached at 127.0.0.1:{port} for" in one_error_line(capsys)
