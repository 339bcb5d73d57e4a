"""`sprintsync init` and `sprintsync schema config`: argv -> files or stdout -> exit code."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sprintsync.errors import EXIT_OK, ConfigError, SprintsyncError
from sprintsync.scaffold.answers import Answers, Ask, add_init_arguments, gather
from sprintsync.scaffold.render import SprintFacts, render_config, render_plan

if TYPE_CHECKING:  # the settings and the sources load only for init/schema (cli builds the parser)
    from sprintsync.config import LoadedConfig, Secrets

COMMANDS = frozenset({"init", "schema"})
SCHEMA_FILE = "config.schema.json"  # package data: sprintsync/config.schema.json


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `init` and `schema` on the main parser."""
    init = commands.add_parser("init", help="write a commented config and a plan skeleton")
    add_init_arguments(init)
    init.add_argument("--now", type=_timestamp, help=argparse.SUPPRESS)  # tests fix the clock
    init.add_argument("--verbose", action="store_true", help="debug logs and tracebacks")
    schema = commands.add_parser("schema", help="print a JSON Schema (editors complete keys)")
    schema.add_argument("which", choices=["config"], help="the file whose schema to print")


def _timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"expected a timestamp with offset, got {text!r}")
    return moment


def run_command(
    args: argparse.Namespace,
    *,
    stdout: TextIO,
    stderr: TextIO,
    secrets: Secrets,
    ask: Ask | None = None,
) -> int:
    """Run `init` or `schema`; `ask` answers prompts (default: input() when stdin is a TTY)."""
    if args.command == "schema":
        print(schema_text(), file=stdout, end="")
        return EXIT_OK
    if ask is None and sys.stdin.isatty():
        ask = input
    answers = gather(args, ask=ask)
    return write_starter_files(answers, secrets=secrets, stdout=stdout, stderr=stderr)


def schema_text() -> str:
    """The config schema as the shipped file holds it."""
    from sprintsync.config import config_json_schema  # noqa: PLC0415 - see TYPE_CHECKING above

    return json.dumps(config_json_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_path() -> Path:
    """Where the installed package keeps its config schema (the editors' `$schema`)."""
    return Path(str(files("sprintsync").joinpath(SCHEMA_FILE)))


def write_starter_files(
    answers: Answers, *, secrets: Secrets, stdout: TextIO, stderr: TextIO
) -> int:
    """Write the config, then the plan (from the tracker given credentials); never overwrite."""
    from sprintsync.config import load_settings  # noqa: PLC0415 - see TYPE_CHECKING above

    for path in (answers.out, answers.plan_out):
        if path.exists():
            raise ConfigError(
                f"{path}: already exists; sprintsync init never overwrites a file "
                "(choose another --out / --plan-out, or move it away)"
            )
    plan_ref = os.path.relpath(answers.plan_out.absolute(), answers.out.absolute().parent)
    text = render_config(answers, schema=shipped_schema_path().as_uri(), plan=plan_ref)
    _create(answers.out, text)
    try:
        loaded = load_settings(answers.out)
    except ConfigError:
        answers.out.unlink()  # ours, written a moment ago: leave no invalid config behind
        raise
    facts, reason = _read_sprint(loaded, secrets=secrets, now=answers.now)
    if reason:
        print(f"sprintsync: warning: {reason}", file=stderr)
    _create(answers.plan_out, render_plan(facts, reason=reason))
    print(f"wrote {answers.out} and {answers.plan_out}", file=stdout)
    print(f"next: sprintsync check --config {answers.out}", file=stdout)
    return EXIT_OK


def _read_sprint(
    loaded: LoadedConfig, *, secrets: Secrets, now: datetime | None
) -> tuple[SprintFacts | None, str]:
    from sprintsync.scaffold.sprint import (  # noqa: PLC0415 - see TYPE_CHECKING above
        fetch_sprint_facts,
        has_source_credentials,
    )

    team = loaded.settings.teams[0]
    if not has_source_credentials(loaded, team, secrets):
        return None, ""
    now = now or datetime.now(UTC)
    try:
        return asyncio.run(fetch_sprint_facts(loaded, team, secrets=secrets, now=now)), ""
    except SprintsyncError as error:
        return None, f"the tracker was not read ({error}); the plan has placeholders"


def _create(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise ConfigError(
            f"{path}: already exists; sprintsync init never overwrites a file"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot write it ({error.strerror})") from None
