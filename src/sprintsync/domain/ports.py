"""The ports the application drives: a tracker source and a destination sink (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sprintsync.domain.jira_report import JiraSprintReport
from sprintsync.domain.model import SprintData, Totals


class Source(Protocol):
    """A tracker adapter: the sprint and every issue's history up to `cutoff`."""

    async def fetch(self, *, cutoff: datetime) -> SprintData:
        """Fetch the sprint and the histories of every issue that may belong to it."""
        ...


@dataclass(frozen=True, kw_only=True)
class RenderedReport:
    """One team's report for one day, in every format a destination may want."""

    team: str
    sprint_id: str
    sprint_name: str
    as_of: date
    markdown: str  # plain Markdown (file sink, dry run)
    json_text: str  # the status JSON (schema in sprintsync/report/schema.json)
    github_markdown: str = ""  # GitHub-flavoured: mentions neutralised, Mermaid burndown
    storage: str = ""  # Confluence storage format (XHTML)
    svg: str = ""  # the burndown chart as an SVG image
    totals: Totals | None = None


@dataclass(frozen=True, kw_only=True)
class PublishResult:
    """Where a report went and whether the destination changed."""

    destination: str  # e.g. "file out/platform.md", "confluence page 123456"
    url: str | None = None
    changed: bool = True


class Sink(Protocol):
    """A destination that publishes idempotently: same report twice, no second write."""

    async def publish(self, report: RenderedReport) -> PublishResult:
        """Publish the report; raise PublishError and leave the destination as it was on failure."""
        ...


class SprintReportSource(Protocol):
    """Jira's own Sprint Report and Velocity chart of one board (what `sprintsync audit` reads)."""

    async def sprint_report(self, sprint_id: str) -> JiraSprintReport:
        """The board's Sprint Report of the sprint; ReportUnavailableError when Jira has none."""
        ...

    async def velocity(self) -> dict[str, tuple[float | None, float | None]]:
        """Sprint id -> (estimated, completed) from the Velocity chart; may be unavailable."""
        ...
