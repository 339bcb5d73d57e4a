"""Config errors say what is expected, in the config's words (issue 13, item 4)."""

from pathlib import Path

import pytest

from sprintsync.cli import main
from sprintsync.config import load_settings
from sprintsync.errors import ConfigError

MINIMAL = """\
timezone: Europe/Berlin
teams:
  - name: platform
    source: {type: jira, url: "https://acme.atlassian.net", board: 42}
    publish: [{type: file, path: out/platform.md}]
"""


def write(tmp_path: Path, text: str) -> Path:
    """Write `text` as the config file."""
    path = tmp_path / "sprintsync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    """The ConfigError text loading `path` gives."""
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value)


def test_a_typo_gets_did_you_mean_and_the_keys_allowed_there(tmp_path):
    """An unknown key names the closest allowed key and every key of that mapping."""
    path = write(tmp_path, MINIMAL.replace("board: 42", "board: 42, count_subtask: true"))
    message = error_of(path)
    assert message.startswith(
        f"{path}: teams[0].source.count_subtask: unknown key; did you mean 'count_subtasks'? "
        "(keys allowed here: "
    )
    assert "board, count_subtasks, deployment" in message
    assert "example.yaml" not in message


def test_a_typo_in_a_sink_looks_at_that_sink_type(tmp_path):
    """The keys offered are those of the destination's own type."""
    path = write(tmp_path, MINIMAL.replace("path: out/platform.md", "pth: out/platform.md"))
    assert (
        f"{path}: teams[0].publish[0].pth: unknown key; did you mean 'path'? "
        "(keys allowed here: path, type)"
    ) in error_of(path).splitlines()


def test_a_top_level_typo_without_a_close_key_lists_the_keys(tmp_path):
    """No close match: no guess, only the keys allowed."""
    path = write(tmp_path, MINIMAL + "zzz: 1\n")
    assert error_of(path) == (
        f"{path}: zzz: unknown key "
        "(keys allowed here: concurrent_teams, http, index, report, state, teams, templates, "
        "timezone)"
    )


def test_teams_not_a_list_says_a_list_of_teams(tmp_path):
    """The "a valid tuple" of pydantic becomes what the key holds."""
    path = write(tmp_path, "teams: {name: platform}\n")
    message = error_of(path)
    assert message.startswith(f"{path}: teams: expected a list of teams")
    assert "tuple" not in message


def test_a_repo_without_owner_says_owner_name(tmp_path):
    """A regular expression is not quoted: the expected shape is."""
    sink = "{type: github_comment, repo: web, issue: 7}"
    path = write(tmp_path, MINIMAL.replace("{type: file, path: out/platform.md}", sink))
    assert error_of(path) == (
        f"{path}: teams[0].publish[0].repo: expected owner/name, such as acme/web (got 'web')"
    )


def test_a_team_name_with_a_space_says_what_a_name_is(tmp_path):
    """The team-name pattern is described in words."""
    path = write(tmp_path, MINIMAL.replace("name: platform", "name: my team"))
    message = error_of(path)
    assert "teams[0].name: expected a name of letters, digits" in message
    assert "^[" not in message


def test_a_bad_environment_override_names_the_variable_not_the_file(tmp_path, monkeypatch, capsys):
    """SPRINTSYNC_HTTP__BUDGET_SECONDS=abc is blamed on the variable, exit 2, one line."""
    monkeypatch.setenv("SPRINTSYNC_HTTP__BUDGET_SECONDS", "abc")
    path = write(tmp_path, MINIMAL)
    assert main(["check", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "sprintsync: error: SPRINTSYNC_HTTP__BUDGET_SECONDS (environment override of "
        "http.budget_seconds): expected a number (got 'abc')"
    )
    assert str(path) not in err


def test_a_bad_timezone_override_names_the_variable(tmp_path, monkeypatch):
    """SPRINTSYNC_TIMEZONE with an unknown zone names the variable."""
    monkeypatch.setenv("SPRINTSYNC_TIMEZONE", "Mars/Base")
    message = error_of(write(tmp_path, MINIMAL))
    assert message.startswith("SPRINTSYNC_TIMEZONE (environment override of timezone): timezone:")


JIRA_SOURCE = '{type: jira, url: "https://acme.atlassian.net", board: 42}'


@pytest.mark.parametrize(
    ("blocked", "expected"),
    [
        ("{field: Status}", "field and option go together"),
        ("{option: Blocked}", "field and option go together"),
        ("{}", "expected a label, or a field and an option (or both)"),
    ],
)
def test_a_half_blocked_marker_names_the_key(tmp_path, capsys, blocked, expected):
    """`source.blocked` needs a label and/or a field with its option: else exit 2, keyed."""
    source = f"{{type: github, owner: acme, project: 5, blocked: {blocked}}}"
    path = write(tmp_path, MINIMAL.replace(JIRA_SOURCE, source))
    message = error_of(path)
    assert message.startswith(f"{path}: teams[0].source.blocked: ")
    assert expected in message
    assert main(["check", "--config", str(path)]) == 2
    assert expected in capsys.readouterr().err


def test_a_blocked_label_and_option_load(tmp_path):
    """A label, and a field with its option, are both kept."""
    source = (
        "{type: github, owner: acme, project: 5, "
        "blocked: {label: blocked, field: Blocked, option: 'Yes'}}"
    )
    blocked = load_settings(write(tmp_path, MINIMAL.replace(JIRA_SOURCE, source)))
    marker = blocked.settings.teams[0].source.blocked
    assert (marker.label, marker.field, marker.option) == ("blocked", "Blocked", "Yes")
