"""Concurrent runs and late creates on one GitHub comment: one comment set, the loser says so."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from fakes.github_rest import BOT, account
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


class PersonalTokenWorld(GitHubCommentWorld):
    """The comment sink run with a PAT of alice's, `author: alice` in the team's config."""

    def team(self, tmp_path: Path) -> dict[str, Any]:
        """Board 7, one sticky comment on acme/web#42, written by alice."""
        team = super().team(tmp_path)
        team["publish"][0]["author"] = "alice"
        return team


def test_the_configured_author_is_whose_comment_is_edited(tmp_path, monkeypatch, capsys):
    """`author: alice`: alice's earlier comment is edited; a bot's copy is left alone."""
    world = PersonalTokenWorld()
    world.github.author = account("alice")
    marker = "<!-- sprintsync:report team=abc sprint=42 part=1 -->\n"
    copy = world.github.seed("acme/web", 42, marker + "a bot's copy\n", author=BOT)
    earlier = world.github.seed("acme/web", 42, marker + "yesterday\n")
    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, lambda handler: handler)
        code = main(run_args(write_config(world, tmp_path)))
        err = capsys.readouterr().err
    assert code == 0, err
    assert [c["id"] for c in world.github.comments] == [copy["id"], earlier["id"]]
    assert world.github.comments[0]["body"] == marker + "a bot's copy\n"
    assert "# ABC Sprint 42" in world.github.comments[1]["body"]
    assert "github_comment.foreign_marker_ignored" in err
