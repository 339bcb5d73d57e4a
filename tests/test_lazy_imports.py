"""What `sprintsync run` imports before its first request: only what every run needs.

Start-up is most of what a run costs beyond the API's floor (benchmarks/README.md): each of
our modules costs about 2 ms to import. The adapters of a kind no team uses, the renderers
and the optional sections' code load when they are used, never at start.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LOADED_ON_USE = (
    "jinja2",
    "sprintsync.report.markdown",
    "sprintsync.report.storage",
    "sprintsync.sinks.confluence",
    "sprintsync.sinks.github.comment",
    "sprintsync.sources.github",
    "sprintsync.audit",
    "sprintsync.compose.audit",
    "sprintsync.compose.velocity",
    "sprintsync.compose.index",
)


def modules_after(statement: str) -> set[str]:
    """The modules a fresh interpreter holds after `statement`."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


@pytest.fixture(scope="module")
def at_start() -> set[str]:
    """What the CLI and the run's composition root import."""
    return modules_after("import sprintsync.cli, sprintsync.compose.run")


@pytest.mark.parametrize("module", LOADED_ON_USE)
def test_the_run_command_does_not_import_at_start(module: str, at_start: set[str]) -> None:
    """Each of these, and its submodules, stays unloaded."""
    assert not {m for m in at_start if m == module or m.startswith(module + ".")}


def test_the_lazy_names_still_resolve() -> None:
    """The packages that load on first use still give their names."""
    loaded = modules_after(
        "from sprintsync.sinks.github import GitHubCommentSink, github_headers, report_to_actions"
    )
    assert "sprintsync.sinks.github.comment" in loaded
    assert "sprintsync.sinks.github.actions" in loaded
