"""Runs the CLI in-process against fakes on 127.0.0.1, one fault injected into one service."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml

from faults.injector import FaultyHandler, Handler, Injection
from sprintsync.cli import main

NOW = "2026-11-20T00:00:00+00:00"
ZERO_WAITS = {"max_wait_seconds": 0, "base_wait_seconds": 0}
SECRET_ENV = ("SPRINTSYNC_", "GITHUB_TOKEN")


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One fault and what the run must do under it."""

    name: str
    injection: Injection
    succeeds: bool
    error_says: tuple[str, ...] = ()  # fragments the one error line must contain
    http: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What one CLI run left behind."""

    code: int
    stdout: str
    stderr: str
    destination: Any
    injected: int

    def error_lines(self) -> list[str]:
        """The lines of stderr that are the CLI's error message (log lines are JSON)."""
        return [line for line in self.stderr.splitlines() if line.startswith("sprintsync:")]


class World(Protocol):
    """One service's fakes, wired into a team config."""

    env: dict[str, str]

    def start(self, stack: ExitStack, wrap: Callable[[Handler], Handler]) -> None:
        """Serve the fakes; `wrap` goes around the handler of the service under test."""

    def team(self, tmp_path: Path) -> dict[str, Any]:
        """The team's config entry."""

    def destination(self, tmp_path: Path) -> Any:
        """What the run published (file text, pages, comments)."""


@contextmanager
def clean_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Iterator[None]:
    """Only `env`'s credentials, none from the developer's shell; no proxies."""
    for name in list(os.environ):
        if name.startswith(SECRET_ENV) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield


def write_config(world: World, tmp_path: Path, *, http: dict[str, Any] | None = None) -> Path:
    """The config file for one team of `world`, zero retry waits, state under `tmp_path`."""
    config = {
        "timezone": "UTC",
        "http": {**ZERO_WAITS, **(http or {})},
        "state": {"path": str(tmp_path / "state.db")},
        "teams": [world.team(tmp_path)],
    }
    path = tmp_path / "sprintsync.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def run_args(config: Path, *extra: str) -> list[str]:
    """`sprintsync run` at the suite's fixed clock."""
    return ["run", "--config", str(config), "--now", NOW, *extra]


def run_world(
    world: World,
    tmp_path: Path,
    *,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    injection: Injection | None = None,
    http: dict[str, Any] | None = None,
    args: tuple[str, ...] = (),
) -> Outcome:
    """Start the world (with the fault, if any), run `sprintsync run`, collect the outcome."""
    faulty: list[FaultyHandler] = []

    def wrap(handler: Handler) -> Handler:
        if injection is None:
            return handler
        faulty.append(FaultyHandler(handler, injection))
        return faulty[-1]

    with ExitStack() as stack, clean_environment(monkeypatch, world.env):
        world.start(stack, wrap)
        path = write_config(world, tmp_path, http=http)
        capsys.readouterr()
        code = main(run_args(path, *args))
        captured = capsys.readouterr()
        destination = world.destination(tmp_path)
    injected = sum(sum(f.injected.values()) for f in faulty)
    return Outcome(code, captured.out, captured.err, destination, injected)
