"""The resolution of a cleared flag: the note the source read from the clearing comment (pure)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sprintsync.domain import TrackedIssue

FLAG_CLEARED = "flag cleared"  # the resolution of a clear without a note


def build_resolution(
    issue: TrackedIssue | None, day: date, *, zone: ZoneInfo, cutoff: datetime
) -> str | None:
    """The text of the last flag-clear note on `day` (team zone) up to `cutoff`, else None."""
    found = None
    for moment, text in issue.flag_notes if issue else ():
        if moment <= cutoff and moment.astimezone(zone).date() == day:
            found = text
    return found
