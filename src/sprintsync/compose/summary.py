"""A run's own outcome: the final summary, a progress line on a terminal, the dry-run preview."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TextIO

import structlog

from sprintsync.domain import PublishResult, RenderedReport

log = structlog.get_logger("sprintsync.compose.summary")

PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True, kw_only=True)
class TeamResult:
    """One team's end of run: published where (absolute URLs), or the error it failed with."""

    team: str
    published: tuple[PublishResult, ...] = ()
    error: str | None = None
    exit_code: int = 0


@dataclass(frozen=True, kw_only=True)
class Destination:
    """Where a dry run's report would go (plain values: the summary reads no settings)."""

    kind: str  # "file" | "confluence" | "github_comment"
    where: str  # a path, "space ENG, title …", "acme/shop#42"
    daily: bool = False  # github_comment mode: daily


def render_outcome(results: Sequence[TeamResult], *, dry_run: bool) -> str:
    """The lines printed at the end of a run: counts, then one line per team."""
    failed = [r for r in results if r.error is not None]
    head = f"sprintsync: {len(results) - len(failed)} team(s) ok, {len(failed)} failed"
    lines = [head + (" (dry run: nothing published)" if dry_run else "")]
    for result in results:
        if result.error is not None:
            lines.append(f"  ✗ {result.team}: {result.error}")
            continue
        links = [p.url or p.destination for p in result.published]
        lines.append(f"  ✓ {result.team}" + (": " + ", ".join(links) if links else ""))
    return "\n".join(lines) + "\n"


def report_outcome(
    results: Sequence[TeamResult], *, dry_run: bool, stream: TextIO | None = None
) -> None:
    """One `run.outcome` event, and (for more than one team) the summary on stderr."""
    failed = [r for r in results if r.error is not None]
    log.info(
        "run.outcome",
        teams_ok=[r.team for r in results if r.error is None],
        teams_failed=[{"team": r.team, "error": r.error, "exit_code": r.exit_code} for r in failed],
        links={r.team: [p.url for p in r.published if p.url] for r in results if r.error is None},
        dry_run=dry_run,
    )
    if len(results) > 1:
        print(render_outcome(results, dry_run=dry_run), file=stream or sys.stderr, end="")


@asynccontextmanager
async def progress(
    team: str, *, requests: Callable[[], int], stream: TextIO | None = None
) -> AsyncIterator[None]:
    """A line rewritten in place while the team's run is under way, on a terminal only."""
    out = stream or sys.stderr
    if not out.isatty():
        yield
        return
    started = time.monotonic()

    async def tick() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_SECONDS)
            seconds = time.monotonic() - started
            out.write(f"\r\x1b[Ksprintsync: {team}: {seconds:.0f}s, {requests()} request(s)…")
            out.flush()

    task = asyncio.create_task(tick())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        out.write("\r\x1b[K")
        out.flush()


def render_preview(
    report: RenderedReport, destinations: Sequence[Destination], *, show: frozenset[str]
) -> str:
    """Exactly what each destination would receive, each after a `==> where <==` header."""
    if not destinations:
        return report.markdown
    return "\n".join(
        f"==> {target.kind} {target.where} <==\n{_body(report, target, show)}"
        for target in destinations
    )


def _body(report: RenderedReport, target: Destination, show: frozenset[str]) -> str:
    if target.kind == "github_comment":
        from sprintsync.sinks.github.comment import build_bodies  # noqa: PLC0415 - comments only

        bodies = build_bodies(report, team=report.team, daily=target.daily)
        return "\n".join(bodies)
    if target.kind == "confluence":
        if "storage" in show:
            return report.storage
        return "(the Confluence storage body: add --show storage)\n"
    suffix = target.where.rsplit(".", 1)[-1].lower()
    return {"json": report.json_text, "xhtml": report.storage}.get(suffix, report.markdown)
