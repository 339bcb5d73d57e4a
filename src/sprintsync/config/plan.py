"""Reads a sprint plan YAML file into a domain `Plan`; every problem names the file and key."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator

from sprintsync.config.settings import StrictModel, describe_validation_error, read_yaml_mapping
from sprintsync.domain import Plan, PlanBlocker, PlanDay, PlanItem
from sprintsync.domain.points import MAX_POINTS
from sprintsync.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Planned points: finite (`.inf` and `.nan` are refused), not negative, no more than a tracker's.
Points = Annotated[float, Field(ge=0, le=MAX_POINTS, allow_inf_nan=False)]


class BlockerModel(StrictModel):
    """`days[].blockers[]`: a blocker the team noted, shown under Issues & Blockers."""

    text: str
    resolution: str | None = None


class DayModel(StrictModel):
    """`days[]`: the goal of one day, optional notes (Key Insights) and blockers."""

    date: dt.date
    goal: str
    notes: tuple[str, ...] = ()
    blockers: tuple[BlockerModel, ...] = ()

    @field_validator("notes", mode="before")
    @classmethod
    def _one_note_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class ItemModel(StrictModel):
    """`items[]`: a planned deliverable and the tracker issues (or label / epic) that carry it."""

    id: Annotated[str, Field(min_length=1)]
    title: str
    points: Points
    issues: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    epic: str | None = None


class PlanModel(StrictModel):
    """The plan file."""

    sprint: int | str
    theme: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    working_days: tuple[str, ...] = WEEKDAYS[:5]
    total_points: Points | None = None
    days: tuple[DayModel, ...] = ()
    items: tuple[ItemModel, ...] = ()

    @field_validator("working_days")
    @classmethod
    def _known_weekdays(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        days = tuple(day.strip().lower()[:3] for day in value)
        unknown = [day for day in value if day.strip().lower()[:3] not in WEEKDAYS]
        if unknown or not days:
            raise ValueError(f"expected weekday names such as [mon, tue, wed], got {list(value)}")
        return days

    @model_validator(mode="after")
    def _consistent(self) -> PlanModel:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        _no_repeats("items[].id", [item.id for item in self.items])
        _no_repeats("days[].date", [str(day.date) for day in self.days])
        _no_repeats("items[].issues", [key for item in self.items for key in item.issues])
        return self


def _no_repeats(key: str, values: list[str]) -> None:
    repeated = sorted(value for value, count in Counter(values).items() if count > 1)
    if repeated:
        raise ValueError(f"{key}: each value may appear once, repeated: {', '.join(repeated)}")


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file (exit 2 on any problem)."""
    data = read_yaml_mapping(path, what="plan file")
    try:
        model = PlanModel.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(path, error)) from None
    return to_plan(model)


def to_plan(model: PlanModel) -> Plan:
    """The domain value of a validated plan."""
    return Plan(
        sprint=str(model.sprint),
        theme=model.theme,
        start=model.start,
        end=model.end,
        working_days=tuple(WEEKDAYS.index(day) for day in model.working_days),
        total_points=model.total_points,
        days=tuple(
            PlanDay(
                date=day.date,
                goal=day.goal,
                notes=day.notes,
                blockers=tuple(PlanBlocker(b.text, b.resolution) for b in day.blockers),
            )
            for day in model.days
        ),
        items=tuple(
            PlanItem(
                id=item.id,
                title=item.title,
                points=item.points,
                issues=item.issues,
                labels=item.labels,
                epic=item.epic,
            )
            for item in model.items
        ),
    )
