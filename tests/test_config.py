from pathlib import Path

import pytest

from sprintsync.config import load_secrets, load_settings
from sprintsync.errors import ConfigError

EXAMPLE = Path(__file__).parents[1] / "config" / "example.yaml"

MINIMAL = """\
timezone: Europe/Berlin
teams:
  - name: platform
    source: {type: jira, url: "https://acme.atlassian.net", board: 42}
    publish: [{type: file, path: out/platform.md}]
"""


def write(tmp_path: Path, text: str) -> Path:
    """Write `text` as a YAML file in `tmp_path`."""
    path = tmp_path / "sprintsync.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid():
    """The commented example config in config/ loads as it is."""
    loaded = load_settings(EXAMPLE)
    team = loaded.settings.teams[0]
    assert team.name == "platform"
    assert team.source.type == "jira"
    assert loaded.resolve(team.plan or "").exists()


def test_defaults_and_relative_paths(tmp_path):
    """Unset keys take documented defaults; relative paths resolve against the config's folder."""
    loaded = load_settings(write(tmp_path, MINIMAL))
    source = loaded.settings.teams[0].source
    assert source.sprint == "active"
    assert source.count_subtasks is False
    assert loaded.resolve("out/x.md") == tmp_path / "out/x.md"
    assert loaded.state_path() == tmp_path / ".sprintsync/state.db"


def test_unknown_key_names_file_and_key(tmp_path):
    """A typo in a key fails loudly with the file and the full key path."""
    path = write(tmp_path, MINIMAL.replace("board: 42", "board: 42, count_subtask: true"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(
        f"{path}: teams[0].source.count_subtask: unknown key; did you mean 'count_subtasks'?"
    )
    assert caught.value.exit_code == 2


def test_wrong_type_names_value_and_expectation(tmp_path):
    """A value of the wrong type names the key, what was expected and what was given."""
    path = write(tmp_path, MINIMAL.replace("board: 42", "board: forty-two"))
    with pytest.raises(ConfigError, match=r"teams\[0\]\.source\.board: .*integer.*'forty-two'"):
        load_settings(path)


def test_bad_timezone_and_bad_extension(tmp_path):
    """An unknown IANA zone and a report file with an unknown extension are config errors."""
    with pytest.raises(ConfigError, match="timezone: expected an IANA time zone"):
        load_settings(write(tmp_path, MINIMAL.replace("Europe/Berlin", "Mars/Olympus")))
    with pytest.raises(ConfigError, match=r"publish\[0\]\.path: .*\.md, \.json, \.xhtml or \.svg"):
        load_settings(write(tmp_path, MINIMAL.replace("platform.md", "platform.txt")))


def test_yaml_syntax_error_names_the_line(tmp_path):
    """Broken YAML is reported with the file and the line."""
    with pytest.raises(ConfigError, match=r"not valid YAML at line 4"):
        load_settings(write(tmp_path, "timezone: UTC\nteams:\n  - name: [x\n"))


def test_missing_file_is_a_config_error(tmp_path):
    """A config path that does not exist is exit 2 with the path."""
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path / "nope.yaml")
    assert str(raised.value) == (
        f"{tmp_path / 'nope.yaml'}: config file not found; `sprintsync init` writes a commented "
        "config and a plan skeleton for the current sprint"
    )


def test_environment_overrides_a_top_level_key(tmp_path, monkeypatch):
    """SPRINTSYNC_<KEY> in the environment wins over the YAML file."""
    monkeypatch.setenv("SPRINTSYNC_TIMEZONE", "UTC")
    monkeypatch.setenv("SPRINTSYNC_HTTP__MAX_ATTEMPTS", "2")
    settings = load_settings(write(tmp_path, MINIMAL)).settings
    assert settings.timezone == "UTC"
    assert settings.http.max_attempts == 2


def test_secrets_only_from_environment(monkeypatch):
    """Tokens come from the environment as secrets that do not print; GITHUB_TOKEN is a fallback."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "jira-secret-value")
    monkeypatch.delenv("SPRINTSYNC_GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_fallbackvalue")
    secrets = load_secrets()
    assert "jira-secret-value" not in repr(secrets)
    assert secrets.github_token is not None
    assert secrets.github_token.get_secret_value() == "ghp_fallbackvalue"
    assert "jira-secret-value" in secrets.values()


def test_state_path_from_the_environment(tmp_path, monkeypatch):
    """SPRINTSYNC_STATE__PATH (set in the container image) moves the snapshot store."""
    monkeypatch.setenv("SPRINTSYNC_STATE__PATH", "/state/state.db")
    assert load_settings(write(tmp_path, MINIMAL)).state_path() == Path("/state/state.db")
