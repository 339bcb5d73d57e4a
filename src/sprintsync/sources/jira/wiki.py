"""Jira wiki markup (Data Center REST v2 descriptions) to details and result.

Data Center has no REST v3, so a description is a wiki-markup string, not ADF (API-NOTES A.9).
Where a team writes what the report shows (the same places as for ADF, see adf.py):

- **details**: the items of the FIRST run of consecutive bullet lines (``* item``, ``** item``
  or ``- item``; the marker is followed by a space, so ``*bold*`` and ``----`` are not bullets),
  as plain text; items that themselves start with ``Result:`` are left out of the details.
- **result**: the text after ``Result:`` on the first line (bullet markers aside) that starts
  with ``Result:``.

Links ``[label|url]`` keep their label and ``{{monospace}}`` its text; other markup stays.
Wiki markup reference: https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sprintsync.sources.jira.adf import RESULT_PREFIX

BULLET = re.compile(r"^(?:\*+|-)\s+(?P<item>\S.*)$")
LINK = re.compile(r"\[(?:(?P<label>[^|\]]*)\|)?(?P<target>[^\]]*)\]")
MONOSPACE = re.compile(r"\{\{(.*?)\}\}")


def to_plain_line(text: str) -> str:
    """One line of wiki markup as plain text: links as their label, whitespace collapsed."""
    text = LINK.sub(lambda m: m.group("label") or m.group("target"), text)
    return " ".join(MONOSPACE.sub(r"\1", text).split())


def _lines(markup: object) -> Iterator[str]:
    if isinstance(markup, str):
        yield from (line.strip() for line in markup.splitlines())


def build_details(markup: object) -> tuple[str, ...]:
    """The items of the first run of bullet lines, one line of plain text each."""
    items: list[str] = []
    for line in _lines(markup):
        bullet = BULLET.match(line)
        if bullet:
            items.append(to_plain_line(bullet.group("item")))
        elif items:
            break
    return tuple(i for i in items if i and not i.startswith(RESULT_PREFIX))


def build_result(markup: object) -> str | None:
    """The text after ``Result:`` on the first line that starts with it."""
    for line in _lines(markup):
        bullet = BULLET.match(line)
        text = to_plain_line(bullet.group("item") if bullet else line)
        if text.startswith(RESULT_PREFIX):
            return text.removeprefix(RESULT_PREFIX).strip() or None
    return None
