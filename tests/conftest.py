"""Shared fixtures: structlog defaults restored after each test (STYLE trap 5); --update-golden."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import settings

# Two profiles: "ci" is thorough (200 examples a property) and replays the same examples every
# run (a red CI must be reproducible); "dev", the local default, is fast (40 examples) and keeps
# exploring. `HYPOTHESIS_PROFILE=ci` locally runs the thorough one.
THOROUGH_EXAMPLES = 200
FAST_EXAMPLES = 40
settings.register_profile(
    "ci", derandomize=True, print_blob=True, max_examples=THOROUGH_EXAMPLES, deadline=None
)
settings.register_profile("dev", print_blob=True, max_examples=FAST_EXAMPLES, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection built, so the fault suite's per-test `gc.collect()` skips it.

    The leak check (an unclosed socket's ResourceWarning raised in the test that leaked it)
    stays the same; each collection then walks only what the test itself allocated.
    """
    gc.collect()
    gc.freeze()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register --update-golden: rewrite golden files instead of comparing with them."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files under tests/**/golden/ instead of comparing with them",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()
