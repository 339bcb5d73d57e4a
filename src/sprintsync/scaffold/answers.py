"""`sprintsync init`'s answers: from flags, else asked on a terminal, else an error naming it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sprintsync.errors import ConfigError

Ask = Callable[[str], str]  # a prompt -> the answer typed (input() on a terminal)

TRACKERS = ("jira", "github")
DESTINATIONS = ("file", "confluence", "github_comment")


@dataclass(frozen=True, kw_only=True)
class Answers:
    """What `init` writes: one team, its tracker, one destination, and where the files go."""

    team: str
    tracker: str
    timezone: str
    out: Path
    plan_out: Path
    source: dict[str, str] = field(default_factory=dict)  # key -> YAML scalar text
    destination: str
    sink: dict[str, str] = field(default_factory=dict)
    now: datetime | None = None  # the clock for reading the current sprint (None: now)


def add_init_arguments(init: argparse.ArgumentParser) -> None:
    """The flags of `sprintsync init` (every one may instead be asked on a terminal)."""
    init.add_argument("--team", help="the team's name (letters, digits, _ . -)")
    init.add_argument("--tracker", choices=TRACKERS, help="where the sprint comes from")
    init.add_argument("--url", help="Jira: the site's root URL, e.g. https://acme.atlassian.net")
    init.add_argument(
        "--deployment", choices=("cloud", "datacenter"), help="Jira: if not *.atlassian.net"
    )
    init.add_argument("--board", type=int, help="Jira: the board id (rapidView=N in its URL)")
    init.add_argument("--owner", help="GitHub: the project's organization or user")
    init.add_argument("--project", type=int, help="GitHub: the project number")
    init.add_argument("--destination", choices=DESTINATIONS, help="where the report goes")
    init.add_argument("--path", help="file: the report file (.md, .json or .xhtml)")
    init.add_argument(
        "--confluence-url", help="confluence: the site, e.g. https://acme.atlassian.net/wiki"
    )
    init.add_argument("--space", help="confluence: the space key")
    init.add_argument("--parent", help="confluence: the parent page id (optional)")
    init.add_argument("--repo", help="github_comment: owner/name")
    init.add_argument("--issue", type=int, help="github_comment: issue or pull-request number")
    init.add_argument("--timezone", default="UTC", help="IANA time zone (default UTC)")
    init.add_argument("--out", type=Path, default=Path("sprintsync.yaml"), help="config to write")
    init.add_argument(
        "--plan-out", type=Path, default=Path("plans/current.yaml"), help="plan skeleton to write"
    )


@dataclass(frozen=True, kw_only=True)
class _Asker:
    args: argparse.Namespace
    ask: Ask | None  # None: not a terminal, a missing answer is an error

    def get(
        self, name: str, prompt: str, *, choices: tuple[str, ...] = (), default: str = ""
    ) -> str:
        given = getattr(self.args, name, None)
        if given is not None:
            return str(given)
        flag = "--" + name.replace("_", "-")
        if self.ask is None:
            if default:
                return default
            raise ConfigError(
                f"sprintsync init: {flag} is required when stdin is not a terminal"
                + (f" (one of {', '.join(choices)})" if choices else "")
            )
        return self._prompt(flag, prompt, choices=choices, default=default)

    def _prompt(self, flag: str, prompt: str, *, choices: tuple[str, ...], default: str) -> str:
        assert self.ask is not None  # noqa: S101 - narrowed by the caller
        hint = f" [{'/'.join(choices)}]" if choices else ""
        hint += f" ({default})" if default else ""
        for _ in range(3):
            answer = self.ask(f"{prompt}{hint}: ").strip() or default
            if answer and (not choices or answer in choices):
                return answer
        raise ConfigError(f"sprintsync init: no valid answer for {flag}")


def gather(args: argparse.Namespace, *, ask: Ask | None) -> Answers:
    """Every answer `init` needs, from the flags first, then the terminal."""
    asker = _Asker(args=args, ask=ask)
    team = asker.get("team", "Team name", default="team")
    tracker = asker.get("tracker", "Tracker", choices=TRACKERS)
    if tracker == "jira":
        source = {
            "url": asker.get("url", "Jira site URL"),
            "board": asker.get("board", "Board id"),
        }
        if args.deployment:
            source["deployment"] = args.deployment
    else:
        source = {
            "owner": asker.get("owner", "Project owner (organization or user)"),
            "project": asker.get("project", "Project number"),
        }
    destination = asker.get("destination", "Destination", choices=DESTINATIONS)
    return Answers(
        team=team,
        tracker=tracker,
        timezone=asker.get("timezone", "Time zone", default="UTC"),
        out=args.out,
        plan_out=args.plan_out,
        source=source,
        destination=destination,
        sink=_sink_answers(asker, destination, team=team),
        now=getattr(args, "now", None),
    )


def _sink_answers(asker: _Asker, destination: str, *, team: str) -> dict[str, str]:
    if destination == "file":
        return {"path": asker.get("path", "Report file", default=f"out/{team}.md")}
    if destination == "confluence":
        sink = {
            "url": asker.get("confluence_url", "Confluence site URL"),
            "space": asker.get("space", "Space key"),
        }
        parent = getattr(asker.args, "parent", None)
        return {**sink, "parent": parent} if parent else sink
    return {
        "repo": asker.get("repo", "Repository (owner/name)"),
        "issue": asker.get("issue", "Issue or pull-request number"),
    }
