"""Concurrent runs on one Confluence page (issue 14): one page, one new version, no loser fails."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest

from fakes.server import FakeRequest, FakeResponse
from faults.harness import clean_environment, run_args, write_config
from faults.injector import Handler
from faults.worlds import PAGE_TITLE, ConfluenceWorld
from sprintsync.cli import main

WAIT = 30  # seconds a held request waits at most: a hang fails the test, never blocks it
CASES = [(flavor, runs) for flavor in ("cloud", "datacenter") for runs in (2, 5)]


def writes_wait_for_each_other(runs: int, method: str) -> Callable[[Handler], Handler]:
    """A wrap() holding every `method` until `runs` of them arrived: all runs read first.

    Then the fake answers them one at a time, as Confluence applies writes atomically (its
    title check and its version check are not two steps another write can slip between).
    """
    barrier = threading.Barrier(runs, timeout=WAIT)
    one_at_a_time = threading.Lock()

    def wrap(handler: Handler) -> Handler:
        def held(request: FakeRequest) -> FakeResponse:
            if request.method == method:
                barrier.wait()
            with one_at_a_time:
                return handler(request)

        return held

    return wrap


def run_at_once(world: ConfluenceWorld, tmp_path: Path, runs: int, method: str, monkeypatch):
    """N `sprintsync run`s with their own state folders (no shared lock), all at once."""
    codes: list[int] = [-1] * runs
    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, writes_wait_for_each_other(runs, method))
        configs = [write_config(world, tmp_path / f"runner{n}") for n in range(runs)]

        def one(index: int) -> None:
            codes[index] = main(run_args(configs[index]))

        threads = [threading.Thread(target=one, args=(n,)) for n in range(runs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=WAIT * 2)
    return codes


@pytest.mark.parametrize(("flavor", "runs"), CASES)
def test_first_runs_at_once_create_one_page(flavor, runs, tmp_path, monkeypatch, capsys):
    """N first runs at once: one page, one version, every run exits 0.

    Confluence refuses the title N-1 times; the losers find the winner's page, see the same
    report and add no version.
    """
    world = ConfluenceWorld(flavor=flavor)
    assert world.confluence is not None
    world.confluence.pages.clear()
    codes = run_at_once(world, tmp_path, runs, "POST", monkeypatch)
    err = capsys.readouterr().err
    assert codes == [0] * runs, err
    [(title, versions)] = world.destination(tmp_path)
    assert title == PAGE_TITLE
    assert len(versions) == 1
    assert "ABC Sprint 42" in versions[0]
    assert "Traceback" not in err


@pytest.mark.parametrize(("flavor", "runs"), CASES)
def test_updates_at_once_add_one_version(flavor, runs, tmp_path, monkeypatch, capsys):
    """N updates at once: one new version, every run exits 0.

    Every run read version 1 and PUTs version 2: N-1 get a real 409, read the page again, find
    today's report already there and stop.
    """
    world = ConfluenceWorld(flavor=flavor)
    codes = run_at_once(world, tmp_path, runs, "PUT", monkeypatch)
    err = capsys.readouterr().err
    assert codes == [0] * runs, err
    [(_title, versions)] = world.destination(tmp_path)
    assert len(versions) == 2
    assert versions[0] == "<p>Yesterday's report</p>"
    assert "ABC Sprint 42" in versions[1]
    assert "Traceback" not in err
