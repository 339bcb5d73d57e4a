"""Jira Cloud source: sprint, issues and changelogs into SprintData."""

from sprintsync.sources.jira.source import JiraCloudSource

__all__ = ["JiraCloudSource"]
