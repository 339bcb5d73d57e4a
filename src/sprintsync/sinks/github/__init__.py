"""GitHub sinks: the issue/PR comment and the GitHub Actions outputs and job summary."""

from sprintsync.sinks.github.actions import report_to_actions
from sprintsync.sinks.github.comment import GitHubCommentSink, github_headers

__all__ = ["GitHubCommentSink", "github_headers", "report_to_actions"]
