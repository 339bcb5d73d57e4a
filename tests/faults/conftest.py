"""Fault tests collect garbage at teardown: a leaked socket fails the test that leaked it."""

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    yield
    gc.collect()  # an unclosed socket's ResourceWarning is raised here, not in a later test
