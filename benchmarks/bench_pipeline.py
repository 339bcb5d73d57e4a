"""Time and peak memory of each pipeline stage over a synthetic sprint (prints a table).

Run: python benchmarks/bench_pipeline.py [--issues N ...] [--changes M] [--stale D ...]
     [--repeat R] [--stages S ...]

The sprint is deterministic (seeded): N issues, each with M changelog changes spread over a
14-day sprint (membership adds/removals, estimate changes, status moves, flags). The cut-off is
the sprint's end, or D days past it with the sprint still active (a sprint nobody closed). Each
stage is timed with time.perf_counter (best of R runs) and measured once more under tracemalloc
for its peak memory. Inputs of a stage are built before it is measured. The process's peak RSS
(resource.getrusage) is printed at the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sprintsync.domain import (
    Plan,
    PlanItem,
    Sprint,
    SprintData,
    Timeline,
    TrackedIssue,
    WorkState,
)
from sprintsync.ledger import build_ledger
from sprintsync.reconcile import reconcile
from sprintsync.report.json_report import render_json
from sprintsync.report.markdown import render_markdown
from sprintsync.report.storage import render_storage
from sprintsync.report.view import build_report_view

SEED = 20250124
TZ = ZoneInfo("Europe/Berlin")
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
SPRINT_DAYS = 14
END = START + timedelta(days=SPRINT_DAYS, hours=-1)
CUTOFF = END
WORKING_WEEK = (0, 1, 2, 3, 4)
POINTS = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, None)
STATES = (WorkState.TODO, WorkState.IN_PROGRESS, WorkState.DONE)
R = TypeVar("R")
LABELS = ("api", "ui", "infra", "docs", "security", "perf")


def _moments(rng: random.Random, count: int) -> list[datetime]:
    """`count` sorted moments within the sprint (minute resolution)."""
    span = SPRINT_DAYS * 24 * 60 - 60
    return sorted(START + timedelta(minutes=rng.randrange(1, span)) for _ in range(count))


def _changes(rng: random.Random, count: int, initial: Any, pick: Callable[[Any], Any]) -> Any:
    """A timeline starting at `initial` with `count` changes, each value from `pick(previous)`."""
    found = []
    value = initial
    for moment in _moments(rng, count):
        value = pick(value)
        found.append((moment, value))
    return Timeline(initial, tuple(found))


def _split(rng: random.Random, total: int) -> list[int]:
    """`total` changes shared out over membership, state, estimate and flag (in that order)."""
    counts = [0, 0, 0, 0]
    for _ in range(total):
        counts[rng.choices(range(4), weights=(2, 4, 2, 1))[0]] += 1
    return counts


def build_issue(rng: random.Random, index: int, changes: int) -> TrackedIssue:
    """One synthetic issue with `changes` changelog changes."""
    member, state, estimate, flag = _split(rng, changes)
    return TrackedIssue(
        key=f"BEN-{index + 1}",
        title=f"Synthetic issue {index + 1} #{index} @team",
        in_sprint=_changes(rng, member, rng.random() < 0.8, lambda v: not v),
        state=_changes(rng, state, WorkState.TODO, lambda _: rng.choice(STATES)),
        estimate=_changes(rng, estimate, rng.choice(POINTS), lambda _: rng.choice(POINTS)),
        flagged=_changes(rng, flag, False, lambda v: not v),  # noqa: FBT003 - initial value
        url=f"https://bench.example.com/browse/BEN-{index + 1}",
        assignee=f"user{index % 17}",
        status_name="In Progress",
        blocked_by=(f"BEN-{index}",) if index % 23 == 1 else (),
        labels=(LABELS[index % len(LABELS)],) if index % 3 == 0 else (),
    )


def build_data(issues: int, changes: int) -> SprintData:
    """The synthetic sprint: deterministic for given sizes."""
    rng = random.Random(SEED + issues * 1000 + changes)  # noqa: S311 - test data, not crypto
    sprint = Sprint(id="99", name="Sprint 99", state="active", start=START, end=END)
    return SprintData(
        sprint=sprint,
        issues=tuple(build_issue(rng, n, changes) for n in range(issues)),
        tracker_url="https://bench.example.com",
    )


def build_plan(issues: int) -> Plan:
    """A plan of `issues // 3` items: each lists two issues, every 5th matches by label too."""
    items = tuple(
        PlanItem(
            id=f"ITEM-{n + 1:04d}",
            title=f"Plan item {n + 1}",
            points=5.0,
            issues=(f"BEN-{2 * n + 1}", f"BEN-{2 * n + 2}"),
            labels=(LABELS[n % len(LABELS)],) if n % 5 == 0 else (),
        )
        for n in range(issues // 3)
    )
    return Plan(sprint="Sprint 99", theme="Benchmark", items=items)


@dataclass(frozen=True)
class Figure:
    """One stage's best wall time and peak traced memory."""

    stage: str
    seconds: float
    peak_bytes: int


