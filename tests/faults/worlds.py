"""The services under test: each a set of fakes wired into one team's config."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakes.github_rest import FakeGitHubComments
from fakes.jira import FakeJira
from fakes.jira_sample import sample_jira
from fakes.server import serve
from faults.injector import Handler

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
    jira_url: str = ""
    url: str = ""

    def start(self, stack: ExitStack, wrap: Callable[[Handler], Handler]) -> None:
        """Serve both fakes; faults go around GitHub only."""
        self.github.token = GITHUB_TOKEN
        self.github.add_issue("acme/web", 42)
        self.jira_url = stack.enter_context(sample_jira().running()).url
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
        return [body.replace(self.jira_url, "http://jira.fake") for body in bodies]
