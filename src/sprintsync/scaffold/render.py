"""The text `sprintsync init` writes: a commented config and a plan skeleton (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sprintsync.scaffold.answers import Answers

SCHEMA_LINE = "# yaml-language-server: $schema={schema}\n"

CREDENTIALS = {
    "jira": "SPRINTSYNC_JIRA_EMAIL + SPRINTSYNC_JIRA_TOKEN (Cloud), "
    "or SPRINTSYNC_JIRA_PAT (Data Center)",
    "github": "SPRINTSYNC_GITHUB_TOKEN (a token that may read the project)",
    "file": "",
    "confluence": "SPRINTSYNC_CONFLUENCE_EMAIL + SPRINTSYNC_CONFLUENCE_TOKEN (or the Jira pair), "
    "or SPRINTSYNC_CONFLUENCE_PAT (Data Center)",
    "github_comment": "SPRINTSYNC_GITHUB_TOKEN (issues: write / pull-requests: write)",
}

SOURCE_COMMENTS = {
    "url": "the site's root URL (not a board URL)",
    "board": "the number in the board's URL (rapidView=N or /boards/N)",
    "deployment": "cloud | datacenter; unset: *.atlassian.net is Cloud",
    "owner": "the organization or user that owns the project",
    "project": "the number in the project's URL (/projects/N)",
}
SINK_COMMENTS = {
    "path": ".md Markdown, .json status JSON, .xhtml Confluence storage",
    "url": "Confluence Cloud: https://SITE.atlassian.net/wiki",
    "space": "the space key",
    "parent": "the parent page id",
    "repo": "owner/name",
    "issue": "an issue or pull-request number",
}


@dataclass(frozen=True, kw_only=True)
class SprintFacts:
    """What the tracker said about the current sprint (None: read nothing)."""

    sprint: str
    start: date | None = None
    end: date | None = None
    items: tuple[tuple[str, str, float], ...] = ()  # (key, title, points)


INTEGER_KEYS = frozenset({"board", "project", "issue"})  # the models' int fields


def _scalar(value: str, *, integer: bool = False) -> str:
    return value if integer and value.isdigit() else json.dumps(value, ensure_ascii=False)


def _keys(values: dict[str, str], comments: dict[str, str], *, indent: str) -> list[str]:
    return [
        f"{indent}{key}: {_scalar(value, integer=key in INTEGER_KEYS):<24} # "
        f"{comments.get(key, '')}".rstrip(" #")
        for key, value in values.items()
    ]


def render_config(answers: Answers, *, schema: str, plan: str) -> str:
    """The config file: the schema line, every choice explained, credentials named."""
    needs = [CREDENTIALS[answers.tracker], CREDENTIALS[answers.destination]]
    lines = [
        SCHEMA_LINE.format(schema=schema).rstrip("\n"),
        "# sprintsync config written by `sprintsync init`. Check it offline with:",
        f"#   sprintsync check --config {answers.out}",
        "# Secrets never go here; set them in the environment:",
        *(f"#   {need}" for need in dict.fromkeys(needs) if need),
        "# Every key: docs/configure-a-team.md, or `sprintsync schema config`.",
        "",
        f"timezone: {_scalar(answers.timezone)}  # IANA zone for calendar days and 'today'",
        "",
        "# state:",
        "#   path: .sprintsync/state.db  # snapshots (GitHub Projects) and run locks",
        "",
        "teams:",
        f"  - name: {_scalar(answers.team)}  # used in locks, comment markers and file names",
        "    source:",
        f"      type: {answers.tracker}",
        *_keys(answers.source, SOURCE_COMMENTS, indent="      "),
        f"    plan: {_scalar(plan)}  # the sprint plan; relative to this file",
        "    publish:",
        f"      - type: {answers.destination}",
        *_keys(answers.sink, SINK_COMMENTS, indent="        "),
    ]
    return "\n".join(lines) + "\n"


PLACEHOLDER_NOTE = (
    "# A skeleton with placeholders: no credentials were found, so the tracker was not asked.\n"
    "# Set `sprint` to the sprint's id or exact name, then list what the team means to do.\n"
)


def render_plan(facts: SprintFacts | None, *, reason: str = "") -> str:
    """The plan skeleton: the current sprint's issues, or placeholders with a comment why."""
    head = "# The sprint plan (docs/configure-a-team.md): what the team meant to do.\n"
    if facts is None:
        note = PLACEHOLDER_NOTE if not reason else f"# A skeleton with placeholders: {reason}\n"
        return (
            head
            + note
            + (
                'sprint: "REPLACE with the sprint id or exact name"\n'
                'theme: ""\n'
                "working_days: [mon, tue, wed, thu, fri]\n"
                "days: []\n"
                "items:\n"
                "  - {id: ITEM-1, title: REPLACE, points: 0, issues: [KEY-1]}\n"
            )
        )
    lines = [
        head.rstrip("\n"),
        "# Read from the tracker by `sprintsync init`; edit titles and group issues as planned.",
        f"sprint: {_scalar(facts.sprint)}",
        'theme: ""',
    ]
    if facts.start:
        lines.append(f"start: {facts.start.isoformat()}")
    if facts.end:
        lines.append(f"end: {facts.end.isoformat()}")
    lines += ["working_days: [mon, tue, wed, thu, fri]", "days: []"]
    lines.append("items:" if facts.items else "items: []")
    for key, title, points in facts.items:
        shown = int(points) if float(points).is_integer() else points
        lines.append(
            f"  - {{id: {_scalar(key)}, title: {_scalar(title)}, points: {shown}, "
            f"issues: [{_scalar(key)}]}}"
        )
    return "\n".join(lines) + "\n"