def measure(stage: str, call: Callable[[], R], repeat: int) -> tuple[Figure, R]:
    """Best-of-`repeat` wall time, then one traced run for the peak memory."""
    times = []
    for _ in range(max(repeat, 1)):
        gc.collect()
        began = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - began)
    gc.collect()
    tracemalloc.start()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Figure(stage, min(times), peak), result


def run_size(
    issues: int, changes: int, repeat: int, *, stale: int, stages: set[str]
) -> list[Figure]:
    """Every stage for one sprint size, `stale` days past the sprint's end."""
    data = build_data(issues, changes)
    plan = build_plan(issues)
    cutoff = CUTOFF + timedelta(days=stale)
    figures = []
    fig, ledger = measure(
        "build_ledger",
        lambda: build_ledger(data, cutoff=cutoff, timezone=TZ, working_days=WORKING_WEEK),
        repeat,
    )
    figures.append(fig)
    fig, recon = measure("reconcile", lambda: reconcile(plan, ledger, data), repeat)
    figures.append(fig)
    fig, view = measure(
        "build_report_view",
        lambda: build_report_view(
            ledger=ledger,
            data=data,
            plan=plan,
            reconciliation=recon,
            team="bench",
            as_of=cutoff.astimezone(TZ).date(),
            working_days=WORKING_WEEK,
        ),
        repeat,
    )
    figures.append(fig)
    if "render" not in stages:
        return figures
    for flavor in ("plain", "github"):
        fig, _ = measure(
            f"render_markdown ({flavor})",
            lambda f=flavor: render_markdown(view, flavor=f),
            repeat,
        )
        figures.append(fig)
    fig, _ = measure("render_storage", lambda: render_storage(view), repeat)
    figures.append(fig)
    fig, _ = measure("render_json", lambda: render_json(view), repeat)
    figures.append(fig)
    return figures


def print_table(rows: list[tuple[int, int, Figure]], changes: int) -> None:
    """A Markdown table: issues, days past the end, stage, best time, peak memory."""
    print("\n| issues | changes/issue | days past end | stage | best (ms) | peak memory (MiB) |")
    print("|---:|---:|---:|---|---:|---:|")
    for issues, stale, fig in rows:
        print(
            f"| {issues} | {changes} | {stale} | {fig.stage} | {fig.seconds * 1000:,.1f} "
            f"| {fig.peak_bytes / 2**20:,.2f} |"
        )


def main(argv: list[str] | None = None) -> None:
    """Parse the sizes, measure every stage for each, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, nargs="+", default=[500, 2000, 20000])
    parser.add_argument("--changes", type=int, default=20, help="changelog changes per issue")
    parser.add_argument(
        "--stale", type=int, nargs="+", default=[0, 600], help="cut-offs, days past the end"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage (best is kept)")
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=("core", "render"),
        default=["core", "render"],
        help="core = ledger, reconcile, view; render = every format too",
    )
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"Machine: {platform.platform()} ({platform.machine()}, {os.cpu_count()} CPUs)")
    rows: list[tuple[int, int, Figure]] = []
    for issues in args.issues:
        for stale in args.stale:
            began = time.perf_counter()
            figures = run_size(
                issues, args.changes, args.repeat, stale=stale, stages=set(args.stages)
            )
            rows += [(issues, stale, fig) for fig in figures]
            seconds = time.perf_counter() - began
            print(f"  measured {issues} issues, {stale} days past end: {seconds:.1f} s", flush=True)
    print_table(rows, args.changes)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\nPeak RSS of the process: {peak_rss:,.0f} MiB")


if __name__ == "__main__":
    main()
