"""The generated world of jira_bulk.py as a Jira Data Center site, with real DC page sizes.

The same issues, sprints and histories, but as Data Center holds them (jira_dc_sample.py):
timestamps in the site's zone, descriptions in wiki markup, every seventh issue's Sprint
field in the legacy string form. Searches page at `jira.search.views.default.max` (1000, A.9),
whatever `maxResults` asks beyond it; the embedded changelog holds the newest 100 histories.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fakes.jira_bulk import bulk_jira
from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import in_site_zone
from fakes.jira_world import FakeIssue

SEARCH_MAX = 1000  # jira.search.views.default.max, Data Center's default cap on maxResults


def wiki_description(issue: FakeIssue) -> str | None:
    """A wiki-markup description where the Cloud issue has an ADF one."""
    if issue.fields.get("description") is None:
        return None
    return (
        f"{issue.fields['summary']}: make the checkout flow faster for every shopper.\r\n"
        "* Profile the slow path\r\n* Cache the cart\r\n* Measure again"
    )


def to_dc(issue: FakeIssue) -> FakeIssue:
    """One generated Cloud issue as Data Center holds it."""
    fields: dict[str, Any] = {
        **issue.fields,
        "created": in_site_zone(issue.fields["created"]),
        "updated": in_site_zone(issue.fields["updated"]),
        "description": wiki_description(issue),
    }
    histories = [{**h, "created": in_site_zone(h["created"])} for h in issue.histories]
    return replace(issue, fields=fields, histories=histories)


def bulk_jira_dc(count: int, *, seed: int = 7, **options: Any) -> FakeJiraDataCenter:
    """A FakeJiraDataCenter with board 7 (sprints 41-43) and `count` generated issues."""
    cloud = bulk_jira(count, seed=seed)
    issues = [to_dc(i) for i in cloud.issues]
    settings: dict[str, Any] = {
        "page_size": SEARCH_MAX,
        "changelog_page_size": 100,
        "sprint_page_size": 50,
        "embedded_histories": 100,
        "legacy_sprint_keys": {i.key for i in issues[::7]},
        **options,
    }
    return FakeJiraDataCenter(boards=cloud.boards, issues=issues, **settings)
