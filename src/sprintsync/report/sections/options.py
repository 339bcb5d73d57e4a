"""Which optional report sections a team turns on (`report.sections` in the config)."""

from __future__ import annotations

from dataclasses import dataclass

FORECAST = "forecast"
BLOCKERS = "blockers"
STUCK = "stuck"
CHANGES = "changes"
DATA_QUALITY = "data_quality"
VELOCITY = "velocity"
SECTION_NAMES = (FORECAST, BLOCKERS, STUCK, CHANGES, DATA_QUALITY, VELOCITY)


@dataclass(frozen=True, kw_only=True)
class SectionOptions:
    """The optional sections to build (none by default: the sample's shape) and their knobs."""

    sections: frozenset[str] = frozenset()
    stuck_after_days: int = 3  # working days in progress (or without an update) before "stuck"
    forecast_runs: int = 10_000
    velocity_sprints: int = 6  # closed sprints in the velocity history

    def wants(self, name: str) -> bool:
        """Whether the section `name` is on."""
        return name in self.sections
