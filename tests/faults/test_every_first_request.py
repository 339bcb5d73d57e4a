import pytest

from faults.catalogue import atlassian_429, github_secondary_429
from faults.harness import run_world
from faults.injector import Injection
from faults.worlds import ConfluenceWorld, GitHubCommentWorld


@pytest.mark.parametrize(
    "case",
    [
        # one comment; the seeded page plus exactly one new version
        (GitHubCommentWorld, lambda w: len(w.github.bodies("acme/web", 42)), 1),
        (ConfluenceWorld, lambda w: len(w.confluence.only_page().versions), 2),
    ],
    ids=["jira-to-github-comment", "jira-to-confluence"],
)
@pytest.mark.parametrize("answer", [atlassian_429, github_secondary_429], ids=["jira", "github"])
def test_every_first_request_rate_limited_still_publishes_once(
    case, answer, tmp_path, monkeypatch, capsys
):
    """Every endpoint of source and sink answers 429 Retry-After: 1 first: one right report."""
    make_world, count, expected_count = case
    clean = run_world(make_world(), tmp_path / "clean", monkeypatch=monkeypatch, capsys=capsys)
    world = make_world()
    world.fault_jira_too = True
    limited = answer()
    limited.headers["Retry-After"] = "1"
    outcome = run_world(
        world,
        tmp_path / "limited",
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=Injection(response=limited, first_per_endpoint=True),
    )
    assert outcome.code == 0, outcome.stderr
    assert outcome.injected >= 8  # every Jira endpoint and every sink endpoint, once each
    assert outcome.destination == clean.destination
    assert count(world) == expected_count
