"""`sprintsync demo`: the real Jira source, ledger and report over recorded Sprint 5 responses."""

from __future__ import annotations

import time
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from sprintsync.app import TeamJob, log_summary, run_team
from sprintsync.demo import DEMO_BASE_URL, DEMO_BOARD, demo_transport
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.planfile import load_plan
from sprintsync.sinks.file import FileSink
from sprintsync.sources.jira import JiraCloudSource

DEMO_ZONE = ZoneInfo("Europe/Berlin")
DEMO_NOW = datetime(2025, 1, 25, 20, 0, tzinfo=DEMO_ZONE)  # the evening of day 2


async def run_demo(*, out_dir: Path, now: datetime = DEMO_NOW) -> str:
    """Write the demo's Markdown, JSON and Confluence storage files; return the Markdown."""
    plan_file = resources.files("sprintsync.demo").joinpath("sprint-5-plan.yaml")
    with resources.as_file(plan_file) as plan_path:
        plan = load_plan(plan_path)
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    async with build_client(
        service="Jira",
        base_url=DEMO_BASE_URL,
        budget=budget,
        auth=httpx.BasicAuth("demo@example.com", "demo-token"),
        transport=demo_transport(),
    ) as client:
        job = TeamJob(
            team="demo",
            source=JiraCloudSource(client, board=DEMO_BOARD, base_url_for_links=DEMO_BASE_URL),
            sinks=[
                FileSink(path=out_dir / "sprint-5.md"),
                FileSink(path=out_dir / "sprint-5.json"),
                FileSink(path=out_dir / "sprint-5.xhtml"),
            ],
            plan=plan,
            plan_path=Path("sprint-5-plan.yaml"),
            timezone=DEMO_ZONE,
            cutoff=now,
            as_of=now.astimezone(DEMO_ZONE).date(),
            needs_storage=True,
        )
        started = time.monotonic()
        outcome = await run_team(job)
    log_summary(
        outcome, dry_run=False, requests=budget.requests, seconds=time.monotonic() - started
    )
    return outcome.report.markdown
