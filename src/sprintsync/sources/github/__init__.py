"""GitHub Projects source: an iteration's items and their snapshot history into SprintData."""

from sprintsync.sources.github.blocked import BlockedMarker
from sprintsync.sources.github.source import GitHubProjectsSource

__all__ = ["BlockedMarker", "GitHubProjectsSource"]
