"""A tiny JQL evaluator: just the clauses sprintsync sends, with AND/OR/NOT and parentheses.

Clauses: `sprint = N`, `sprint != N` (excludes issues with no sprint, like Jira),
`sprint is EMPTY`, `sprint is not EMPTY`, `filter = F`, `project = K`,
`updated >= "yyyy/MM/dd HH:mm"` (read in the searching user's time zone, `World.zone`, as
Jira reads it: UTC for the Cloud fake's user), `key = K`.
A trailing `ORDER BY ...` is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any

TOKEN = re.compile(r'\s*(\(|\)|!=|>=|<=|=|>|<|"[^"]*"|[^\s()!=<>"]+)')
Predicate = Callable[[dict[str, Any]], bool]


class JqlError(ValueError):
    """The JQL is not understood (Jira answers 400 with its own message)."""


@dataclass
class World:
    """What clauses look at: an issue's fields plus the fake's filter membership."""

    sprint_field: str
    filter_ids: dict[str, set[str]]  # filter id -> issue keys
    project_of: Callable[[dict[str, Any]], str]
    zone: tzinfo = UTC  # the user's `myself.timeZone`: JQL dates are read in it


def tokenize(jql: str) -> list[str]:
    """JQL split into tokens; ORDER BY and what follows dropped."""
    body = re.split(r"\border\s+by\b", jql, maxsplit=1, flags=re.IGNORECASE)[0]
    tokens, position = [], 0
    while position < len(body.rstrip()):
        match = TOKEN.match(body, position)
        if not match:
            raise JqlError(f"Error in the JQL Query: cannot read {body[position:]!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], world: World) -> None:
        self.tokens, self.at, self.world, self.clauses = tokens, 0, world, 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise JqlError("Error in the JQL Query: the query ends unexpectedly")
        self.at += 1
        return token

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while (self.peek() or "").upper() == "OR":
            self.take()
            parts.append(self.parse_and())
        return lambda fields: any(p(fields) for p in parts)

    def parse_and(self) -> Predicate:
        parts = [self.parse_not()]
        while (self.peek() or "").upper() == "AND":
            self.take()
            parts.append(self.parse_not())
        return lambda fields: all(p(fields) for p in parts)

    def parse_not(self) -> Predicate:
        if (self.peek() or "").upper() == "NOT":
            self.take()
            inner = self.parse_not()
            return lambda fields: not inner(fields)
        if self.peek() == "(":
            self.take()
            inner = self.parse_or()
            if self.take() != ")":
                raise JqlError("Error in the JQL Query: expected ')'")
            return inner
        return self.clause()

    def clause(self) -> Predicate:
        name, op = self.take().lower(), self.take().lower()
        if op == "is":
            negate = (self.peek() or "").lower() == "not"
            if negate:
                self.take()
            if self.take().upper() != "EMPTY":
                raise JqlError("Error in the JQL Query: expected EMPTY")
            self.clauses += 1
            empty = self.field_test(name, "empty", "")
            return (lambda f: not empty(f)) if negate else empty
        value = self.take().strip('"')
        self.clauses += 1
        return self.field_test(name, op, value)

    def field_test(self, name: str, op: str, value: str) -> Predicate:
        world = self.world
        if name == "sprint":

            def ids(f: dict[str, Any]) -> set[str]:
                return {str(s["id"]) for s in f.get(world.sprint_field) or []}

            tests: dict[str, Predicate] = {
                "=": lambda f: value in ids(f),
                "!=": lambda f: bool(ids(f)) and value not in ids(f),
                "empty": lambda f: not ids(f),
            }
            if op in tests:
                return tests[op]
        if name == "filter" and op == "=":
            if value not in world.filter_ids:
                raise JqlError(f"The value '{value}' does not exist for the field 'filter'.")
            keys = world.filter_ids[value]
            return lambda f: f["__key"] in keys
        if name == "project" and op == "=":
            return lambda f: world.project_of(f) == value
        if name == "key" and op == "=":
            return lambda f: f["__key"] == value
        if name == "updated" and op == ">=":
            since = datetime.strptime(value, "%Y/%m/%d %H:%M").replace(tzinfo=world.zone)
            return lambda f: moment(f["updated"]) >= since
        raise JqlError(f"Error in the JQL Query: the fake does not know {name} {op}")


@cache  # the same timestamps are compared on every search: parse each once
def moment(text: str) -> datetime:
    """An issue-field timestamp (`2025-01-20T09:00:00.000+0000`) as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def compile_jql(jql: str, world: World) -> tuple[Predicate, bool]:
    """A predicate over `fields` (plus `__key`) and whether the query is bounded."""
    parser = _Parser(tokenize(jql), world)
    if not parser.tokens:
        return (lambda _f: True), False
    predicate = parser.parse_or()
    if parser.peek() is not None:
        raise JqlError(f"Error in the JQL Query: unexpected {parser.peek()!r}")
    return predicate, parser.clauses > 0
