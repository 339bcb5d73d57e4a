"""`sprintsync demo`: the real pipeline (compose, Jira source, ledger, report) over recordings."""

from __future__ import annotations

import time
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from sprintsync.app import log_summary, run_team
from sprintsync.compose import RunOptions, build_job, opened_wiring
from sprintsync.config import (
    FileSinkConfig,
    HttpConfig,
    JiraSourceConfig,
    LoadedConfig,
    ReportConfig,
    Secrets,
    Settings,
    StateConfig,
    TeamConfig,
)
from sprintsync.config.plan import load_plan
from sprintsync.demo import DEMO_BASE_URL, DEMO_BOARD, DEMO_TIMEZONE, demo_transport
from sprintsync.http import RetryPolicy, RunBudget

DEMO_ZONE = ZoneInfo(DEMO_TIMEZONE)
DEMO_NOW = datetime(2025, 1, 25, 20, 0, tzinfo=DEMO_ZONE)  # the evening of day 2
DEMO_FILES = ("sprint-5.md", "sprint-5.json", "sprint-5.xhtml")
# `demo --sections`: the optional sections that make sense for Sprint 5. Not `velocity`: the
# demo board has no closed sprint (sprintsync.demo records no Velocity chart).
DEMO_SECTIONS = ReportConfig(sections=("changes", "forecast", "blockers", "stuck", "data_quality"))


def demo_config(out_dir: Path, *, sections: bool = False) -> LoadedConfig:
    """The demo team as a config would describe it (never read from the environment).

    Without `sections` the report has the sample's shape (tests/report/seed/).
    """
    team = TeamConfig(
        name="demo",
        timezone=DEMO_TIMEZONE,
        source=JiraSourceConfig(type="jira", url=DEMO_BASE_URL, board=DEMO_BOARD),
        publish=tuple(FileSinkConfig(type="file", path=str(out_dir / name)) for name in DEMO_FILES),
    )
    settings = Settings.model_construct(
        timezone=DEMO_TIMEZONE,
        templates=None,
        http=HttpConfig(),
        state=StateConfig(),
        report=DEMO_SECTIONS if sections else ReportConfig(),
        teams=(team,),
    )
    return LoadedConfig(path=Path("sprintsync-demo.yaml"), settings=settings)


async def run_demo(*, out_dir: Path, now: datetime = DEMO_NOW, sections: bool = False) -> str:
    """Write the demo's Markdown, JSON and Confluence storage files; return the Markdown."""
    plan_file = resources.files("sprintsync.demo").joinpath("sprint-5-plan.yaml")
    with resources.as_file(plan_file) as plan_path:
        plan = load_plan(plan_path)
    loaded = demo_config(out_dir, sections=sections)
    secrets = Secrets.model_validate({"jira_email": "demo@example.com", "jira_token": "demo"})
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    options = RunOptions(dry_run=False, as_of=None, plans={"demo": plan})
    started = time.monotonic()
    async with opened_wiring(
        loaded, secrets=secrets, now=now, budget=budget, transport=demo_transport()
    ) as wiring:
        job = await build_job(loaded.settings.teams[0], wiring, options=options)
        outcome = await run_team(job)
    log_summary(
        outcome, dry_run=False, requests=budget.requests, seconds=time.monotonic() - started
    )
    return outcome.report.markdown
