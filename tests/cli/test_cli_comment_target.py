"""The comment target defaults to the GitHub Actions run's own pull request or issue."""

import json
import re

import pytest

from fakes.github_rest import FakeGitHubComments, serve_github
from fakes.jira_sample import sample_jira
from sprintsync.cli import main
from sprintsync.compose.target import comment_target
from sprintsync.config import GitHubCommentSinkConfig
from sprintsync.errors import ConfigError

CONFIG = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: checkout
    source: {{type: jira, deployment: cloud, url: "{jira}", board: 7}}
    publish:
      - {{type: file, path: out/checkout.md}}
      - {{type: github_comment, api_url: "{github}"{extra}}}
"""
NOW = "2026-11-20T07:00:00+01:00"
KEY = "teams[0].publish[1]"
KEY_RE = re.escape(KEY)


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Credentials for the fakes; no GitHub Actions variables unless a test sets them."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    monkeypatch.setenv("SPRINTSYNC_GITHUB_TOKEN", "ghs_fake_token")
    for name in ("GITHUB_ACTIONS", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def on_actions(monkeypatch, tmp_path, event, *, repo="acme/web", name="pull_request"):
    """The variables of an Actions run whose event payload is `event` (written to tmp_path)."""
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), "utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", repo)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
    monkeypatch.setenv("GITHUB_EVENT_NAME", name)
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))


def run(env, extra=""):
    """One run against the fakes; the exit code and the fake GitHub."""
    github = FakeGitHubComments()
    github.add_issue("acme/web", 42)
    with sample_jira().running() as jira, serve_github(github) as gh:
        config = env / "sprintsync.yaml"
        config.write_text(CONFIG.format(jira=jira.url, github=gh.url, extra=extra), "utf-8")
        code = main(["run", "--config", str(config), "--now", NOW])
    return code, github


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ({"action": "opened", "number": 42, "pull_request": {"number": 42}}, "pull_request"),
        ({"action": "created", "issue": {"number": 42}, "comment": {"id": 1}}, "issue_comment"),
    ],
)
def test_repo_and_issue_come_from_the_event(env, monkeypatch, event, name):
    """Without repo and issue, the comment goes to the run's repository and its PR or issue."""
    on_actions(monkeypatch, env, event, name=name)
    code, github = run(env)
    assert code == 0
    assert len(github.bodies("acme/web", 42)) == 1


def test_configured_repo_and_issue_win_over_the_event(env, monkeypatch):
    """A configured target is used as it is, whatever the event says."""
    on_actions(monkeypatch, env, {"pull_request": {"number": 7}}, repo="acme/other")
    code, github = run(env, ", repo: acme/web, issue: 42")
    assert code == 0
    assert len(github.bodies("acme/web", 42)) == 1


def test_outside_actions_the_missing_issue_is_exit_2_naming_the_key(env, capsys):
    """Off GitHub Actions, a missing repo is a config error naming teams[i].publish[j].repo."""
    code, github = run(env)
    assert code == 2
    err = capsys.readouterr().err
    assert f"{KEY}.repo is not set and this is not a GitHub Actions run" in err
    assert github.comments == []


def test_a_scheduled_run_without_an_issue_is_exit_2_naming_the_key(env, monkeypatch, capsys):
    """A schedule event has no pull request or issue: the error names the key to set."""
    on_actions(monkeypatch, env, {"schedule": "0 6 * * 1-5"}, name="schedule")
    code, _ = run(env)
    assert code == 2
    err = capsys.readouterr().err
    assert f"{KEY}.issue is not set and the schedule event has no pull_request.number" in err
    assert f"set {KEY}.issue" in err


def target(env=None, **config):
    """`comment_target` for a sink with `config`, in the environment `env`."""
    sink = GitHubCommentSinkConfig(type="github_comment", **config)
    return comment_target(sink, key=KEY, env=env or {}, where="cfg.yaml: team 'a'")


def test_an_issue_alone_takes_the_runs_repository():
    """`issue` set, `repo` not: the repository is GITHUB_REPOSITORY (no event file read)."""
    assert target({"GITHUB_REPOSITORY": "acme/web"}, issue=5) == ("acme/web", 5)


def test_a_repo_other_than_the_runs_needs_its_issue(tmp_path):
    """The event's number belongs to the run's repository: another repo must name its issue."""
    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"number": 3}}', "utf-8")
    env = {"GITHUB_REPOSITORY": "acme/web", "GITHUB_EVENT_PATH": str(event)}
    assert target(env, repo="ACME/web") == ("ACME/web", 3)
    with pytest.raises(ConfigError, match=rf"{KEY_RE}.repo is 'acme/other', not this run's"):
        target(env, repo="acme/other")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, r"cannot be read \(No such file or directory\)"),
        ("{not json", r"cannot be read \(not JSON\)"),
        ("[1]", "is not a JSON object"),
        ('{"pull_request": {"number": true}}', "has no pull_request.number or issue.number"),
        ('{"issue": {"number": "4"}}', "has no pull_request.number or issue.number"),
    ],
)
def test_an_unusable_event_file_is_a_config_error(tmp_path, content, expected):
    """A missing, broken or number-less event file is a ConfigError naming the key."""
    event = tmp_path / "event.json"
    if content is not None:
        event.write_text(content, "utf-8")
    env = {"GITHUB_REPOSITORY": "acme/web", "GITHUB_EVENT_PATH": str(event)}
    with pytest.raises(ConfigError, match=expected) as raised:
        target(env)
    assert f"set {KEY}.issue" in str(raised.value)


def test_a_repository_variable_that_is_not_owner_name_is_refused():
    """GITHUB_REPOSITORY that is not owner/name is not used as a repository."""
    with pytest.raises(
        ConfigError, match=rf"GITHUB_REPOSITORY is 'nope', not owner/name: set {KEY_RE}.repo"
    ):
        target({"GITHUB_REPOSITORY": "nope"}, issue=1)


def test_no_event_path_names_the_issue_key():
    """A repository but no event file: the error says to set the issue."""
    with pytest.raises(ConfigError, match=rf"GITHUB_EVENT_PATH is not set\): set {KEY_RE}.issue"):
        target({"GITHUB_REPOSITORY": "acme/web"})


def test_hide_previous_minimises_yesterdays_comment_through_the_run(env, monkeypatch):
    """`mode: daily, hide_previous: true`: the second day's run hides the first day's comment."""
    on_actions(monkeypatch, env, {"pull_request": {"number": 42}})
    github = FakeGitHubComments()
    github.add_issue("acme/web", 42)
    extra = ", mode: daily, hide_previous: true"
    with sample_jira().running() as jira, serve_github(github) as gh:
        config = env / "sprintsync.yaml"
        config.write_text(CONFIG.format(jira=jira.url, github=gh.url, extra=extra), "utf-8")
        for now in ("2026-11-19T07:00:00+01:00", NOW):
            assert main(["run", "--config", str(config), "--now", now]) == 0
    first, second = github.comments
    assert github.minimized == {first["node_id"]: "OUTDATED"}
    assert "date=2026-11-20" in second["body"]
