"""Composition root: argv -> settings -> logging -> clients -> adapters -> app -> exit code."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import traceback
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import structlog

from sprintsync import __version__
from sprintsync.app import TeamJob, TeamOutcome, log_summary, run_team
from sprintsync.config import (
    ConfluenceSinkConfig,
    FileSinkConfig,
    LoadedConfig,
    Secrets,
    SinkConfig,
    TeamConfig,
    environment,
    load_secrets,
    load_settings,
)
from sprintsync.domain import Plan
from sprintsync.errors import EXIT_CONFIG, EXIT_OK, ConfigError, SprintsyncError, exit_code_for
from sprintsync.http import RetryPolicy, RunBudget
from sprintsync.logs import Redactor, configure_logging
from sprintsync.planfile import load_plan
from sprintsync.sinks.actions import report_to_actions
from sprintsync.state import RunLock
from sprintsync.wiring import (
    Wiring,
    build_sinks,
    build_source,
    check_credentials,
    check_url,
)

log = structlog.get_logger("sprintsync.cli")


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
    run.add_argument("--dry-run", action="store_true", help="print the Markdown, publish nothing")
    run.add_argument("--verbose", action="store_true", help="debug logs and tracebacks")
    check = commands.add_parser("check", help="validate the config and plans offline")
    _add_config(check)
    teams = commands.add_parser("teams", help="print the team names as a JSON array")
    _add_config(teams)
    demo = commands.add_parser("demo", help="the Sprint 5 demo report, no network needed")
    demo.add_argument("--out", type=Path, default=Path("sprintsync-demo"), help="output folder")
    demo.add_argument("--verbose", action="store_true", help="debug logs and tracebacks")
    return parser


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="the YAML config file")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"expected an ISO-8601 timestamp with offset such as 2025-01-25T18:00:00+01:00, "
            f"got {text!r}"
        )
    return moment


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    stdout, stderr = sys.stdout, sys.stderr  # read at call time (STYLE trap 6)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error, already printed (2)
        return EXIT_OK if not exit_.code else EXIT_CONFIG
    secrets = load_secrets()
    redactor = Redactor(secrets.values() + _basic_pairs(secrets))
    verbose = bool(getattr(args, "verbose", False))
    configure_logging(stream=stderr, redactor=redactor, verbose=verbose)
    try:
        return _dispatch(args, stdout=stdout, secrets=secrets)
    except SprintsyncError as error:
        print(f"sprintsync: error: {redactor.text(str(error))}", file=stderr)
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


def _basic_pairs(secrets: Secrets) -> list[str]:
    pairs = [(secrets.jira_email, secrets.jira_token)]
    pairs.append((secrets.confluence_email or secrets.jira_email, secrets.confluence_token))
    return [f"{user}:{token.get_secret_value()}" for user, token in pairs if user and token]


def _dispatch(args: argparse.Namespace, *, stdout: TextIO, secrets: Secrets) -> int:
    if args.command == "demo":
        from sprintsync.demo_run import run_demo  # noqa: PLC0415 - only the demo needs its data

        print(asyncio.run(run_demo(out_dir=args.out)), file=stdout, end="")
        return EXIT_OK
    loaded = load_settings(args.config)
    if args.command == "teams":
        print(json.dumps([team.name for team in loaded.settings.teams]), file=stdout)
        return EXIT_OK
    teams = [loaded.team(args.team)] if getattr(args, "team", None) else list(loaded.settings.teams)
    plans = {team.name: load_plan(loaded.resolve(team.plan)) for team in teams if team.plan}
    for team in teams:
        _check_team_offline(team, loaded)
    if args.command == "check":
        print(
            f"{loaded.path}: OK ({len(teams)} team(s), {len(plans)} plan(s))",
            file=stdout,
        )
        return EXIT_OK
    for team in teams:
        check_credentials(team, secrets, config_path=loaded.path)
    now = args.now or datetime.now(UTC)
    _refuse_future_as_of(args.as_of, now=now, loaded=loaded, teams=teams)
    options = RunOptions(dry_run=args.dry_run, as_of=args.as_of, plans=plans)
    return asyncio.run(_run_teams(options, loaded, teams, secrets=secrets, now=now, stdout=stdout))


def _refuse_future_as_of(
    as_of: date | None, *, now: datetime, loaded: LoadedConfig, teams: list[TeamConfig]
) -> None:
    if as_of is None:
        return
    latest = max(now.astimezone(loaded.timezone_of(team)).date() for team in teams)
    if as_of > latest:
        raise ConfigError(f"--as-of {as_of} is in the future (today is {latest})")


def _check_team_offline(team: TeamConfig, loaded: LoadedConfig) -> None:
    allow = loaded.settings.http.allow_insecure_http
    index = loaded.settings.teams.index(team)
    urls = [(f"teams[{index}].source.url", getattr(team.source, "url", None))]
    urls.append((f"teams[{index}].source.api_url", getattr(team.source, "api_url", None)))
    for number, sink in enumerate(team.publish):
        urls.append((f"teams[{index}].publish[{number}].url", getattr(sink, "url", None)))
        urls.append((f"teams[{index}].publish[{number}].api_url", getattr(sink, "api_url", None)))
    for key, url in urls:
        if url:
            check_url(url, key=key, config_path=loaded.path, allow_insecure=allow)


def _wants_storage(sink: SinkConfig) -> bool:
    if isinstance(sink, ConfluenceSinkConfig):
        return True
    return isinstance(sink, FileSinkConfig) and sink.path.lower().endswith(".xhtml")


def cutoff_for(*, now: datetime, as_of: date | None, timezone: ZoneInfo) -> tuple[datetime, date]:
    """SEMANTICS §1: --as-of D is the end of day D in the team's zone, never later than now."""
    if as_of is None:
        return now, now.astimezone(timezone).date()
    end_of_day = datetime.combine(as_of + timedelta(days=1), clock_time(), tzinfo=timezone)
    end_of_day -= timedelta(microseconds=1)
    return min(end_of_day, now), as_of


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """What `sprintsync run` asked for, once parsed and validated."""

    dry_run: bool
    as_of: date | None
    plans: dict[str, Plan]  # team name -> its validated plan


