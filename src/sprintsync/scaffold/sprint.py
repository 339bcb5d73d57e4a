"""`sprintsync init` reads the current sprint through the run's own source adapters."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import datetime

from sprintsync.compose import Wiring, open_source
from sprintsync.config import LoadedConfig, Secrets, TeamConfig
from sprintsync.http import RetryPolicy, RunBudget
from sprintsync.preflight import check_credentials
from sprintsync.scaffold.render import SprintFacts


def has_source_credentials(loaded: LoadedConfig, team: TeamConfig, secrets: Secrets) -> bool:
    """True when the environment holds what the team's tracker needs."""
    try:
        check_credentials(team.model_copy(update={"publish": ()}), secrets, config_path=loaded.path)
    except Exception:  # noqa: BLE001 - any missing credential means: do not ask the tracker
        return False
    return True


async def fetch_sprint_facts(
    loaded: LoadedConfig, team: TeamConfig, *, secrets: Secrets, now: datetime
) -> SprintFacts:
    """The sprint the team's config selects now, with its issues and estimates."""
    policy = RetryPolicy(**loaded.settings.http.model_dump(exclude={"allow_insecure_http"}))
    async with AsyncExitStack() as stack:
        wiring = Wiring(
            loaded=loaded,
            secrets=secrets,
            budget=RunBudget(policy=policy),
            now=now,
            stack=stack,
            dry_run=True,  # read only: no snapshot is stored
        )
        timezone = loaded.timezone_of(team)
        source = await open_source(team, wiring, timezone=timezone)
        data = await source.fetch(cutoff=now)
    sprint = data.sprint
    items = tuple(
        (issue.key, issue.title, issue.estimate.value_at(now) or 0.0)
        for issue in data.issues
        if issue.in_sprint.value_at(now) and not issue.is_subtask
    )
    return SprintFacts(
        sprint=sprint.name,
        start=sprint.start.astimezone(timezone).date(),
        end=sprint.end.astimezone(timezone).date() if sprint.end else None,
        items=items,
    )
