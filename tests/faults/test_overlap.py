import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

from fakes.server import FakeResponse
from faults.harness import clean_environment, run_args, run_world, write_config
from faults.injector import FaultyHandler, Handler, Injection
from faults.worlds import GitHubCommentWorld, GitHubProjectsWorld
from sprintsync.cli import main

SRC = Path(__file__).resolve().parents[2] / "src"


def holding(injection: Injection, faulty: list[FaultyHandler]):
    """A wrap() that puts `injection` around the service and keeps the handler to watch."""

    def wrap(handler: Handler) -> Handler:
        faulty.append(FaultyHandler(handler, injection))
        return faulty[-1]

    return wrap


def test_overlapping_runs_publish_once(tmp_path, monkeypatch, capsys):
    """A second run while the first holds the team's lock exits non-zero; one comment results."""
    world = GitHubCommentWorld()
    release, faulty = threading.Event(), []
    held = Injection(response=FakeResponse(), method="GET", hold=release)
    codes: dict[str, int] = {}
    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, holding(held, faulty))
        config = write_config(world, tmp_path)
        first = threading.Thread(target=lambda: codes.setdefault("first", main(run_args(config))))
        first.start()
        try:
            assert faulty[0].arrived.wait(timeout=20), "the first run never reached GitHub"
            capsys.readouterr()
            codes["second"] = main(run_args(config))
            second_err = capsys.readouterr().err
        finally:
            release.set()
            first.join(timeout=30)
        comments = world.destination(tmp_path)
    assert codes == {"first": 0, "second": 1}
    [line] = [x for x in second_err.splitlines() if x.startswith("sprintsync:")]
    assert line.startswith("sprintsync: error: another sprintsync run for team abc holds ")
    assert len(comments) == 1


def test_a_run_killed_half_way_leaves_state_usable(tmp_path, monkeypatch, capsys):
    """SIGKILL mid-run: the lock is free, the state store intact, the next run is right."""
    expected = run_world(
        GitHubProjectsWorld(),
        tmp_path / "clean",
        monkeypatch=monkeypatch,
        capsys=capsys,
    ).destination
    world = GitHubProjectsWorld()
    release, faulty = threading.Event(), []
    held = Injection(response=FakeResponse(), after=1, hold=release)
    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, holding(held, faulty))
        config = write_config(world, tmp_path)
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        command = [sys.executable, "-m", "sprintsync", *run_args(config)]
        killed = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            assert faulty[0].arrived.wait(timeout=30), "the run never reached its second query"
            killed.send_signal(signal.SIGKILL)
            assert killed.wait(timeout=30) == -signal.SIGKILL
        finally:
            release.set()
        capsys.readouterr()
        code = main(run_args(config))
        assert code == 0, capsys.readouterr().err
        published = world.destination(tmp_path)
    assert published is not None
    assert published == expected
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
