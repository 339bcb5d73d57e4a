"""SIGKILL at any request of a run, then a rerun: exactly the destination a clean run leaves.

The kill points are every request of a run, counted across the tracker and the destination
(a global request number is the seed): killed while Jira is being read, while the page or
comment is looked up, and while a write is in flight. A held request is answered after the
kill, so a write the killed run sent is applied with no one left to read the answer.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from fakes.server import FakeRequest, FakeResponse
from faults.harness import World, clean_environment, run_args, run_world, write_config
from faults.injector import Handler
from faults.worlds import ConfluenceWorld, GitHubCommentWorld, confluence_dc

SRC = Path(__file__).resolve().parents[2] / "src"
WORLDS: dict[str, Callable[[], World]] = {
    "confluence-cloud": lambda: ConfluenceWorld(fault_jira_too=True),
    "confluence-dc": lambda: _with_jira(confluence_dc()),
    "github-comment": lambda: GitHubCommentWorld(fault_jira_too=True),
}
# A run makes 16-17 requests (Jira first, the destination last): early, middle and every late
# request number, 10 a destination, 30 kill points in all.
KILL_POINTS = (1, 4, 8, 11, 12, 13, 14, 15, 16, 17)
CASES = [(name, kill_at) for name in sorted(WORLDS) for kill_at in KILL_POINTS]


def _with_jira(world: ConfluenceWorld) -> ConfluenceWorld:
    world.fault_jira_too = True
    return world


@dataclass
class KillSwitch:
    """Counts requests across every service; the `kill_at`-th waits until `release` is set."""

    kill_at: int
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, handler: Handler) -> Handler:
        """`handler` behind the switch (both services share one count)."""

        def switched(request: FakeRequest) -> FakeResponse:
            with self._lock:
                self.seen += 1
                picked = self.seen == self.kill_at
            if picked:
                self.arrived.set()
                self.release.wait(timeout=30)
            return handler(request)

        return switched


@pytest.fixture(scope="module")
def clean_destinations(tmp_path_factory):
    """What an undisturbed run leaves at each destination."""
    expected = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, make in WORLDS.items():
            outcome = run_world(
                make(), tmp_path_factory.mktemp(name), monkeypatch=monkeypatch, capsys=_NoCapture()
            )
            assert outcome.code == 0
            expected[name] = outcome.destination
    return expected


class _NoCapture:
    """A stand-in for capsys in a module fixture: the run's output is not checked there."""

    def readouterr(self) -> SimpleNamespace:
        """Nothing captured."""
        return SimpleNamespace(out="", err="")


@pytest.mark.parametrize("case", CASES, ids=[f"{name}-{at}" for name, at in CASES])
def test_a_rerun_after_sigkill_leaves_exactly_the_clean_result(
    case, tmp_path, monkeypatch, capsys, clean_destinations
):
    """Killed at request `kill_at`, rerun: one page or comment set, the right content."""
    from sprintsync.cli import main  # noqa: PLC0415 - the rerun is in-process

    world_name, kill_at = case
    world = WORLDS[world_name]()
    switch = KillSwitch(kill_at=kill_at)
    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, switch.wrap)
        config = write_config(world, tmp_path)
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        command = [sys.executable, "-m", "sprintsync", *run_args(config)]
        run = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            killed = _kill_when_held(run, switch)
        finally:
            switch.release.set()
        capsys.readouterr()
        code = main(run_args(config))
        err = capsys.readouterr().err
        published = world.destination(tmp_path)
    assert code == 0, err
    assert published == clean_destinations[world_name], f"killed={killed}"


def _kill_when_held(run: subprocess.Popen[bytes], switch: KillSwitch) -> bool:
    """SIGKILL the run once its `kill_at`-th request is held; False if it finished first."""
    deadline = time.monotonic() + 60
    while not switch.arrived.wait(timeout=0.05):
        if run.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the run neither finished nor reached the request"
    run.send_signal(signal.SIGKILL)
    assert run.wait(timeout=30) == -signal.SIGKILL
    return True
