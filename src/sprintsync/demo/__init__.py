"""Recorded Jira Cloud answers for `--demo`: Sprint 5 of board 42, served without a network.

The world (package data under `demo/jira/`, each file a real-shaped response body): board 42
(project PRD, filter 10010), active sprint 5 "Sprint 5" (goal "Production Readiness",
2025-01-24T08:00Z to 2025-02-04T17:00Z), issues PRD-101..PRD-113 (75 points, field
customfield_10016) as of the end of day 2 (2025-01-25, Europe/Berlin). `routes.json` maps
method + path (+ JQL prefix, + nextPageToken) to a file. `greenhopper-sprintreport-5.json` is
Jira's own Sprint Report of sprint 5 for `sprintsync audit`, shaped like the Cloud capture in
API-NOTES A.5.5 (inline names) and agreeing with our figures (75 committed, 22 completed, 53
not completed); generated from these recordings by tests/fakes/jira_report.py, names filled in.
No Velocity recording: sprint 5 is active and the chart lists closed sprints only.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import httpx

from sprintsync.domain import JSON

DEMO_BASE_URL = "https://sprintsync-demo.atlassian.net"
DEMO_BOARD = 42
DEMO_SPRINT = 5
DEMO_TIMEZONE = "Europe/Berlin"


@cache
def _load(name: str) -> JSON:
    return json.loads(resources.files(__package__).joinpath("jira", name).read_text("utf-8"))


def _matches(route: dict[str, Any], request: httpx.Request) -> bool:
    if route["method"] != request.method or route["path"] != request.url.path:
        return False
    if request.method != "POST":
        return True
    body = json.loads(request.content or b"{}")
    prefix = route.get("jql_prefix")
    if prefix is not None and not str(body.get("jql", "")).startswith(prefix):
        return False
    return bool(route.get("token") == body.get("nextPageToken"))


def _answer(request: httpx.Request) -> httpx.Response:
    for route in _load("routes.json"):
        if _matches(route, request):
            return httpx.Response(200, json=_load(route["file"]))
    message = f"The demo has no recorded answer for {request.method} {request.url.path}"
    return httpx.Response(404, json={"errorMessages": [message], "errors": {}})


def demo_transport() -> httpx.MockTransport:
    """A transport that answers the Jira requests of JiraCloudSource from the recorded files."""
    return httpx.MockTransport(_answer)
