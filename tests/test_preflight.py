"""Offline checks that `sprintsync check` makes before any request."""

from sprintsync.cli import main

GITHUB_TO_CONFLUENCE = """\
teams:
  - name: web
    source: {type: github, owner: acme, project: 5}
    publish:
      - type: confluence
        url: https://acme.atlassian.net/wiki
        space: ENG
        jira_server_id: 70d83bc8-0aff-3fa5-8121-5ae90121f5fc
"""


def test_jira_server_id_with_a_github_source_is_refused_by_check(tmp_path, capsys):
    """Jira macros for GitHub keys would be broken boxes on the page: exit 2 naming the key."""
    config = tmp_path / "sprintsync.yaml"
    config.write_text(GITHUB_TO_CONFLUENCE)
    assert main(["check", "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert f"{config}: teams[0].publish[0].jira_server_id: Jira issue macros need a Jira" in error
    assert error.count("\n") == 1


def test_jira_server_id_with_a_jira_source_passes_check(tmp_path, capsys, monkeypatch):
    """The same sink under a Jira source is a valid config."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    config = tmp_path / "sprintsync.yaml"
    jira = "source: {type: jira, url: 'https://acme.atlassian.net', board: 7}"
    config.write_text(
        GITHUB_TO_CONFLUENCE.replace("source: {type: github, owner: acme, project: 5}", jira)
    )
    assert main(["check", "--config", str(config)]) == 0
    assert "OK (1 team(s), 0 plan(s))" in capsys.readouterr().out
