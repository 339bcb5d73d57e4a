"""Atlassian Document Format (Jira Cloud v3 descriptions) to plain text, details and result.

Where a team writes what the report shows (the documented place, see TrackedIssue):

- **details**: the items of the FIRST bullet list in the issue description, as plain text;
  items that themselves start with ``Result:`` are left out of the details.
- **result**: the text after ``Result:`` in the first description paragraph (at any depth,
  list items included) whose plain text starts with ``Result:``.

ADF reference: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sprintsync.domain import JSON

RESULT_PREFIX = "Result:"
# Block nodes whose text is separated from what follows by a line break.
BLOCK_NODES = frozenset(
    {"paragraph", "heading", "blockquote", "codeBlock", "rule", "panel", "listItem", "tableRow"}
)
_END = object()  # no child left


def to_plain_text(node: JSON) -> str:
    """Plain text of an ADF node: blocks on their own lines, inline nodes as their text."""
    return "\n".join(line.rstrip() for line in _text(node).strip().splitlines()).strip()


def _inline(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    result: str | None = None
    if kind == "text":
        result = str(node.get("text", ""))
    elif kind == "hardBreak":
        result = "\n"
    elif kind == "mention":
        result = str(attrs.get("text") or "")
    elif kind == "emoji":
        result = str(attrs.get("text") or attrs.get("shortName") or "")
    elif kind in {"inlineCard", "blockCard", "embedCard"}:
        result = str(attrs.get("url") or "")
    elif kind == "status":
        result = str(attrs.get("text") or "")
    return result


def _text(root: JSON) -> str:
    """The text of a node tree, walked with an explicit stack: ADF may nest past recursion."""
    top: list[str] = []
    stack: list[tuple[dict[str, Any] | None, Iterator[object], list[str]]] = [
        (None, iter([root]), top)
    ]
    while stack:
        node, children, parts = stack[-1]
        child = next(children, _END)
        if child is _END:
            stack.pop()
            if node is not None:
                stack[-1][2].append(_join(node, parts))
        elif not isinstance(child, dict):
            parts.append("")
        elif (inline := _inline(child)) is not None:
            parts.append(inline)
        else:
            stack.append((child, iter(child.get("content") or []), []))
    return "".join(top)


def _join(node: dict[str, Any], parts: list[str]) -> str:
    """A block's text from its children's: list items as `- ` lines, blocks end a line."""
    kind = node.get("type")
    if kind in {"bulletList", "orderedList"}:
        return "".join(f"- {part.strip()}\n" for part in parts)
    text = "".join(parts)
    return f"{text}\n" if kind in BLOCK_NODES else text


def _walk(root: JSON) -> Iterator[dict[str, JSON]]:
    """Every node in document order (depth first), with an explicit stack."""
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.get("content") or [])))


def _one_line(node: dict[str, Any]) -> str:
    return " ".join(to_plain_text(node).split())


def build_details(document: JSON) -> tuple[str, ...]:
    """The items of the first bullet list, as one line of plain text each."""
    for node in _walk(document):
        if node.get("type") == "bulletList":
            items = (_one_line(item) for item in node.get("content") or [])
            return tuple(i for i in items if i and not i.startswith(RESULT_PREFIX))
    return ()


def build_result(document: JSON) -> str | None:
    """The text after ``Result:`` in the first paragraph that starts with it."""
    for node in _walk(document):
        if node.get("type") == "paragraph":
            line = _one_line(node)
            if line.startswith(RESULT_PREFIX):
                return line.removeprefix(RESULT_PREFIX).strip() or None
    return None
