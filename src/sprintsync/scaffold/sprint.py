"""`sprintsync init` reads the current sprint through the run's own source adapters."""

from __future__ import annotations

from datetime import datetime

from sprintsync.compose import open_source, opened_wiring
from sprintsync.config import LoadedConfig, Secrets, TeamConfig
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
    # read only: no snapshot is stored
    async with opened_wiring(loaded, secrets=secrets, now=now, dry_run=True) as wiring:
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
