"""The multi-team index file end to end: one row per team, failures included."""

from pathlib import Path

import pytest

from fakes.jira_sample import sample_jira
from jira_helpers import run, write_teams

NOW = "2026-11-20T12:00:00+00:00"


@pytest.fixture
def credentials(monkeypatch):
    """Jira Cloud credentials the fake accepts."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")


def with_index(config: Path) -> Path:
    """The config with `index: {path: out/index.md}` and Markdown reports beside the JSON."""
    text = config.read_text(encoding="utf-8").replace(
        "      - {type: file, path: out/a.json}",
        "      - {type: file, path: out/a.json}\n      - {type: file, path: out/a.md}",
    )
    config.write_text("index: {path: out/index.md}\n" + text, encoding="utf-8")
    return config


def test_index_has_a_row_per_team_and_a_failed_one(credentials, tmp_path):
    """Team a (sample sprint 42: 23.1 %, ABC-4 flagged) links its .md; team b failed on board 99."""
    fake = sample_jira()
    with fake.running() as server:
        config = with_index(
            write_teams(tmp_path, server.url, [("a", 7, "active"), ("b", 99, "active")])
        )
        run(config, "--now", NOW)
    lines = (tmp_path / "out/index.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Sprint Reports (November 20, 2026)"
    assert lines[2] == "| Team | Sprint | Complete | Blockers | Report |"
    assert lines[4] == "| a | ABC Sprint 42 | 23.1% | 1 | [report](a.md) |"
    assert lines[5].startswith("| b | failed: ")
    assert len(lines) == 6


def test_a_dry_run_writes_no_index(credentials, tmp_path):
    """--dry-run previews the teams and writes no index file."""
    fake = sample_jira()
    with fake.running() as server:
        config = with_index(write_teams(tmp_path, server.url, [("a", 7, "active")]))
        assert run(config, "--dry-run", "--now", NOW) == 0
    assert not (tmp_path / "out/index.md").exists()


def test_an_index_that_is_not_markdown_is_a_config_error(tmp_path, capsys):
    """`index.path` must name a .md file: exit 2 naming the key, before any request."""
    config = tmp_path / "sprintsync.yaml"
    config.write_text(
        "index: {path: out/index.json}\nteams:\n  - name: a\n"
        "    source: {type: jira, url: 'https://acme.atlassian.net', board: 7}\n",
        encoding="utf-8",
    )
    assert run(config) == 2
    assert "index.path" in capsys.readouterr().err
