"""GitHub sinks: the issue/PR comment and the GitHub Actions outputs and job summary.

The names load on first use: a run that publishes no comment never imports the comment sink.
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sprintsync.sinks.github.actions import report_to_actions
    from sprintsync.sinks.github.comment import GitHubCommentSink, github_headers

_HOMES = {
    "GitHubCommentSink": "sprintsync.sinks.github.comment",
    "github_headers": "sprintsync.sinks.github.comment",
    "report_to_actions": "sprintsync.sinks.github.actions",
}


def __getattr__(name: str) -> object:
    """A sink's name, its module imported now."""
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["GitHubCommentSink", "github_headers", "report_to_actions"]
