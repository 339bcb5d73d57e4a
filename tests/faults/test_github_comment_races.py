"""Concurrent runs and late creates on one GitHub comment: one comment set, the loser says so."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest

from fakes.server import FakeRequest, FakeResponse
from faults.catalogue import READ_TIMEOUT_HTTP
from faults.harness import clean_environment, run_args, write_config
from faults.injector import FaultyHandler, Handler, Injection
from faults.worlds import GitHubCommentWorld
from sprintsync.cli import main

WAIT = 30  # seconds a held request waits at most: a hang fails the test, never blocks it


def all_list_before_any_posts(runs: int) -> Callable[[Handler], Handler]:
    """A wrap() whose POSTs wait until `runs` POSTs arrived: every run listed an empty issue."""
    barrier = threading.Barrier(runs, timeout=WAIT)

    def wrap(handler: Handler) -> Handler:
        def barred(request: FakeRequest) -> FakeResponse:
            if request.method == "POST":
                barrier.wait()
            return handler(request)

        return barred

    return wrap


def run_in_threads(configs: list[Path]) -> list[int]:
    """`sprintsync run` once per config, all at the same time; their exit codes."""
    codes: list[int] = [-1] * len(configs)

    def one(index: int) -> None:
        codes[index] = main(run_args(configs[index]))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(configs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT * 2)
    return codes


@pytest.mark.parametrize("runs", [2, 5])
def test_overlapping_runs_without_a_shared_lock_converge_on_one_comment(
    runs, tmp_path, monkeypatch, capsys
):
    """N runs with their own state folders all post at once; each then keeps the oldest."""
    world = GitHubCommentWorld()
    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, all_list_before_any_posts(runs))
        configs = [write_config(world, tmp_path / f"runner{n}") for n in range(runs)]
        capsys.readouterr()
        codes = run_in_threads(configs)
        err = capsys.readouterr().err
        comments = world.github.comments
    assert codes == [0] * runs, err
    assert len(world.github.bodies("acme/web", 42)) == 1
    assert [c["id"] for c in comments] == [1_001]  # the first comment created is kept
    assert "github_comment.duplicates_removed" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("runs", [2, 5])
def test_overlapping_runs_sharing_a_state_folder_leave_one_comment(
    runs, tmp_path, monkeypatch, capsys
):
    """While one run holds the team's lock, the N-1 others exit 1 saying who holds it."""
    world = GitHubCommentWorld()
    release, faulty = threading.Event(), []
    held = Injection(response=FakeResponse(), method="GET", hold=release)

    def wrap(handler: Handler) -> Handler:
        faulty.append(FaultyHandler(handler, held))
        return faulty[-1]

    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, wrap)
        config = write_config(world, tmp_path)
        first: list[int] = []
        runner = threading.Thread(target=lambda: first.append(main(run_args(config))))
        runner.start()
        try:
            assert faulty[0].arrived.wait(timeout=WAIT), "the first run never reached GitHub"
            capsys.readouterr()
            losers = run_in_threads([config] * (runs - 1))
            err = capsys.readouterr().err
        finally:
            release.set()
            runner.join(timeout=WAIT)
    assert first == [0]
    assert losers == [1] * (runs - 1)
    lines = [x for x in err.splitlines() if x.startswith("sprintsync:")]
    assert len(lines) == runs - 1
    assert all("another sprintsync run for team abc holds " in line for line in lines)
    assert len(world.github.bodies("acme/web", 42)) == 1


def test_a_create_that_lands_after_the_timeout_is_adopted_not_duplicated(
    tmp_path, monkeypatch, capsys
):
    """The first POST times out and lands only while the retry is sent: one comment, exit 0."""
    world = GitHubCommentWorld()
    retried, landed = threading.Event(), threading.Event()
    posts: list[int] = []

    def wrap(handler: Handler) -> Handler:
        def late(request: FakeRequest) -> FakeResponse:
            if request.method != "POST":
                return handler(request)
            posts.append(len(posts))
            if len(posts) == 1:  # held past the client's read timeout, then applied
                retried.wait(timeout=WAIT)
                handler(request)
                landed.set()
                return FakeResponse(drop_connection=True)
            retried.set()
            landed.wait(timeout=WAIT)
            return handler(request)

        return late

    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, wrap)
        config = write_config(world, tmp_path, http=READ_TIMEOUT_HTTP)
        capsys.readouterr()
        code = main(run_args(config))
        err = capsys.readouterr().err
        comments = list(world.github.comments)
    assert code == 0, err
    assert len(posts) == 2
    assert len(comments) == 1
    assert "github_comment.duplicates_removed" in err
