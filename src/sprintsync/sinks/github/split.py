"""Split GitHub Markdown into comment-sized parts, never inside a table, fence or details."""

from __future__ import annotations

import re
from dataclasses import dataclass

# GitHub refuses a comment body over 65,536 characters (API-NOTES §0.10); we stay well below.
GITHUB_BODY_LIMIT = 65_536
PART_LIMIT = 60_000

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DETAILS_OPEN = re.compile(r"<details[\s>]", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_CONTINUED_SUMMARY = "<details><summary>(continued)</summary>"


@dataclass(frozen=True)
class Block:
    """Lines that must stay together: a fence, a table, a details block or one plain line."""

    kind: str  # "fence" | "table" | "details" | "line"
    lines: tuple[str, ...]

    @property
    def size(self) -> int:
        """Characters the block takes, a newline after each line but the last."""
        return sum(len(line) for line in self.lines) + len(self.lines) - 1


def split_markdown(text: str, *, limit: int = PART_LIMIT) -> list[str]:
    """Parts of `text`, each at most `limit` characters, cut only between blocks.

    Joining the parts with a newline gives `text` back unless a single block is longer than
    `limit`: then that block is cut into well-formed pieces (a table repeats its header, a
    fence is closed and reopened, a details block is closed and reopened, a line is cut).
    """
    if limit < 200:
        raise ValueError(f"a part limit of {limit} characters is too small (expected >= 200)")
    parts: list[list[str]] = [[]]
    for block in _pieces(build_blocks(text.split("\n")), limit):
        current = parts[-1]
        if current and _joined_size(current) + 1 + block.size > limit:
            parts.append([])
        parts[-1].extend(block.lines)
    return ["\n".join(lines) for lines in parts]


def build_blocks(lines: list[str]) -> list[Block]:
    """The document's lines grouped into blocks that may not be cut."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            end, kind = _fence_end(lines, index), "fence"
        elif _is_table_row(line):
            end, kind = _table_end(lines, index), "table"
        elif _DETAILS_OPEN.search(line):
            end, kind = _details_end(lines, index), "details"
        else:
            end, kind = index + 1, "line"
        blocks.append(Block(kind, tuple(lines[index:end])))
        index = end
    return blocks


def _joined_size(lines: list[str]) -> int:
    return sum(len(line) for line in lines) + len(lines) - 1


def _is_table_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def _fence_end(lines: list[str], start: int) -> int:
    match = _FENCE.match(lines[start])
    opener = match.group(1) if match else "```"
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(opener[0] * len(opener)) and set(stripped) == {opener[0]}:
            return index + 1
    return len(lines)


def _table_end(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines) and _is_table_row(lines[index]):
        index += 1
    return index


def _details_end(lines: list[str], start: int) -> int:
    depth = 0
    index = start
    while index < len(lines):
        line = lines[index]
        if index > start and _FENCE.match(line):
            index = _fence_end(lines, index)
            continue
        depth += len(_DETAILS_OPEN.findall(line)) - len(_DETAILS_CLOSE.findall(line))
        index += 1
        if depth <= 0:
            return index
    return len(lines)


def _pieces(blocks: list[Block], limit: int) -> list[Block]:
    """The blocks, each one longer than `limit` cut into well-formed pieces that fit."""
    result: list[Block] = []
    for block in blocks:
        lines = block.lines
        if block.size <= limit or len(lines) <= 2:
            result += [block] if block.size <= limit else _cut_lines(block, limit)
        elif block.kind == "table":
            result += _cut_framed(lines[2:], kind="table", head=lines[:2], tail=(), limit=limit)
        elif block.kind == "fence":
            result += _cut_fence(block, limit)
        elif block.kind == "details":
            pieces = _cut_framed(
                lines[1:-1],
                kind="details",
                head=(_CONTINUED_SUMMARY,),
                tail=lines[-1:],
                limit=limit,
            )
            result += [Block("details", (lines[0], *pieces[0].lines[1:])), *pieces[1:]]
        else:
            result += _cut_lines(block, limit)
    return result


def _cut_fence(block: Block, limit: int) -> list[Block]:
    match = _FENCE.match(block.lines[0])
    opener = match.group(1) if match else "```"
    closed = (
        len(block.lines) > 1
        and block.lines[-1].strip().startswith(opener)
        and set(block.lines[-1].strip()) == {opener[0]}
    )
    body = block.lines[1:-1] if closed else block.lines[1:]
    tail = block.lines[-1] if closed else opener
    return _cut_framed(body, kind="fence", head=block.lines[:1], tail=(tail,), limit=limit)


def _cut_framed(
    lines: tuple[str, ...], *, kind: str, head: tuple[str, ...], tail: tuple[str, ...], limit: int
) -> list[Block]:
    """Cut `lines` into pieces that each start with `head` and end with `tail`."""
    room = limit - sum(len(line) + 1 for line in (*head, *tail))
    cut = [piece for line in lines for piece in _cut_long_line(line, room)]
    pieces: list[Block] = []
    current: list[str] = []
    for line in cut:
        if current and _joined_size(current) + 1 + len(line) > room:
            pieces.append(Block(kind, (*head, *current, *tail)))
            current = []
        current.append(line)
    pieces.append(Block(kind, (*head, *current, *tail)))
    return pieces


def _cut_lines(block: Block, limit: int) -> list[Block]:
    return [
        Block("line", (piece,)) for line in block.lines for piece in _cut_long_line(line, limit)
    ]


def _cut_long_line(line: str, limit: int) -> list[str]:
    if len(line) <= limit:
        return [line]
    return [line[start : start + limit] for start in range(0, len(line), limit)]
