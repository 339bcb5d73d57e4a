"""Pure helpers for a Confluence page body: the team's own section and the content stamp.

A page body is `<stamp><generated report><team notes section>`:
- the stamp is an invisible anchor macro named `sprintsync-report-<sha256 of the generated part>`,
  so a later run can tell "same report" even after the editor rewrote the XHTML
  (it adds `ac:macro-id` attributes and other children on read-back, API-NOTES §B.3);
- the team notes section is the LAST `<h2>` whose text is "Team notes" and everything after it
  to the end of the body. People edit it on the page; every update carries it over verbatim.
"""

from __future__ import annotations

import hashlib
import re

TEAM_NOTES_HEADING = "Team notes"
STAMP_PREFIX = "sprintsync-report-"
_H2 = re.compile(r"<h2\b[^>]*>(.*?)</h2\s*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_STAMP = re.compile(
    r'<ac:structured-macro\b[^>]*ac:name="anchor"[^>]*>\s*'
    r"<ac:parameter\b[^>]*>\s*" + STAMP_PREFIX + r"([0-9a-f]{64})\s*</ac:parameter>\s*"
    r"</ac:structured-macro>",
    re.DOTALL,
)
_STAMP_ANYWHERE = re.compile(STAMP_PREFIX + r"([0-9a-f]{64})")
# Attributes and children the Confluence editor adds on read-back; ignored when comparing.
_EDITOR_ATTRIBUTES = re.compile(r'\s(?:ac:macro-id|ac:local-id|local-id|ac:schema-version)="[^"]*"')
_EDITOR_CHILDREN = re.compile(
    r"<ac:(?:body-type|display-type)>[^<]*</ac:(?:body-type|display-type)>"
)
_SPACE_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACES = re.compile(r"\s+")


def split_team_notes(body: str) -> tuple[str, str]:
    """The body before the team notes heading, and the section itself ("" when absent)."""
    start = None
    for match in _H2.finditer(body):
        text = _TAG.sub("", match.group(1)).replace("&#160;", " ").strip()
        if text.casefold() == TEAM_NOTES_HEADING.casefold():
            start = match.start()
    if start is None:
        return body, ""
    return body[:start], body[start:]


def content_hash(generated: str) -> str:
    """The sha256 hex digest of the generated part of a body."""
    return hashlib.sha256(generated.encode("utf-8")).hexdigest()


def render_stamp(digest: str) -> str:
    """The invisible anchor macro that carries the digest of the generated part."""
    return (
        '<ac:structured-macro ac:name="anchor">'
        f'<ac:parameter ac:name="">{STAMP_PREFIX}{digest}</ac:parameter>'
        "</ac:structured-macro>"
    )


def stored_hash(body: str) -> str | None:
    """The digest stamped in the generated part of a stored body, if any."""
    generated, _notes = split_team_notes(body)
    match = _STAMP_ANYWHERE.search(generated)
    return match.group(1) if match else None


def build_page_body(storage: str, *, current: str | None) -> str:
    """The full body to store: stamp + generated report + the current page's team notes.

    `storage` is the rendered report, whose own (placeholder) team notes section is used
    only when the current page has none (a new page, or someone deleted the heading).
    """
    generated, placeholder = split_team_notes(_STAMP.sub("", storage))
    _current_generated, notes = split_team_notes(current or "")
    return render_stamp(content_hash(generated)) + generated + (notes or placeholder)


def normalise(body: str) -> str:
    """A body without what the editor adds on read-back, for a semantic comparison."""
    body = _EDITOR_ATTRIBUTES.sub("", body)
    body = _EDITOR_CHILDREN.sub("", body)
    body = _SPACE_BETWEEN_TAGS.sub("><", body.strip())
    return _SPACES.sub(" ", body)


def same_report(new_body: str, current_body: str) -> bool:
    """Whether the current page already shows the report in `new_body` (team notes ignored)."""
    new_digest = stored_hash(new_body)
    if new_digest is not None and stored_hash(current_body) == new_digest:
        return True
    new_generated, _ = split_team_notes(_STAMP.sub("", new_body))
    current_generated, _ = split_team_notes(_STAMP.sub("", current_body))
    return normalise(new_generated) == normalise(current_generated)
