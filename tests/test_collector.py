"""A sprintsync process keeps the young collections and drops the automatic full ones."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from sprintsync.cli import main
from sprintsync.collector import NO_FULL_COLLECTION, keep_young_collections_only


@pytest.fixture
def restored_threshold() -> Iterator[tuple[int, int, int]]:
    """The test process's setting, put back afterwards."""
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_only_the_full_collections_are_dropped(restored_threshold: tuple[int, int, int]) -> None:
    """The young thresholds stay; a full collection never comes by itself."""
    keep_young_collections_only()
    young, middle, full = gc.get_threshold()
    assert (young, middle) == restored_threshold[:2]
    assert full == NO_FULL_COLLECTION


def test_a_caller_passing_argv_keeps_its_own_setting(
    restored_threshold: tuple[int, int, int],
) -> None:
    """`main([...])` from a test or a program leaves the caller's collector alone."""
    assert main(["--version"]) == 0
    assert gc.get_threshold() == restored_threshold


def test_the_process_command_line_sets_it() -> None:
    """`python -m sprintsync` (argv None) runs with the batch setting."""
    code = (
        "import gc, sys; sys.argv = ['sprintsync', '--version']\n"
        "from sprintsync.cli import main\n"
        "main(); print(gc.get_threshold()[2])"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-1] == str(NO_FULL_COLLECTION)
