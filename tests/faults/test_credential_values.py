import pytest

from faults.harness import run_world
from faults.worlds import ConfluenceWorld, GitHubCommentWorld, JiraWorld

BAD_VALUES = [
    pytest.param("api-tökén-123", id="non_ascii"),
    pytest.param("api-token-123\n", id="trailing_newline"),
    pytest.param(" api-token-123", id="leading_space"),
    pytest.param("api-token\t123", id="tab_inside"),
]
CASES = [
    pytest.param((JiraWorld, "SPRINTSYNC_JIRA_TOKEN"), id="jira"),
    pytest.param((GitHubCommentWorld, "SPRINTSYNC_GITHUB_TOKEN"), id="github"),
    pytest.param((ConfluenceWorld, "SPRINTSYNC_CONFLUENCE_TOKEN"), id="confluence"),
]


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("case", CASES)
def test_a_malformed_token_is_a_config_error_naming_the_variable(
    case, value, tmp_path, monkeypatch, capsys
):
    """Item 18: non-ASCII or whitespace in a token is exit 2 naming it, the value never shown."""
    make_world, variable = case
    world = make_world()
    world.env = {**world.env, variable: value}
    before = world.destination(tmp_path)
    outcome = run_world(world, tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert outcome.code == 2, outcome.stderr
    [line] = outcome.error_lines()
    assert variable in line
    assert value.strip() not in outcome.stderr
    assert world.destination(tmp_path) == before
