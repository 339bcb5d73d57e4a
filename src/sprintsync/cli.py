"""The command line: argv -> options -> dispatch -> exit code (objects are built in compose)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import traceback
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sprintsync import __version__
from sprintsync.collector import keep_young_collections_only
from sprintsync.errors import EXIT_CONFIG, EXIT_OK, SprintsyncError, exit_code_for
from sprintsync.scaffold import COMMANDS as SETUP_COMMANDS
from sprintsync.scaffold import add_commands as add_setup_commands
from sprintsync.scaffold import run_command as run_setup_command

if TYPE_CHECKING:  # loaded after argv is parsed: `--version` and `--help` need none of them
    from sprintsync.config import LoadedConfig, Secrets, TeamConfig
    from sprintsync.domain import Plan
    from sprintsync.logs import Redactor


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="sprintsync", description="Daily sprint status reports with Jira's own numbers."
    )
    parser.add_argument("--version", action="version", version=f"sprintsync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="build and publish the report of one or every team")
    _add_config(run)
    run.add_argument("--team", help="only this team (default: every team in the file)")
    run.add_argument("--as-of", type=_date, help="report as it stood at the end of YYYY-MM-DD")
    run.add_argument("--now", type=_timestamp, help="the run's clock, ISO-8601 with offset")
    run.add_argument(
        "--full", action="store_true", help="fetch every issue again, ignoring the sprint cache"
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="print what each destination would receive; publish and store nothing",
    )
    run.add_argument(
        "--show",
        action="append",
        choices=["storage"],
        default=[],
        help="with --dry-run: also print the Confluence storage body",
    )
    run.add_argument("--verbose", action="store_true", help="debug logs and tracebacks")
    check = commands.add_parser("check", help="validate the config and plans offline")
    _add_config(check)
    _add_doctor(commands)
    teams = commands.add_parser("teams", help="print the team names as a JSON array")
    _add_config(teams)
    _add_audit(commands)
    demo = commands.add_parser("demo", help="the Sprint 5 demo report, no network needed")
    demo.add_argument("--out", type=Path, default=Path("sprintsync-demo"), help="output folder")
    demo.add_argument(
        "--sections",
        action="store_true",
        help="add the optional sections that fit Sprint 5: changes, forecast, blockers, stuck, "
        "data_quality (without: the sample's shape)",
    )
    demo.add_argument("--verbose", action="store_true", help="debug logs and tracebacks")
    add_setup_commands(commands)  # --- setup block (issue 13 item 3): init, schema ---
    return parser


def _add_audit(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit",
        help="compare our figures with Jira's own Sprint Report (exit 0 agree, 4 differ)",
    )
    _add_config(audit)
    audit.add_argument("--team", help="only this team (default: every team in the file)")
    which = audit.add_mutually_exclusive_group()
    which.add_argument("--sprint", help="a sprint id or exact name (default: the team's sprint)")
    which.add_argument(
        "--last", type=_positive, metavar="N", help="the board's last N closed sprints"
    )
    audit.add_argument("--now", type=_timestamp, help="the run's clock, ISO-8601 with offset")
    audit.add_argument("--json", action="store_true", help="one JSON document on stdout")
    audit.add_argument("--verbose", action="store_true", help="debug logs and tracebacks")


def _add_doctor(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = commands.add_parser(
        "doctor",
        help="everything `check` does, then each team's hosts, credentials, board, "
        "destination and state folder, read only",
    )
    _add_config(doctor)
    doctor.add_argument("--team", help="only this team (default: every team in the file)")
    doctor.add_argument("--now", type=_timestamp, help="the clock, ISO-8601 with offset")
    doctor.add_argument("--verbose", action="store_true", help="debug logs and tracebacks")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of sprints >= 1, got {text!r}")
    return int(text)


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="the YAML config file")


# CLI dates and clocks a report can be computed at (the tracker's moments are bounded alike).
FIRST_YEAR, LAST_YEAR = 1970, 2199


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD between {FIRST_YEAR} and {LAST_YEAR}, got {text!r}"
        )
    return day


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"expected an ISO-8601 timestamp with offset such as 2025-01-25T18:00:00+01:00, "
            f"between {FIRST_YEAR} and {LAST_YEAR}, got {text!r}"
        )
    return moment


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    `argv` None is the process's own command line: the collector is set for a batch run
    (`sprintsync.collector`); a caller passing `argv` keeps its own setting.
    """
    if argv is None:
        keep_young_collections_only()
    stdout, stderr = sys.stdout, sys.stderr  # read at call time (STYLE trap 6)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error, already printed (2)
        return EXIT_OK if not exit_.code else EXIT_CONFIG
    from sprintsync.config import load_secrets  # noqa: PLC0415 - see TYPE_CHECKING above
    from sprintsync.logs import Redactor, configure_logging  # noqa: PLC0415 - likewise

    secrets = load_secrets()
    redactor = Redactor(secrets.values())  # compose adds each credential a client sends
    verbose = bool(getattr(args, "verbose", False))
    configure_logging(stream=stderr, redactor=redactor, verbose=verbose)
    try:
        return _dispatch(args, stdout=stdout, secrets=secrets, redactor=redactor)
    except SprintsyncError as error:
        for line in redactor.text(str(error)).splitlines() or [""]:  # one line per problem
            print(f"sprintsync: error: {line}", file=stderr)
        return exit_code_for(error)
    except Exception as error:  # noqa: BLE001 - the last line of defence maps to exit 1
        print(
            f"sprintsync: unexpected error: {type(error).__name__}: {redactor.text(str(error))}"
            + ("" if verbose else " (run with --verbose for the traceback)"),
            file=stderr,
        )
        if verbose:
            print(redactor.text(traceback.format_exc()), file=stderr)
        return exit_code_for(error)


