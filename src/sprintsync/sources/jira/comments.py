"""Flag-clear notes: the comment made when an issue's flag was cleared, as its resolution.

When a user clears the impediment flag with a comment in Jira's UI, Jira posts a comment whose
body starts with "(flagoff) Flag removed" (ADF: an emoticon node `:flagoff:`, then the text;
Data Center: the wiki string `(flagoff) Flag removed`) followed by the user's text. The
resolution of a clear is the text of the comment created closest to the clear's moment, at
most `NOTE_WINDOW` before or after it, with that prefix stripped; none when no comment is that
close or nothing is left after the prefix. Comments are asked only for issues whose flag was
cleared within the sprint window (sprint start to the cut-off), a few issues at a time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sprintsync.domain import JSON, JSONObject, TrackedIssue
from sprintsync.http import gather_all
from sprintsync.sources.jira.adf import to_plain_text
from sprintsync.sources.jira.api import BaseJiraApi
from sprintsync.sources.jira.api_dc import follow_offsets
from sprintsync.sources.jira.parse import parse_time
from sprintsync.sources.jira.wiki import to_plain_line

NOTE_WINDOW = timedelta(minutes=10)
# Comment requests are one per issue: a few at a time, as the Data Center histories.
MAX_CONCURRENT_ISSUES = 4
FLAG_OFF_PREFIX = re.compile(
    r"^\s*(?:\(flagoff\)|:flagoff:)?\s*flag removed\b[\s.:;,-]*", re.IGNORECASE
)

BodyText = Callable[[JSON], str]


def adf_body_text(body: JSON) -> str:
    """A Cloud comment body (ADF) as one line of plain text."""
    return " ".join(to_plain_text(body).split())


def wiki_body_text(body: JSON) -> str:
    """A Data Center comment body (wiki markup) as one line of plain text."""
    return to_plain_line(body) if isinstance(body, str) else ""


def build_clears(issue: TrackedIssue, *, since: datetime, cutoff: datetime) -> list[datetime]:
    """The moments the flag went from up to down within [since, cutoff]."""
    clears, up = [], issue.flagged.initial
    for moment, value in issue.flagged.changes:
        if up and not value and since <= moment <= cutoff:
            clears.append(moment)
        up = value
    return clears


def build_flag_notes(
    clears: Sequence[datetime], comments: Sequence[JSONObject], text_of: BodyText
) -> tuple[tuple[datetime, str], ...]:
    """Per clear, the prefix-stripped text of the closest comment within NOTE_WINDOW."""
    dated = [
        (parse_time(c["created"], field="a comment's created"), c.get("body"))
        for c in comments
        if c.get("created")
    ]
    notes: list[tuple[datetime, str]] = []
    for clear in clears:
        near = [(abs(created - clear), body) for created, body in dated]
        near = [(gap, body) for gap, body in near if gap <= NOTE_WINDOW]
        if not near:
            continue
        _gap, body = min(near, key=lambda pair: pair[0])
        text = FLAG_OFF_PREFIX.sub("", text_of(body)).strip()
        if text:
            notes.append((clear, text))
    return tuple(notes)


async def fetch_comments(api: BaseJiraApi, key: str) -> list[JSONObject]:
    """Every comment of issue `key`, pages by startAt until `total` (PageGuard-checked)."""

    async def page(start_at: int) -> JSONObject:
        return await api.fetch_comment_page(key, start_at=start_at)

    return await follow_offsets(page, key="comments", what=f"the comments of {key}")


async def add_flag_notes(
    api: BaseJiraApi,
    issues: tuple[TrackedIssue, ...],
    *,
    since: datetime,
    cutoff: datetime,
    text_of: BodyText,
) -> tuple[TrackedIssue, ...]:
    """`issues` with `flag_notes` for those whose flag was cleared in the window."""
    cleared = {i.key: c for i in issues if (c := build_clears(i, since=since, cutoff=cutoff))}
    if not cleared:
        return issues
    gate = asyncio.Semaphore(MAX_CONCURRENT_ISSUES)

    async def one(key: str) -> list[JSONObject]:
        async with gate:
            return await fetch_comments(api, key)

    answers = await gather_all(*(one(key) for key in cleared))
    notes = {
        key: build_flag_notes(clears, comments, text_of)
        for (key, clears), comments in zip(cleared.items(), answers, strict=True)
    }
    return tuple(
        dataclasses.replace(i, flag_notes=notes[i.key]) if notes.get(i.key) else i for i in issues
    )
