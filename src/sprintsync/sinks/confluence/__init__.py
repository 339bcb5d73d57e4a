"""Confluence sink: one page per sprint on Cloud (REST v2) or Data Center (REST v1)."""

from sprintsync.sinks.confluence.sink import ConfluenceSink

__all__ = ["ConfluenceSink"]
