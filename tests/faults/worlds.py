"""The services under test: each a set of fakes wired into one team's config."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakes.jira import FakeJira
from fakes.jira_sample import sample_jira
from fakes.server import serve
from faults.injector import Handler

JIRA_EMAIL = "bot@example.com"
JIRA_TOKEN = "api-token-123"


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