async def _run_teams(
    args: RunOptions,
    loaded: LoadedConfig,
    teams: list[TeamConfig],
    *,
    secrets: Secrets,
    now: datetime,
    stdout: TextIO,
) -> int:
    http = loaded.settings.http
    policy = RetryPolicy(**http.model_dump(exclude={"allow_insecure_http"}))
    budget = RunBudget(policy=policy)
    worst = EXIT_OK
    async with AsyncExitStack() as stack:
        wiring = Wiring(loaded=loaded, secrets=secrets, budget=budget, now=now, stack=stack)
        for team in teams:
            started, requests_before = time.monotonic(), budget.requests
            try:
                outcome = await _run_one(team, wiring, args=args)
            except SprintsyncError as error:
                if len(teams) == 1:
                    raise
                log.error("team.failed", team=team.name, error=str(error))  # noqa: TRY400 - no traceback
                worst = max(worst, exit_code_for(error))
                continue
            if args.dry_run:
                print(outcome.report.markdown, file=stdout, end="")
            else:
                report_to_actions(outcome.report, outcome.published, env=environment())
            log_summary(
                outcome,
                dry_run=args.dry_run,
                requests=budget.requests - requests_before,
                seconds=time.monotonic() - started,
            )
    return worst


async def _run_one(team: TeamConfig, wiring: Wiring, *, args: RunOptions) -> TeamOutcome:
    timezone = wiring.loaded.timezone_of(team)
    cutoff, as_of = cutoff_for(now=wiring.now, as_of=args.as_of, timezone=timezone)
    plan_path = wiring.loaded.resolve(team.plan) if team.plan else None
    job = TeamJob(
        team=team.name,
        source=await build_source(team, wiring, timezone=timezone),
        sinks=await build_sinks(team, wiring),
        plan=args.plans.get(team.name),
        plan_path=plan_path,
        timezone=timezone,
        cutoff=cutoff,
        as_of=as_of,
        count_subtasks=bool(getattr(team.source, "count_subtasks", False)),
        template_dir=wiring.loaded.resolve(wiring.loaded.settings.templates)
        if wiring.loaded.settings.templates
        else None,
        needs_storage=any(_wants_storage(sink) for sink in team.publish),
        jira_server_id=next(
            (s.jira_server_id for s in team.publish if isinstance(s, ConfluenceSinkConfig)), None
        ),
    )
    lock_path = wiring.loaded.state_path().parent / "locks" / f"{team.name}.lock"
    with RunLock(lock_path, team=team.name):
        return await run_team(job, dry_run=args.dry_run)