def _check_offline(
    loaded: LoadedConfig,
    teams: list[TeamConfig],
    plans: dict[str, Plan],
    *,
    secrets: Secrets,
    credentials: bool,
) -> None:
    """What is knowable without a request: URLs, names, plans, and (for `check`) credentials."""
    from sprintsync.preflight import (  # noqa: PLC0415 - see TYPE_CHECKING above
        check_config_offline,
        check_credentials,
        check_plan_can_match,
        check_teams_offline,
    )

    check_teams_offline(loaded, teams)
    check_config_offline(loaded, teams)
    for team in teams:
        if team.plan:
            check_plan_can_match(team, plans[team.name], plan_path=loaded.resolve(team.plan))
        if credentials:
            check_credentials(team, secrets, config_path=loaded.path, teams=loaded.settings.teams)


def _dispatch(  # noqa: PLR0911 - one return per command
    args: argparse.Namespace, *, stdout: TextIO, secrets: Secrets, redactor: Redactor
) -> int:
    if args.command == "demo":
        from sprintsync.demo.run import run_demo  # noqa: PLC0415 - only the demo needs its data

        markdown = asyncio.run(run_demo(out_dir=args.out, sections=args.sections))
        print(markdown, file=stdout, end="")
        return EXIT_OK
    if args.command in SETUP_COMMANDS:  # --- setup block: init, schema (sprintsync.scaffold) ---
        return run_setup_command(args, stdout=stdout, stderr=sys.stderr, secrets=secrets)
    # loaded after argv is parsed (see TYPE_CHECKING above), hence each PLC0415
    from sprintsync.config import load_settings  # noqa: PLC0415
    from sprintsync.config.plan import load_plan  # noqa: PLC0415
    from sprintsync.preflight import check_credentials, refuse_future_as_of  # noqa: PLC0415

    loaded = load_settings(args.config)
    if args.command == "teams":
        print(json.dumps([team.name for team in loaded.settings.teams]), file=stdout)
        return EXIT_OK
    teams = [loaded.team(args.team)] if getattr(args, "team", None) else list(loaded.settings.teams)
    if args.command == "doctor":
        return _doctor(args, loaded, teams, stdout=stdout, secrets=secrets, redactor=redactor)
    plans = {team.name: load_plan(loaded.resolve(team.plan)) for team in teams if team.plan}
    _check_offline(loaded, teams, plans, secrets=secrets, credentials=args.command == "check")
    if args.command == "check":
        print(
            f"{loaded.path}: OK ({len(teams)} team(s), {len(plans)} plan(s))",
            file=stdout,
        )
        return EXIT_OK
    for team in teams:
        if args.command != "audit" or team.source.type == "jira":  # audit: GitHub has no report
            check_credentials(team, secrets, config_path=loaded.path, teams=loaded.settings.teams)
    now = args.now or datetime.now(UTC)
    if args.command == "audit":
        from sprintsync.compose.audit import AuditOptions, run_audit  # noqa: PLC0415 - audit only

        audit = AuditOptions(sprint=args.sprint, last=args.last, as_json=args.json)
        return asyncio.run(run_audit(audit, loaded, teams, secrets=secrets, now=now, stdout=stdout))
    refuse_future_as_of(args.as_of, now=now, loaded=loaded, teams=teams)
    from sprintsync.compose.run import RunOptions, run_teams  # noqa: PLC0415 - see above

    options = RunOptions(
        dry_run=args.dry_run,
        as_of=args.as_of,
        plans=plans,
        show=frozenset(args.show),
        full=args.full,
    )
    return asyncio.run(
        run_teams(
            options, loaded, teams, secrets=secrets, now=now, stdout=stdout, redactor=redactor
        )
    )


def _doctor(
    args: argparse.Namespace,
    loaded: LoadedConfig,
    teams: list[TeamConfig],
    *,
    stdout: TextIO,
    secrets: Secrets,
    redactor: Redactor,
) -> int:
    """`check`'s offline checks as the first line (a failure stops there), then online."""
    from sprintsync.compose.doctor import run_doctor  # noqa: PLC0415 - only doctor needs it
    from sprintsync.config.plan import load_plan  # noqa: PLC0415 - see TYPE_CHECKING above

    try:
        plans = {team.name: load_plan(loaded.resolve(team.plan)) for team in teams if team.plan}
        _check_offline(loaded, teams, plans, secrets=secrets, credentials=True)
    except SprintsyncError as error:
        fix = redactor.text(str(error)).replace("\n", "; ")
        print(f"✗ config {loaded.path} — fix: {fix}", file=stdout)
        return exit_code_for(error)
    print(f"✓ config {loaded.path} ({len(teams)} team(s), {len(plans)} plan(s))", file=stdout)
    now = args.now or datetime.now(UTC)
    return asyncio.run(
        run_doctor(loaded, teams, secrets=secrets, now=now, stdout=stdout, redactor=redactor)
    )
