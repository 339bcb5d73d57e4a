"""The sample world of jira_sample.py as a Jira Data Center site (API-NOTES A.9).

The same issues, sprints and histories (so the same timelines), but as Data Center sends
them: timestamps in the site's zone (`+0100`), the description in wiki markup, ABC-4 and
ABC-5 with the legacy Sprint string form (a goal holding commas and brackets).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone
from typing import Any

from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_sample import sample_jira
from fakes.jira_world import SPRINT_FIELD, FakeIssue
from fakes.jql import moment

SITE_ZONE = timezone(timedelta(hours=1))
WIKI = {
    "ABC-1": (
        "Why:\r\n* Raise the timeout\r\n* Add a retry\r\n\r\n"
        "h3. Outcome\r\nResult: checkout completes under load"
    ),
}
LEGACY_KEYS = {"ABC-4", "ABC-5"}
GOAL_WITH_COMMAS = "Ship checkout v2, then [id=99] polish, maybe"


def in_site_zone(text: str) -> str:
    """An issue timestamp re-expressed in the site zone: `2026-11-13T16:00:00.000+0100`."""
    local = moment(text).astimezone(SITE_ZONE)
    millis = f"{local.microsecond // 1000:03d}"
    return f"{local.strftime('%Y-%m-%dT%H:%M:%S')}.{millis}{local.strftime('%z')}"


def to_dc_issue(issue: FakeIssue) -> FakeIssue:
    """The Cloud issue as Data Center holds it: local timestamps, wiki markup, plain goals."""
    fields: dict[str, Any] = {
        **issue.fields,
        "created": in_site_zone(issue.fields["created"]),
        "updated": in_site_zone(issue.fields["updated"]),
        "description": WIKI.get(issue.key),
    }
    if issue.key in LEGACY_KEYS:
        sprints = fields[SPRINT_FIELD] or []
        fields[SPRINT_FIELD] = [{**s, "goal": s.get("goal") and GOAL_WITH_COMMAS} for s in sprints]
    histories = [{**h, "created": in_site_zone(h["created"])} for h in issue.histories]
    return replace(issue, fields=fields, histories=histories)


def sample_jira_dc(**options: Any) -> FakeJiraDataCenter:
    """A fresh FakeJiraDataCenter holding the sample world (board 7, sprints 41-43)."""
    cloud = sample_jira()
    issues = [to_dc_issue(i) for i in cloud.issues]
    return FakeJiraDataCenter(
        boards=cloud.boards, issues=issues, legacy_sprint_keys=set(LEGACY_KEYS), **options
    )
