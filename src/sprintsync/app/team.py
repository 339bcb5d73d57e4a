"""Orchestration only: fetch -> ledger -> reconcile -> render -> publish, for one team."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import structlog

from sprintsync.domain import Plan, PublishResult, RenderedReport, Sink, Source, Totals
from sprintsync.errors import ConfigError
from sprintsync.ledger import build_ledger
from sprintsync.reconcile import reconcile
from sprintsync.report.json_report import render_json
from sprintsync.report.sections import SectionOptions, VelocityHistory
from sprintsync.report.sections.blockers import count_open_blockers
from sprintsync.report.view import ReportView, build_report_view

log = structlog.get_logger("sprintsync.app")

DEFAULT_WORKING_DAYS = (0, 1, 2, 3, 4)


@dataclass(frozen=True, kw_only=True)
class TeamJob:
    """Everything one team's run needs, already built by the CLI."""

    team: str
    source: Source
    sinks: Sequence[Sink]
    plan: Plan | None
    plan_path: Path | None
    timezone: ZoneInfo
    cutoff: datetime
    as_of: date
    count_subtasks: bool = False
    template_dir: Path | None = None
    # The formats the team's sinks read (the composition root decides; a dry run always
    # renders plain Markdown, which it prints). A format not needed is left "".
    needs_markdown: bool = True
    needs_github_markdown: bool = True
    needs_json: bool = True
    needs_storage: bool = False
    needs_svg: bool = False
    jira_server_id: str | None = None
    sections: SectionOptions = field(
        default_factory=SectionOptions
    )  # the optional sections (report.sections)
    velocity: VelocityHistory | None = None  # the board's closed sprints (section `velocity`)


@dataclass(frozen=True, kw_only=True)
class TeamOutcome:
    """What one team's run produced."""

    team: str
    sprint_id: str
    sprint_name: str
    totals: Totals
    report: RenderedReport
    published: tuple[PublishResult, ...]
    blockers: int = 0  # open issues flagged or blocked at the cut-off (the multi-team index)


async def run_team(job: TeamJob, *, dry_run: bool = False) -> TeamOutcome:
    """Fetch the sprint, apply SEMANTICS.md, render every format, publish (unless dry run)."""
    data = await job.source.fetch(cutoff=job.cutoff)
    if job.plan is not None and job.plan_path is not None:
        check_plan_matches(
            job.plan,
            plan_path=job.plan_path,
            sprint_id=data.sprint.id,
            sprint_name=data.sprint.name,
        )
    if job.cutoff < data.sprint.start:
        started = data.sprint.start.astimezone(job.timezone).date()
        raise ConfigError(
            f"team {job.team!r}: the report date {job.as_of} is before sprint "
            f"{data.sprint.name!r} started ({started}); choose a later --as-of"
        )
    working_days = job.plan.working_days if job.plan else DEFAULT_WORKING_DAYS
    ledger = build_ledger(
        data,
        cutoff=job.cutoff,
        timezone=job.timezone,
        working_days=working_days,
        count_subtasks=job.count_subtasks,
    )
    reconciliation = reconcile(job.plan, ledger, data) if job.plan else None
    view = build_report_view(
        ledger=ledger,
        data=data,
        plan=job.plan,
        reconciliation=reconciliation,
        team=job.team,
        as_of=job.as_of,
        working_days=working_days,
        sections=job.sections,
        velocity=job.velocity,
    )
    report = render_report(job, view, dry_run=dry_run)
    published = () if dry_run else tuple([await sink.publish(report) for sink in job.sinks])
    return TeamOutcome(
        team=job.team,
        sprint_id=data.sprint.id,
        sprint_name=data.sprint.name,
        totals=ledger.totals,
        report=report,
        published=published,
        blockers=count_open_blockers(ledger, data),
    )


def render_report(job: TeamJob, view: ReportView, *, dry_run: bool = False) -> RenderedReport:
    """Every format the job needs (plain Markdown too on a dry run); the others are ""."""
    templates = job.template_dir
    return RenderedReport(
        team=job.team,
        sprint_id=view.sprint.id,
        sprint_name=view.sprint.name,
        as_of=job.as_of,
        markdown=_markdown(view, templates, "plain") if job.needs_markdown or dry_run else "",
        github_markdown=_markdown(view, templates, "github") if job.needs_github_markdown else "",
        json_text=render_json(view) if job.needs_json else "",
        storage=_storage(view, job.jira_server_id, templates) if job.needs_storage else "",
        svg=_svg(view) if job.needs_svg else "",
        totals=view.totals,
    )


# The Jinja2 renderers load only when their format is rendered: a run that publishes the
# status JSON alone imports no Jinja2 (issue 11, startup), hence each PLC0415 below.


def _markdown(view: ReportView, templates: Path | None, flavor: Literal["plain", "github"]) -> str:
    from sprintsync.report.markdown import render_markdown  # noqa: PLC0415

    return render_markdown(view, template_dir=templates, flavor=flavor)


def _storage(view: ReportView, server_id: str | None, templates: Path | None) -> str:
    from sprintsync.report.storage import render_storage  # noqa: PLC0415

    return render_storage(view, jira_server_id=server_id, template_dir=templates)


def _svg(view: ReportView) -> str:
    from sprintsync.report.svg import render_svg  # noqa: PLC0415

    return render_svg(view)


def check_plan_matches(plan: Plan, *, plan_path: Path, sprint_id: str, sprint_name: str) -> None:
    """Refuse a plan written for another sprint (the plan's `sprint` is an id or a name)."""
    if plan.sprint in {sprint_id, sprint_name}:
        return
    raise ConfigError(
        f"{plan_path}: sprint: the plan is for sprint {plan.sprint!r}, but the tracker's sprint "
        f"is {sprint_name!r} (id {sprint_id}); point the team's `plan` at this sprint's plan"
    )


def log_summary(outcome: TeamOutcome, *, dry_run: bool, requests: int, seconds: float) -> None:
    """The one summary event of a team's run: sprint, figures, destinations, cost."""
    totals = outcome.totals
    log.info(
        "run.summary",
        team=outcome.team,
        sprint=outcome.sprint_name,
        as_of=outcome.report.as_of.isoformat(),
        committed=totals.committed,
        added=totals.added,
        removed=totals.removed,
        completed=totals.completed,
        remaining=totals.remaining,
        scope=totals.scope,
        percent_complete=totals.percent_complete,
        published=[p.destination for p in outcome.published if p.changed],
        unchanged=[p.destination for p in outcome.published if not p.changed],
        dry_run=dry_run,
        requests=requests,
        duration_seconds=round(seconds, 3),
    )
