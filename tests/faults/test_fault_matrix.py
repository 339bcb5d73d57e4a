from collections.abc import Callable
from typing import Any

import pytest

from faults.catalogue import (
    confluence_faults,
    github_comment_faults,
    github_projects_faults,
    jira_dc_faults,
    jira_faults,
)
from faults.harness import Fault, World, run_world
from faults.worlds import (
    ConfluenceWorld,
    GitHubCommentWorld,
    GitHubProjectsWorld,
    JiraDataCenterWorld,
    JiraWorld,
    confluence_dc,
)

WORLDS: dict[str, tuple[Callable[[], World], Callable[[], list[Fault]]]] = {
    "jira": (JiraWorld, jira_faults),
    "jira_dc": (JiraDataCenterWorld, jira_dc_faults),
    "github_comment": (GitHubCommentWorld, github_comment_faults),
    "confluence_cloud": (ConfluenceWorld, lambda: confluence_faults("cloud")),
    "confluence_dc": (confluence_dc, lambda: confluence_faults("datacenter")),
    "github_projects": (GitHubProjectsWorld, github_projects_faults),
}
MATRIX = [
    pytest.param(service, fault, id=f"{service}-{fault.name}")
    for service, (_, faults) in WORLDS.items()
    for fault in faults()
]
_baselines: dict[str, Any] = {}


def baseline(service, tmp_path_factory, monkeypatch, capsys):
    """The destination after a run with no fault at all (computed once per service)."""
    if service not in _baselines:
        outcome = run_world(
            WORLDS[service][0](),
            tmp_path_factory.mktemp(f"{service}-baseline"),
            monkeypatch=monkeypatch,
            capsys=capsys,
        )
        assert outcome.code == 0, outcome.stderr
        assert outcome.destination is not None
        _baselines[service] = outcome.destination
    return _baselines[service]


@pytest.mark.parametrize(("service", "fault"), MATRIX)
def test_run_survives_or_reports_the_fault(service, fault, tmp_path, request):
    """Under each fault the run publishes the right report once, or exits 3 with one line."""
    monkeypatch = request.getfixturevalue("monkeypatch")
    capsys = request.getfixturevalue("capsys")
    expected = baseline(service, request.getfixturevalue("tmp_path_factory"), monkeypatch, capsys)
    world = WORLDS[service][0]()
    untouched = world.destination(tmp_path)
    outcome = run_world(
        world,
        tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=fault.injection,
        http=fault.http,
    )
    assert outcome.injected >= 1, "the fault was never injected"
    assert "Traceback" not in outcome.stderr
    if fault.succeeds:
        assert outcome.code == 0, outcome.stderr
        assert outcome.error_lines() == []
        assert outcome.destination == expected
    else:
        assert outcome.code == 3, outcome.stderr
        [line] = outcome.error_lines()
        assert line.startswith("sprintsync: error: ")
        for fragment in fault.error_says:
            assert fragment in line
        assert outcome.destination == untouched
