import os
import tempfile

import pytest

from fakes.confluence import FakeConfluence
from fakes.github_graphql import FakeGitHub
from fakes.github_rest import FakeGitHubComments, serve_github
from fakes.jira_dc_sample import sample_jira_dc
from fakes.jira_sample import sample_jira
from fakes.server import serve
from github_helpers import board
from sprintsync.cli import main
from sprintsync.compose import doctor

JIRA_TOKEN, CONFLUENCE_TOKEN = "api-token-123", "cloud-token"
JIRA_CONFLUENCE = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: checkout
    source: {{type: jira, deployment: cloud, url: "{jira}", board: {board}}}
    publish:
      - type: confluence
        url: "{wiki}"
        space: {space}
        deployment: cloud
        {parent}
"""
GITHUB_COMMENT = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: shop
    source: {{type: github, owner: acme, project: 5, api_url: "{graphql}"}}
    publish:
      - {{type: github_comment, repo: acme/web, issue: 42, api_url: "{rest}"}}
"""
NOW = "2026-11-16T08:00:00+01:00"


@pytest.fixture
def atlassian(monkeypatch):
    """Jira and Confluence Cloud credentials the fakes accept."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", JIRA_TOKEN)
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_EMAIL", "bot@acme.test")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_TOKEN", CONFLUENCE_TOKEN)


def doctor_jira(tmp_path, capsys, *, board=7, space="ENG", parent=True, state=None):
    """`sprintsync doctor` over the sample Jira and a Confluence Cloud fake: (exit, lines)."""
    wiki_fake = FakeConfluence(flavor="cloud")
    home = wiki_fake.add_page("Sprint reports", "<p>index</p>")
    with sample_jira().running() as jira, wiki_fake.running() as (_, wiki):
        config = tmp_path / "sprintsync.yaml"
        text = JIRA_CONFLUENCE.format(
            jira=jira.url,
            wiki=wiki,
            board=board,
            space=space,
            parent=f"parent: '{home.id}'" if parent else "",
        )
        if state:
            text += f"state: {{path: {state}}}\n"
        config.write_text(text, encoding="utf-8")
        code = main(["doctor", "--config", str(config)])
        writes = [r for r in jira.requests if r.method != "GET"]
    assert not writes  # read only: Jira's reads here are all GETs
    assert all(p.versions[-1].number == 1 for p in wiki_fake.pages.values())
    captured = capsys.readouterr()
    assert JIRA_TOKEN not in captured.out + captured.err
    assert CONFLUENCE_TOKEN not in captured.out + captured.err
    return code, captured.out.splitlines()


def line_with(lines, text):
    """The one output line containing `text`."""
    found = [line for line in lines if text in line]
    assert len(found) == 1, (text, lines)
    return found[0]


def test_all_green_jira_cloud_to_confluence_cloud(atlassian, tmp_path, capsys):
    """Every check passes: host, myself, board, sprint, fields, space, parent, state; exit 0."""
    code, lines = doctor_jira(tmp_path, capsys)
    assert code == 0
    assert lines[0].startswith("✓ config ")
    assert line_with(lines, "Jira at http://127.0.0.1:").startswith("✓ ")
    assert "(/rest/api/3/myself: Sprint Bot)" in line_with(lines, "Jira credentials accepted")
    assert line_with(lines, "Jira board 7 found (project ABC)").startswith("✓ ")
    assert "'ABC Sprint 42' found (id 42, active)" in line_with(lines, "Jira sprint")
    assert "estimate customfield_10016" in line_with(lines, "Jira fields found")
    assert line_with(lines, "Confluence space ENG visible").startswith("✓ ")
    assert "'Sprint reports'" in line_with(lines, "Confluence parent page")
    assert "not checked: permission to create" in line_with(lines, "space ENG (no read-only")
    assert line_with(lines, "state folder").startswith("✓ ")
    assert not any(line.startswith("✗") for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sprintsync.yaml"]  # nothing left


def test_wrong_token_names_the_variable_and_exits_3(atlassian, monkeypatch, tmp_path, capsys):
    """A refused Jira token: ✗ naming SPRINTSYNC_JIRA_TOKEN, the secret never shown, exit 3."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "wrong-token-value")
    code, lines = doctor_jira(tmp_path, capsys)
    assert code == 3
    refused = line_with(lines, "Jira credentials refused")
    assert refused.startswith("✗ ")
    assert "— fix: " in refused
    assert "SPRINTSYNC_JIRA_TOKEN" in refused
    assert "wrong-token-value" not in "\n".join(lines)
    assert line_with(lines, "Jira at http://127.0.0.1:").startswith("✓ ")  # the host answered
    assert not any("Jira board" in line for line in lines)  # nothing more to learn from Jira


