"""The services under test: each a set of fakes wired into one team's config."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fakes.confluence import FakeConfluence
from fakes.github_graphql import FakeGitHub
from fakes.github_rest import FakeGitHubComments
from fakes.jira import FakeJira
from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import sample_jira_dc
from fakes.jira_sample import sample_jira
from fakes.server import serve
from faults.injector import Handler
from github_helpers import board

JIRA_EMAIL = "bot@example.com"
JIRA_TOKEN = "api-token-123"
GITHUB_TOKEN = "ghs_fake_token"


@dataclass
class JiraWorld:
    """Jira Cloud as the source, a Markdown file as the destination."""

    env: dict[str, str] = field(
        default_factory=lambda: {
            "SPRINTSYNC_JIRA_EMAIL": JIRA_EMAIL,
            "SPRINTSYNC_JIRA_TOKEN": JIRA_TOKEN,
        }
    )
    jira: FakeJira = field(default_factory=sample_jira)
    url: str = ""

    def start(self, stack: ExitStack, wrap: Callable[[Handler], Handler]) -> None:
        """Serve the fake Jira, faults around it."""
        self.url = stack.enter_context(serve(wrap(self.jira.handle))).url

    def team(self, tmp_path: Path) -> dict[str, Any]:
        """Board 7 of the fake site, published to out/abc.md."""
        return {
            "name": "abc",
            "source": {"type": "jira", "url": self.url, "board": 7, "deployment": "cloud"},
            "publish": [{"type": "file", "path": str(tmp_path / "out" / "abc.md")}],
        }

    def destination(self, tmp_path: Path) -> str | None:
        """The Markdown file's text (the fake's port masked), or None when nothing was written."""
        path = tmp_path / "out" / "abc.md"
        if not path.exists():
            return None
        return path.read_text(encoding="utf-8").replace(self.url, "http://jira.fake")


@dataclass
class JiraDataCenterWorld:
    """Jira Data Center as the source (PAT), a Markdown file as the destination."""

    env: dict[str, str] = field(default_factory=lambda: {"SPRINTSYNC_JIRA_PAT": "dc-pat-123"})
    jira: FakeJiraDataCenter = field(default_factory=sample_jira_dc)
    url: str = ""

    start = JiraWorld.start
    destination = JiraWorld.destination

    def team(self, tmp_path: Path) -> dict[str, Any]:
        """Board 7 of the fake Data Center site, published to out/abc.md."""
        return {
            "name": "abc",
            "source": {"type": "jira", "url": self.url, "board": 7, "deployment": "datacenter"},
            "publish": [{"type": "file", "path": str(tmp_path / "out" / "abc.md")}],
        }


@dataclass
class GitHubCommentWorld:
    """A clean fake Jira as the source; the GitHub comment sink is the service under test."""

    env: dict[str, str] = field(
        default_factory=lambda: {
            "SPRINTSYNC_JIRA_EMAIL": JIRA_EMAIL,
            "SPRINTSYNC_JIRA_TOKEN": JIRA_TOKEN,
            "SPRINTSYNC_GITHUB_TOKEN": GITHUB_TOKEN,
        }
    )
    github: FakeGitHubComments = field(default_factory=FakeGitHubComments)
    jira_token: str = JIRA_TOKEN
    fault_jira_too: bool = False
    jira_url: str = ""
    url: str = ""

    def start(self, stack: ExitStack, wrap: Callable[[Handler], Handler]) -> None:
        """Serve both fakes; faults go around GitHub only."""
        self.github.token = self.env["SPRINTSYNC_GITHUB_TOKEN"]
        self.github.add_issue("acme/web", 42)
        jira = sample_jira()
        jira.token = self.jira_token
        handler = wrap(jira.handle) if self.fault_jira_too else jira.handle
        self.jira_url = stack.enter_context(serve(handler)).url
        self.url = stack.enter_context(serve(wrap(self.github.handle))).url

    def team(self, tmp_path: Path) -> dict[str, Any]:  # noqa: ARG002 - nothing local
        """Board 7, one sticky comment on acme/web#42."""
        return {
            "name": "abc",
            "source": {"type": "jira", "url": self.jira_url, "board": 7, "deployment": "cloud"},
            "publish": [
                {"type": "github_comment", "repo": "acme/web", "issue": 42, "api_url": self.url}
            ],
        }

    def destination(self, tmp_path: Path) -> list[str]:  # noqa: ARG002 - remote
        """The comment bodies on acme/web#42 (the fake Jira's port masked)."""
        bodies = self.github.bodies("acme/web", 42)
        if not self.jira_url:
            return bodies
        return [body.replace(self.jira_url, "http://jira.fake") for body in bodies]


