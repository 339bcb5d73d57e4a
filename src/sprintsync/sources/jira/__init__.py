"""Jira Cloud and Data Center sources: sprint, issues and changelogs into SprintData."""

from sprintsync.sources.jira.source import JiraCloudSource, JiraDataCenterSource

__all__ = ["JiraCloudSource", "JiraDataCenterSource"]
