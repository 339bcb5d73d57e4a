"""The optional sections as plain JSON values (schema: report/schema.json, `sections`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sprintsync.report.sections.model import (
    BlockerAgeView,
    ChangesView,
    ForecastView,
    QualityCheck,
    SectionsView,
    StuckView,
    VelocityView,
)


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == int(value) else value


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def sections_json(view: SectionsView) -> dict[str, Any]:
    """Each section turned on, by name; a section turned off is absent."""
    found: dict[str, Any] = {}
    if view.changes is not None:
        found["changes"] = _changes(view.changes)
    if view.forecast is not None:
        found["forecast"] = _forecast(view.forecast)
    if view.blockers is not None:
        found["blockers"] = [_blocker(b) for b in view.blockers]
    if view.stuck is not None:
        found["stuck"] = {
            "after_working_days": view.stuck_after_days,
            "issues": [_stuck(s) for s in view.stuck],
        }
    if view.data_quality is not None:
        found["data_quality"] = [_check(c) for c in view.data_quality]
    if view.velocity is not None:
        found["velocity"] = _velocity(view.velocity)
    return found


def _velocity(view: VelocityView) -> dict[str, Any]:
    return {
        "sprints": [
            {
                "name": s.name,
                "committed": _number(s.committed),
                "completed": _number(s.completed),
                "predictability": _number(s.predictability),
            }
            for s in view.sprints
        ],
        "wanted": view.wanted,
        "average_committed": _number(view.average_committed),
        "average_completed": _number(view.average_completed),
        "predictability": _number(view.predictability),
        "current_committed": _number(view.current_committed),
        "lines": list(view.lines),
        "notices": list(view.notices),
    }


def _forecast(view: ForecastView) -> dict[str, Any]:
    return {
        "remaining": _number(view.remaining),
        "working_days_left": view.working_days_left,
        "enough_history": view.enough_history,
        "history": [
            {"date": d.date.isoformat(), "points": _number(d.points), "completed": list(d.keys)}
            for d in view.history
        ],
        "pace": _number(view.pace),
        "pace_finish": _iso(view.pace_finish),
        "runs": view.runs,
        "seed": view.seed,
        "probability_by_end": _number(view.probability_by_end),
        "finish_p50": _iso(view.finish_p50),
        "finish_p85": _iso(view.finish_p85),
        "unfinished_runs": view.unfinished_runs,
        "lines": list(view.lines),
    }


def _changes(view: ChangesView) -> dict[str, Any]:
    return {
        "since": view.since.isoformat(),
        "since_start": view.since_start,
        "added": list(view.added),
        "removed": list(view.removed),
        "reestimated": [
            {"key": r.key, "before": _number(r.before), "after": _number(r.after)}
            for r in view.reestimated
        ],
        "reopened": list(view.reopened),
        "newly_blocked": list(view.newly_blocked),
    }


def _blocker(view: BlockerAgeView) -> dict[str, Any]:
    found = _blocker_fields(view)
    if view.resolution is not None:  # only resolved blockers carry it (earlier files unchanged)
        found["resolution"] = view.resolution
    return found


def _blocker_fields(view: BlockerAgeView) -> dict[str, Any]:
    return {
        "key": view.key,
        "title": view.title,
        "assignee": view.assignee,
        "flagged_since": _iso(view.flagged_since),
        "age_working_days": view.age_working_days,
        "blocked_by": list(view.blocked_by),
        "blocks": list(view.blocks),
    }


def _stuck(view: StuckView) -> dict[str, Any]:
    return {
        "key": view.key,
        "title": view.title,
        "assignee": view.assignee,
        "in_progress_since": _iso(view.in_progress_since),
        "in_progress_days": view.in_progress_days,
        "last_change": _iso(view.last_change),
        "days_without_change": view.days_without_change,
        "reasons": list(view.reasons),
    }


def _check(view: QualityCheck) -> dict[str, Any]:
    return {"check": view.check, "keys": list(view.keys), "text": view.text}
