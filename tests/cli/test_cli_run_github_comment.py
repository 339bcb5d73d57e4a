from pathlib import Path

import pytest

from fakes.github_rest import FakeGitHubComments, serve_github
from fakes.jira_sample import sample_jira
from sprintsync.cli import main

CONFIG = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: checkout
    source: {{type: jira, deployment: cloud, url: "{jira}", board: 7}}
    publish:
      - {{type: github_comment, repo: acme/web, issue: 42, mode: {mode}, api_url: "{github}"}}
"""
DAYS = ["2026-11-19T07:00:00+01:00", "2026-11-19T18:00:00+01:00", "2026-11-20T07:00:00+01:00"]


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Credentials for the fakes, and GitHub Actions files to write outputs into."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    monkeypatch.setenv("SPRINTSYNC_GITHUB_TOKEN", "ghs_fake_token")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    return tmp_path


@pytest.mark.parametrize(("mode", "comments"), [("update", 1), ("daily", 2)])
def test_three_runs_on_two_days(env, mode, comments):
    """Three runs on two days: one comment in update mode, two in per-day mode."""
    github = FakeGitHubComments()
    github.add_issue("acme/web", 42)
    with sample_jira().running() as jira, serve_github(github) as gh:
        config = env / "sprintsync.yaml"
        config.write_text(CONFIG.format(jira=jira.url, github=gh.url, mode=mode), "utf-8")
        for now in DAYS:
            assert main(["run", "--config", str(config), "--now", now]) == 0
        bodies = github.bodies("acme/web", 42)
        writes = [r for r in gh.requests if r.method in {"POST", "PATCH", "DELETE"}]
    assert len(bodies) == comments
    assert all("<!-- sprintsync:report team=checkout sprint=42" in body for body in bodies)
    assert "- **Completed**: 3/13 points (23.1%)" in bodies[-1]
    assert len(writes) <= 4  # a run whose report did not change wrote nothing
    outputs = Path(env / "output").read_text(encoding="utf-8")
    assert "percent-complete=23.1" in outputs
    assert "report-url=" in outputs
    assert "ABC Sprint 42" in Path(env / "summary.md").read_text(encoding="utf-8")


def test_hostile_title_notifies_no_one(env):
    """A tracker title `@octocat | <b>x</b> #1` reaches the comment as inert text."""
    github = FakeGitHubComments()
    github.add_issue("acme/web", 42)
    fake_jira = sample_jira()
    fake_jira.issues[0].fields["summary"] = "@octocat | <b>x</b> #1"
    with fake_jira.running() as jira, serve_github(github) as gh:
        config = env / "sprintsync.yaml"
        config.write_text(CONFIG.format(jira=jira.url, github=gh.url, mode="update"), "utf-8")
        assert main(["run", "--config", str(config), "--now", DAYS[-1]]) == 0
    body = github.bodies("acme/web", 42)[0]
    assert "@\u200boctocat \\| \\<b\\>x\\</b\\> \\#\u200b1" in body  # shown, inert
    assert "@octocat" not in body
    assert "<b>" not in body
    assert " #1" not in body
