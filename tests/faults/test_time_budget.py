import time

import pytest

from fakes.server import FakeRequest, FakeResponse
from faults.harness import run_world
from faults.injector import Injection
from faults.worlds import ConfluenceWorld, JiraWorld

BUDGET = 1.0  # seconds for the whole run
SLACK = 1.5  # the fakes' own start and stop, the report's rendering
CASES = [  # (world, seconds the server takes over every answer)
    pytest.param((JiraWorld, 0.3), id="jira_source"),
    pytest.param((ConfluenceWorld, 0.6), id="confluence_sink"),
]


def slowly(seconds: float):
    """Every answer right, but only after `seconds` (each shorter than the request timeout)."""

    def answer(_request: FakeRequest, response: FakeResponse) -> FakeResponse:
        time.sleep(seconds)  # the fault itself: a slow server, not a test waiting
        return response

    return answer


@pytest.mark.parametrize("case", CASES)
def test_a_server_slow_on_every_request_ends_in_exit_3_within_the_budget(
    case, tmp_path, monkeypatch, capsys
):
    """Issue 14 time budget: no request starts past it, none waits beyond it; nothing written."""
    make_world, seconds = case
    world = make_world()
    before = world.destination(tmp_path)
    injection = Injection(response=FakeResponse(), times=None, transform=slowly(seconds))
    started = time.monotonic()
    outcome = run_world(
        world,
        tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=injection,
        http={"budget_seconds": BUDGET, "timeout_seconds": 5},
    )
    elapsed = time.monotonic() - started
    assert outcome.code == 3, outcome.stderr
    assert len(outcome.error_lines()) == 1
    assert elapsed < BUDGET + SLACK
    assert world.destination(tmp_path) == before
