"""sprintsync: daily sprint status reports whose numbers equal Jira's Sprint Report."""

__version__ = "0.1.0"
