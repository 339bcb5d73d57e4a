from __future__ import annotations

import dataclasses
import re
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip(
    "sprintsync.report.markdown", reason="the GitHub Markdown renderer (issue: report) not merged"
)

from fakes.github_rest import FakeGitHubComments, serve_github
from report.sprint5_data import AS_OF, CUTOFF, sprint_data
from sprintsync.app import TeamJob, run_team
from sprintsync.domain import SprintData
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sinks.github.comment import GitHubCommentSink, github_headers
from sprintsync.sinks.github.split import build_blocks

HOSTILE = "@octocat | <b>x</b> #1"


class StubSource:
    """A source that returns fixed sprint data."""

    def __init__(self, data: SprintData) -> None:
        self.data = data

    async def fetch(self, *, cutoff):  # noqa: ARG002 - the Source protocol
        """The fixed data, whatever the cut-off."""
        return self.data


def hostile_data() -> SprintData:
    """Sprint 5 with a completed issue titled like an attack on the Markdown."""
    data = sprint_data()
    issues = tuple(
        dataclasses.replace(i, title=HOSTILE) if i.key == "PRD-101" else i for i in data.issues
    )
    return dataclasses.replace(data, issues=issues)


async def test_tracker_title_reaches_the_comment_as_plain_text():
    """A title '@octocat | <b>x</b> #1' cannot mention, inject HTML, break a table or link."""
    fake = FakeGitHubComments()
    fake.add_issue("acme/shop", 42)
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    with serve_github(fake) as server:
        client = build_client(
            service="github",
            base_url=server.url,
            budget=budget,
            headers=github_headers("ghs_fake_token"),
        )
        async with client:
            sink = GitHubCommentSink(client, repo="acme/shop", issue=42, team="platform")
            job = TeamJob(
                team="platform",
                source=StubSource(hostile_data()),
                sinks=[sink],
                plan=None,
                plan_path=None,
                timezone=ZoneInfo("America/New_York"),
                cutoff=CUTOFF,
                as_of=AS_OF,
            )
            await run_team(job)
    body = "\n".join(fake.bodies("acme/shop", 42))
    assert "octocat" in body  # the title is shown ...
    assert re.search(r"(?<![\w`\\])@octocat", body) is None  # ... but mentions nobody
    assert "<b>" not in body
    assert re.search(r"(?<![\w&`\\])#1\b", body) is None  # no issue cross-reference
    for block in build_blocks(body.split("\n")):
        if block.kind == "table":
            cells = [len(re.findall(r"(?<!\\)\|", line)) for line in block.lines]
            assert len(set(cells)) == 1, block.lines  # the title's "|" opened no extra cell
