"""What every tracker adapter offers the application."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sprintsync.domain import SprintData


class Source(Protocol):
    """A tracker adapter: the sprint and every issue's history up to `cutoff`."""

    async def fetch(self, *, cutoff: datetime) -> SprintData:
        """Fetch the sprint and the histories of every issue that may belong to it."""
        ...
