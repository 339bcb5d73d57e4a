"""Split GitHub Markdown into comment-sized parts, never inside a table, fence or details."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

# GitHub refuses a comment body over 65,536 characters (API-NOTES §0.10); we stay well below.
GITHUB_BODY_LIMIT = 65_536
PART_LIMIT = 60_000

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Our own <details> blocks only: tracker text reaches here escaped (`\<details`, md_text), so a
# tag after a backslash is text, and a block starts only with a tag at the start of its line.
_DETAILS_OPEN = re.compile(r"(?<!\\)<details[\s>]", re.IGNORECASE)
_DETAILS_START = re.compile(r" {0,3}<details[\s>]", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"(?<!\\)</details\s*>", re.IGNORECASE)
_CONTINUED_SUMMARY = "<details><summary>(continued)</summary>"
# Spans a cut must not split (issue 14: `\` cut from `<` left a live `<img …>` at the start of
# the next part): a backslash escape, an entity, an HTML tag or autolink, a code span, a link,
# emphasis. Bounded repeats keep a hostile line linear.
_UNCUTTABLE = re.compile(
    r"\\[\s\S]"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});"
    r"|<[A-Za-z/!?][^<>\n]{0,500}>"
    r"|(?<!`)(?P<ticks>`++)[^`]{1,500}(?P=ticks)(?!`)"
    r"|!?\[[^\[\]\n]{0,500}\]\([^()\n]{0,2000}\)"
    r"|(?<![\\*_~])(?P<em>[*_~]{1,3})(?=[^\s*_~])[^*_~\n]{0,500}?(?<=[^\s*_~\\])(?P=em)(?![*_~])"
)
# What may begin the rest of a cut line, which starts a new Markdown document: a letter, a
# backslash, a number that is not a list marker, a non-ASCII character; never a block marker
# (- + * > # | ` ~ < = 1. 1)) nor a space, nor what GFM would autolink there and not before.
_SAFE_START = re.compile(
    r"(?!(?i:www\.)|[A-Za-z]+://|[\w.+-]+@)(?:[^\W\d_]|\\|\d++(?![.)])|[^\x00-\x7f\s])"
)
# Characters that belong to the one before them (U+200B: md_text puts it after "@" and "#").
_JOINERS = frozenset("\u200b\u200c\u200d\u2060\ufe0e\ufe0f")
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
_EMOJI_MODIFIERS = range(0x1F3FB, 0x1F400)
_TAG_CHARACTERS = range(0xE0020, 0xE0080)  # subdivision flags


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
    fence is closed and reopened, a details block is closed and reopened, a line is cut
    between items or at a space, never inside an escape, entity, tag, code span, link,
    emphasis or character cluster, and never so that the rest starts a block).
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
        elif _DETAILS_START.match(line):
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
    """`line` in pieces of at most `limit` characters, each cut where neither side changes."""
    if len(line) <= limit:
        return [line]
    spans = [(m.start(), m.end()) for m in _UNCUTTABLE.finditer(line)]
    guard = _Guard(spans, [start for start, _ in spans])
    pieces: list[str] = []
    begin = 0
    while len(line) - begin > limit:
        cut = _cut_position(line, begin, begin + limit, guard)
        pieces.append(line[begin:cut])
        begin = cut
    pieces.append(line[begin:])
    return pieces


@dataclass(frozen=True)
class _Guard:
    """The uncuttable spans of one line, sorted by start."""

    spans: list[tuple[int, int]]
    starts: list[int]

    def allows(self, line: str, index: int) -> bool:
        """Whether a cut before `line[index]` splits no span and no character cluster."""
        at = bisect_left(self.starts, index) - 1
        if at >= 0 and self.spans[at][1] > index:
            return False
        return not _joined(line[index - 1], line[index])


def _joined(before: str, after: str) -> bool:
    """Whether two characters display as one (combining mark, joiner, flag, skin tone)."""
    if after in _JOINERS or before == "\u200d" or unicodedata.category(after).startswith("M"):
        return True
    if ord(after) in _EMOJI_MODIFIERS or ord(after) in _TAG_CHARACTERS:
        return True
    if "\ud800" <= before <= "\udbff" and "\udc00" <= after <= "\udfff":  # a surrogate pair
        return True
    return ord(before) in _REGIONAL_INDICATORS and ord(after) in _REGIONAL_INDICATORS


def _cut_position(line: str, begin: int, end: int, guard: _Guard) -> int:
    """Where to cut `line[begin:]` at or before `end`: between items, at a space, else anywhere.

    The cut splits no escape, entity, tag, code span or character cluster, and the rest starts
    with a character that begins no block if at all possible. Separators are looked for in the
    second half only, so that pieces stay large; the last resort is `end` itself.
    """
    half = begin + (end - begin) // 2
    for separator in (", ", " "):
        found = line.rfind(separator, half, end)
        while found != -1:
            cut = found + len(separator)
            if _SAFE_START.match(line, cut) and guard.allows(line, cut):
                return cut
            found = line.rfind(separator, half, found)
    for safe_start_only in (True, False):
        for cut in range(end, begin, -1):
            if (not safe_start_only or _SAFE_START.match(line, cut)) and guard.allows(line, cut):
                return cut
    return end
