"""`sprintsync check` catches what is knowable offline (issue 13, item 2)."""

import pytest

from sprintsync.cli import main

CONFIG = """\
teams:
  - name: checkout
    plan: plan.yaml
    source: {{type: jira, url: "{url}", board: 7, sprint: {sprint}}}
    publish: [{{type: file, path: out/checkout.md}}]
"""
PLAN = "sprint: {sprint}\nitems: []\n"


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    """Jira Cloud credentials, so only the checked problem fails."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")


def check(
    tmp_path, capsys, *, url="https://acme.atlassian.net", sprint="active", plan="5", extra=""
):
    """`sprintsync check` on a one-team config; the exit code and the stderr lines."""
    (tmp_path / "plan.yaml").write_text(PLAN.format(sprint=plan), encoding="utf-8")
    config = tmp_path / "sprintsync.yaml"
    config.write_text(CONFIG.format(url=url, sprint=sprint) + extra, encoding="utf-8")
    code = main(["check", "--config", str(config)])
    return code, capsys.readouterr().err.strip()


def test_a_board_url_pasted_as_url_names_the_site_root_and_board(tmp_path, capsys):
    """`.../jira/software/projects/ABC/boards/12` → use the site root and board: 12."""
    url = "https://acme.atlassian.net/jira/software/projects/ABC/boards/12"
    code, err = check(tmp_path, capsys, url=url)
    assert code == 2
    assert err.endswith(
        f"teams[0].source.url: {url!r} is a page of the Jira site, not its root; "
        "use the site root https://acme.atlassian.net and board: 12"
    )


def test_duplicate_team_names_are_refused(tmp_path, capsys):
    """Two teams with one name share a lock and a report: exit 2 naming the name."""
    second = (
        "  - name: checkout\n"
        "    source: {type: jira, url: 'https://acme.atlassian.net', board: 8}\n"
    )
    code, err = check(tmp_path, capsys, extra=second)
    assert code == 2
    assert "teams: team names must be unique (repeated: checkout)" in err


def test_a_plan_for_another_named_sprint_can_never_match(tmp_path, capsys):
    """Two ids (or two names) that differ can never match: exit 2 naming both."""
    code, err = check(tmp_path, capsys, sprint="42", plan="41")
    assert code == 2
    assert "the plan is for sprint '41', but team 'checkout' reads sprint '42'" in err


def test_a_plan_naming_the_sprint_by_name_against_an_id_passes_offline(tmp_path, capsys):
    """An id against a name needs Jira's answer: `check` lets it through (run checks it)."""
    code, _ = check(tmp_path, capsys, sprint="42", plan="'ABC Sprint 42'")
    assert code == 0


def test_missing_credentials_fail_check(tmp_path, capsys, monkeypatch):
    """`check` now checks the credentials too: exit 2 naming the variable."""
    monkeypatch.delenv("SPRINTSYNC_JIRA_TOKEN")
    code, err = check(tmp_path, capsys)
    assert code == 2
    assert "SPRINTSYNC_JIRA_TOKEN is not set; it is needed to reach Jira Cloud" in err