PAGE_TITLE = "ABC Sprint 42 Daily Status Report"
ANCHOR = re.compile(r"sprintsync-report-[0-9a-f]{64}")


@dataclass
class ConfluenceWorld:
    """A clean fake Jira as the source; yesterday's page already in Confluence, to update."""

    flavor: Literal["cloud", "datacenter"] = "cloud"
    env: dict[str, str] = field(
        default_factory=lambda: {
            "SPRINTSYNC_JIRA_EMAIL": JIRA_EMAIL,
            "SPRINTSYNC_JIRA_TOKEN": JIRA_TOKEN,
            "SPRINTSYNC_CONFLUENCE_EMAIL": "bot@acme.test",
            "SPRINTSYNC_CONFLUENCE_TOKEN": "cloud-token",
            "SPRINTSYNC_CONFLUENCE_PAT": "dc-pat",
        }
    )
    confluence: FakeConfluence | None = None
    jira_token: str = JIRA_TOKEN
    fault_jira_too: bool = False
    jira_url: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        self.confluence = FakeConfluence(flavor=self.flavor)
        self.confluence.add_page(PAGE_TITLE, "<p>Yesterday's report</p>")

    def start(self, stack: ExitStack, wrap: Callable[[Handler], Handler]) -> None:
        """Serve both fakes; faults go around Confluence only."""
        assert self.confluence is not None
        jira = sample_jira()
        jira.token = self.jira_token
        handler = wrap(jira.handle) if self.fault_jira_too else jira.handle
        self.jira_url = stack.enter_context(serve(handler)).url
        server = stack.enter_context(serve(wrap(self.confluence.handle)))
        self.url = server.url + self.confluence.base

    def team(self, tmp_path: Path) -> dict[str, Any]:  # noqa: ARG002 - nothing local
        """Board 7, published to space ENG."""
        return {
            "name": "abc",
            "source": {"type": "jira", "url": self.jira_url, "board": 7, "deployment": "cloud"},
            "publish": [
                {"type": "confluence", "url": self.url, "space": "ENG", "deployment": self.flavor}
            ],
        }

    def destination(self, tmp_path: Path) -> list[tuple[str, list[str]]]:  # noqa: ARG002
        """Every page: its title and each version's body (the fake Jira's port masked)."""
        assert self.confluence is not None
        return [
            (page.title, [self._masked(v.body) for v in page.versions])
            for page in self.confluence.pages.values()
        ]

    def _masked(self, body: str) -> str:
        """The body with the fakes' ports masked (the anchor id hashes the site URL)."""
        body = ANCHOR.sub("sprintsync-report-<id>", body)
        return body.replace(self.jira_url, "http://jira.fake") if self.jira_url else body


def confluence_dc() -> ConfluenceWorld:
    """Confluence Data Center (REST v1, PAT)."""
    return ConfluenceWorld(flavor="datacenter")


@dataclass
class GitHubProjectsWorld:
    """GitHub Projects (GraphQL) as the source, a status JSON file as the destination."""

    env: dict[str, str] = field(default_factory=lambda: {"GITHUB_TOKEN": "ghp_fake_valid"})
    github: FakeGitHub = field(default_factory=lambda: FakeGitHub(board()))
    url: str = ""

    def start(self, stack: ExitStack, wrap: Callable[[Handler], Handler]) -> None:
        """Serve the fake GraphQL endpoint, faults around it."""
        self.url = stack.enter_context(serve(wrap(self.github.handle))).url

    def team(self, tmp_path: Path) -> dict[str, Any]:
        """Project 5 of acme, published to out/shop.md."""
        return {
            "name": "shop",
            "source": {"type": "github", "owner": "acme", "project": 5, "api_url": self.url},
            "publish": [{"type": "file", "path": str(tmp_path / "out" / "shop.md")}],
        }

    def destination(self, tmp_path: Path) -> str | None:
        """The Markdown file's text, or None when nothing was written."""
        path = tmp_path / "out" / "shop.md"
        return path.read_text(encoding="utf-8") if path.exists() else None
