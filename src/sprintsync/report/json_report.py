"""The status JSON of a report view (schema: sprintsync/report/schema.json, version 1)."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from sprintsync.domain import DayFigures, Totals
from sprintsync.report.json_text import indented_json
from sprintsync.report.model import IssueView, PlanDiffView, ReportView
from sprintsync.report.sections.to_json import sections_json

SCHEMA_VERSION = 1


def number(value: float) -> int | float:
    """An integer when whole (75, not 75.0), else the float."""
    return int(value) if value == int(value) else value


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) shipped as package data."""
    text = resources.files("sprintsync.report").joinpath("schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def to_json_data(view: ReportView) -> dict[str, Any]:
    """The report as plain JSON values, keys in a stable order."""
    reported = {day.date for day in view.days}
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "team": view.team,
        "as_of": view.as_of.isoformat(),
        "sprint": {
            "id": view.sprint.id,
            "name": view.sprint.name,
            "goal": view.sprint.goal,
            "state": view.sprint.state,
            "start": view.sprint.start.isoformat(),
            "end": _iso(view.sprint.end),
            "url": view.sprint.url,
        },
        "totals": _totals(view.totals),
        "days": [_day(figures, reported=figures.date in reported) for figures in view.figures],
        "issues": [_issue(issue) for issue in view.issues],
        "plan": _plan(view.plan),
        "excluded_subtasks": list(view.excluded_subtasks),
        "notices": list(view.notices),
    }
    if view.sections is not None:  # only when the config turns a section on (report.sections)
        data["sections"] = sections_json(view.sections)
    return data


def render_json(view: ReportView) -> str:
    """The status JSON: 2-space indent, stable key order, trailing newline."""
    return indented_json(to_json_data(view)) + "\n"


def _totals(totals: Totals) -> dict[str, int | float]:
    return {
        "committed": number(totals.committed),
        "added": number(totals.added),
        "removed": number(totals.removed),
        "completed": number(totals.completed),
        "completed_outside": number(totals.completed_outside),
        "remaining": number(totals.remaining),
        "scope": number(totals.scope),
        "percent_complete": number(totals.percent_complete),
        "estimate_change": number(totals.estimate_change),
    }


def _day(figures: DayFigures, *, reported: bool) -> dict[str, Any]:
    return {
        "date": figures.date.isoformat(),
        "completed_points": number(figures.completed_points),
        "cumulative_points": number(figures.cumulative_points),
        "completed": list(figures.completed),
        "remaining": number(figures.remaining),
        "scope": number(figures.scope),
        "scope_change": number(figures.scope_change),
        "ideal_remaining": number(figures.ideal_remaining),
        "is_working_day": figures.is_working_day,
        "reported": reported,
    }


def _issue(issue: IssueView) -> dict[str, Any]:
    return {
        "key": issue.key,
        "title": issue.title,
        "outcome": issue.outcome,
        "added_after_start": issue.added_after_start,
        "initial_estimate": number(issue.initial_estimate),
        "final_estimate": number(issue.final_estimate),
        "done_on": _iso(issue.done_on),
        "removed_on": _iso(issue.removed_on),
        "unestimated": issue.unestimated,
        "item": issue.item,
        "url": issue.url,
    }


def _plan(plan: PlanDiffView) -> dict[str, Any]:
    return {
        "missing": list(plan.missing),
        "unplanned": list(plan.unplanned),
        "points_mismatch": [
            {"item": m.item, "planned": number(m.planned), "tracker": number(m.tracker)}
            for m in plan.points_mismatch
        ],
        "date_mismatch": [
            {"field": m.field, "planned": m.planned.isoformat(), "tracker": m.tracker.isoformat()}
            for m in plan.date_mismatch
        ],
    }