def test_unknown_board_exits_3(atlassian, tmp_path, capsys):
    """A board Jira does not know: ✗ with Jira's 404 and what to fix, exit 3."""
    code, lines = doctor_jira(tmp_path, capsys, board=99)
    assert code == 3
    failed = line_with(lines, "Jira board 99")
    assert failed.startswith("✗ ")
    assert "not found or not visible" in failed
    assert line_with(lines, "Jira credentials accepted").startswith("✓ ")


def test_missing_confluence_space_exits_3(atlassian, tmp_path, capsys):
    """A space key the credentials cannot see: ✗ naming the key, exit 3."""
    code, lines = doctor_jira(tmp_path, capsys, space="NOPE", parent=False)
    assert code == 3
    failed = line_with(lines, "Confluence space NOPE")
    assert failed.startswith("✗ ")
    assert "'NOPE' was not found or is not visible" in failed
    assert line_with(lines, "Jira sprint").startswith("✓ ")


def test_unwritable_state_folder_exits_2(atlassian, monkeypatch, tmp_path, capsys):
    """A state folder where no file can be created: ✗ naming the folder and state.path, exit 2."""
    state = tmp_path / "state"
    state.mkdir()
    real = tempfile.mkstemp

    def refuse(*args, **kwargs):
        if kwargs.get("dir") == state:
            raise PermissionError(13, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(doctor.tempfile, "mkstemp", refuse)
    code, lines = doctor_jira(tmp_path, capsys, state=state / "state.db")
    assert code == 2
    failed = line_with(lines, "state folder")
    assert failed.startswith(f"✗ state folder {state} writable — fix: ")
    assert "Permission denied" in failed
    assert "state.path" in failed


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_state_folder_exits_2(atlassian, tmp_path, capsys):
    """A read-only (0500) state folder fails the create-and-remove probe, exit 2."""
    state = tmp_path / "state"
    state.mkdir(mode=0o500)
    try:
        code, lines = doctor_jira(tmp_path, capsys, state=state / "state.db")
    finally:
        state.chmod(0o700)
    assert code == 2
    assert line_with(lines, "state folder").startswith("✗ ")


def test_offline_problem_is_one_config_line_and_no_request(monkeypatch, tmp_path, capsys):
    """What `check` refuses (a missing credential) is the first ✗ line, exit 2, no request."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.delenv("SPRINTSYNC_JIRA_TOKEN", raising=False)
    with sample_jira().running() as jira:
        config = tmp_path / "sprintsync.yaml"
        text = JIRA_CONFLUENCE.format(
            jira=jira.url, wiki="https://acme.atlassian.net/wiki", board=7, space="ENG", parent=""
        )
        config.write_text(text, encoding="utf-8")
        assert main(["doctor", "--config", str(config)]) == 2
        assert not jira.requests
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].startswith(f"✗ config {config} — fix: ")
    assert "SPRINTSYNC_JIRA_TOKEN" in out[0]


def test_github_projects_to_comment(monkeypatch, tmp_path, capsys):
    """Project, iteration, an installation token's 403 on GET /user (fine) and the issue."""
    monkeypatch.setenv("SPRINTSYNC_GITHUB_PROJECTS_TOKEN", "ghp_fake_valid")
    monkeypatch.setenv("SPRINTSYNC_GITHUB_TOKEN", "ghs_fake_token")
    comments = FakeGitHubComments()
    comments.add_issue("acme/web", 42)
    projects = FakeGitHub(board())
    with serve(projects.handle) as graphql, serve_github(comments) as rest:
        config = tmp_path / "sprintsync.yaml"
        text = GITHUB_COMMENT.format(graphql=graphql.url, rest=rest.url)
        config.write_text(text, encoding="utf-8")
        code = main(["doctor", "--config", str(config), "--now", NOW])
        writes = [r for r in rest.requests if r.method != "GET"]
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert code == 0, lines
    assert not writes
    assert line_with(lines, "GitHub project acme/5 found").startswith("✓ ")
    assert line_with(lines, "iteration").startswith("✓ ")
    assert "an installation token" in line_with(lines, "GitHub token accepted")
    assert line_with(lines, "GitHub issue acme/web#42 found").startswith("✓ ")
    assert "not checked: permission to write comments" in line_with(lines, "comments on acme")
    assert "ghs_fake_token" not in captured.out + captured.err
    assert "ghp_fake_valid" not in captured.out + captured.err


def test_github_issue_that_does_not_exist_exits_3(monkeypatch, tmp_path, capsys):
    """Listing the comments of a missing issue answers 404: ✗ naming the issue, exit 3."""
    monkeypatch.setenv("SPRINTSYNC_GITHUB_PROJECTS_TOKEN", "ghp_fake_valid")
    monkeypatch.setenv("SPRINTSYNC_GITHUB_TOKEN", "ghs_fake_token")
    projects = FakeGitHub(board())
    with serve(projects.handle) as graphql, serve_github(FakeGitHubComments()) as rest:
        config = tmp_path / "sprintsync.yaml"
        config.write_text(GITHUB_COMMENT.format(graphql=graphql.url, rest=rest.url), "utf-8")
        code = main(["doctor", "--config", str(config), "--now", NOW])
    lines = capsys.readouterr().out.splitlines()
    assert code == 3
    assert line_with(lines, "GitHub issue acme/web#42").startswith("✗ ")


def test_check_lines_render_and_the_worst_exit_wins():
    """✓ / ✗ … — fix: … / a not-checked line as it is; the exit code is the worst failure's."""
    good = doctor.Check(what="Jira reachable")
    bad = doctor.Check(what="board 9", ok=False, fix="set board", exit_code=3)
    config = doctor.Check(what="state", ok=False, fix="chmod", exit_code=2)
    skipped = doctor.Check(what="not checked: create", ok=None)
    assert good.render() == "✓ Jira reachable"
    assert bad.render() == "✗ board 9 — fix: set board"
    assert skipped.render() == "- not checked: create"
    assert doctor.worst_exit([good, skipped]) == 0
    assert doctor.worst_exit([good, config, bad]) == 3


def test_data_center_jira_and_confluence(monkeypatch, tmp_path, capsys):
    """Data Center: `/rest/api/2/myself` with the PAT, the space through the v1 page search."""
    for name in ("SPRINTSYNC_JIRA_EMAIL", "SPRINTSYNC_JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPRINTSYNC_JIRA_PAT", "dc-pat-123")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_PAT", "dc-pat")
    wiki_fake = FakeConfluence(flavor="datacenter")
    with sample_jira_dc().running() as jira, wiki_fake.running() as (_, wiki):
        config = tmp_path / "sprintsync.yaml"
        text = JIRA_CONFLUENCE.format(jira=jira.url, wiki=wiki, board=7, space="NOPE", parent="")
        text = text.replace("deployment: cloud", "deployment: datacenter")
        config.write_text(text, encoding="utf-8")
        code = main(["doctor", "--config", str(config)])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert code == 3, lines
    assert "/rest/api/2/myself" in line_with(lines, "Jira credentials accepted")
    assert line_with(lines, "Jira sprint").startswith("✓ ")
    assert "'NOPE' was not found" in line_with(lines, "Confluence space NOPE")
    assert "dc-pat" not in captured.out + captured.err


def test_a_blocked_option_the_project_lacks_is_a_config_failure(monkeypatch, tmp_path, capsys):
    """`doctor` reads the fields: an unknown source.blocked.option is a ✗ line, exit 2."""
    monkeypatch.setenv("SPRINTSYNC_GITHUB_PROJECTS_TOKEN", "ghp_fake_valid")
    monkeypatch.setenv("SPRINTSYNC_GITHUB_TOKEN", "ghs_fake_token")
    comments = FakeGitHubComments()
    comments.add_issue("acme/web", 42)
    projects = FakeGitHub(board())
    with serve(projects.handle) as graphql, serve_github(comments) as rest:
        config = tmp_path / "sprintsync.yaml"
        text = GITHUB_COMMENT.format(graphql=graphql.url, rest=rest.url).replace(
            "project: 5,", "project: 5, blocked: {field: Status, option: Blocked},"
        )
        config.write_text(text, encoding="utf-8")
        code = main(["doctor", "--config", str(config), "--now", NOW])
    lines = capsys.readouterr().out.splitlines()
    assert code == 2, lines
    line = line_with(lines, "source.blocked.option")
    assert line.startswith("✗ ")
    assert "the field 'Status' has no option 'Blocked'" in line
