"""The Jira Cloud source end to end over HTTP: requests, wall time and memory for N issues.

Runs `JiraCloudSource.fetch` against the project's fake Jira Cloud (tests/fakes) on 127.0.0.1
with realistic page sizes (search 100, bulk changelog 1,000), then the ledger. The fake server
runs in this process, so its own work and allocations are included: the figures are upper
bounds for the client. Prints figures; asserts nothing.
Usage: python benchmarks/bench_jira_source.py [--issues 200 1000 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from fakes.jira import FakeBoard, FakeJira  # noqa: E402
from fakes.jira_world import (  # noqa: E402
    board_config,
    history,
    issue,
    points_item,
    sprint,
    sprint_item,
    status_item,
)
from sprintsync.http import RetryPolicy, RunBudget, build_client  # noqa: E402
from sprintsync.ledger import build_ledger  # noqa: E402
from sprintsync.sources.jira import JiraCloudSource  # noqa: E402

BOARD, SPRINT = 7, 42
START, END = "2026-11-10T09:30:00.000Z", "2026-11-24T09:30:00.000Z"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def world(count: int) -> FakeJira:
    """`count` issues in sprint 42: a third done, one in ten removed, all with a few changes."""
    issues = []
    for n in range(count):
        removed = n % 10 == 9
        done = n % 3 == 0
        day = 11 + n % 9
        histories = [
            history(n * 10 + 1, "2026-11-09T10:00:00.000+0000", sprint_item(None, "42")),
            history(n * 10 + 2, f"2026-11-{day}T10:00:00.000+0000", points_item(3, 5)),
            history(
                n * 10 + 3, f"2026-11-{day}T11:00:00.000+0000", status_item("To Do", "In Progress")
            ),
        ]
        if done:
            histories.append(
                history(
                    n * 10 + 4,
                    f"2026-11-{day}T15:00:00.000+0000",
                    status_item("In Progress", "Done"),
                )
            )
        if removed:
            histories.append(
                history(n * 10 + 5, f"2026-11-{day}T16:00:00.000+0000", sprint_item("42", None))
            )
        issues.append(
            issue(
                str(20000 + n),
                f"ABC-{n + 1}",
                f"Issue {n + 1}",
                state="Done" if done else "In Progress",
                points=5,
                sprints=[]
                if removed
                else [sprint(SPRINT, "ABC Sprint 42", "active", board=BOARD, start=START, end=END)],
                created="2026-11-01T09:00:00.000+0000",
                updated=f"2026-11-{day}T16:00:00.000+0000",
                histories=histories,
            )
        )
    config = board_config(board=BOARD, project="ABC", filter_id="10010")
    active = sprint(SPRINT, "ABC Sprint 42", "active", board=BOARD, start=START, end=END)
    board = FakeBoard(config=config, sprints=[active])
    return FakeJira(
        boards={BOARD: board},
        issues=issues,
        page_size=100,
        changelog_page_size=1000,
        sprint_page_size=50,
    )


async def fetch(url: str) -> tuple[int, object]:
    """One fetch through the real client stack; the number of requests it took."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    async with build_client(
        service="Jira", base_url=url, budget=budget, auth=("bot@example.com", "api-token-123")
    ) as client:
        source = JiraCloudSource(
            client, board=BOARD, base_url_for_links="https://acme.atlassian.net"
        )
        data = await source.fetch(cutoff=NOW)
    return budget.requests, data


def measure(count: int) -> tuple[int, float, float, float]:
    """Requests, fetch seconds, ledger seconds (untraced), peak MiB (a second, traced run)."""
    fake = world(count)
    with fake.running() as server:
        started = time.perf_counter()
        requests, data = asyncio.run(fetch(server.url))
        fetched = time.perf_counter() - started
        ledger_started = time.perf_counter()
        build_ledger(data, cutoff=NOW, timezone=ZoneInfo("Europe/Berlin"))
        ledger_seconds = time.perf_counter() - ledger_started
        tracemalloc.start()
        asyncio.run(fetch(server.url))
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return requests, fetched, ledger_seconds, peak


def main() -> None:
    """Print the figures as a Markdown table."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=int, nargs="+", default=[200, 1000, 3000])
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.platform()}")
    print("| issues | requests | fetch (s) | ledger (s) | peak memory (MiB) |")
    print("|---:|---:|---:|---:|---:|")
    for count in args.issues:
        requests, fetched, ledger_seconds, peak = measure(count)
        print(f"| {count} | {requests} | {fetched:.2f} | {ledger_seconds:.2f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
