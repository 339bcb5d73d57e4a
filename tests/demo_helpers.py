"""The recorded demo sprint (src/sprintsync/demo) read through the Jira Cloud source."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sprintsync.demo import DEMO_BASE_URL, DEMO_BOARD, DEMO_TIMEZONE, demo_transport
from sprintsync.domain import SprintData
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.jira import JiraCloudSource

BERLIN = ZoneInfo(DEMO_TIMEZONE)
CUTOFF = datetime(2025, 1, 25, 23, 0, tzinfo=UTC)  # end of day 2 in Berlin


async def fetch_demo() -> SprintData:
    """JiraCloudSource over the recorded demo answers."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    async with build_client(
        service="Jira", base_url=DEMO_BASE_URL, budget=budget, transport=demo_transport()
    ) as client:
        source = JiraCloudSource(client, board=DEMO_BOARD, base_url_for_links=DEMO_BASE_URL)
        return await source.fetch(cutoff=CUTOFF)
