"""A generated Jira Cloud world of any size (board 7, active sprint 42) for scale and benchmarks.

Deterministic for a seed. Of the issues: ~70% in sprint 42 from before the start (some carried
over from 41), ~10% added after the start, ~10% removed mid-sprint (Sprint field emptied or
moved to 43), ~10% updated since the start but never in 42 (removal candidates that are not).
Each has status moves, some re-estimates (no `fieldId`, like real items), flags, blockers,
labels, epics, sub-tasks, ADF descriptions and `-0800` timestamps.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fakes.jira import FakeBoard, FakeJira
from fakes.jira_sample import BOARD, SPRINT_41, SPRINT_42, SPRINT_43
from fakes.jira_world import (
    FLAGGED_FIELD,
    FakeIssue,
    adf,
    board_config,
    bullets,
    flagged_item,
    history,
    issue,
    paragraph,
    points_item,
    sprint_item,
    status,
    status_item,
)

START = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # 8 days into the sprint
PACIFIC = timezone(timedelta(hours=-8))
POINTS = (None, 1, 2, 3, 5, 8, 13)
FLOW = ("To Do", "In Progress", "Done")


def stamp(moment: datetime, *, rng: random.Random) -> str:
    """A Jira issue-field timestamp, `+0000` or the site's `-0800` (no colon)."""
    zone = PACIFIC if rng.random() < 0.3 else UTC
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + moment.astimezone(
        zone
    ).strftime("%z")


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.hid = 100_000

    def at(self, low: datetime, high: datetime) -> datetime:
        span = max(1, int((high - low).total_seconds()))
        return low + timedelta(seconds=self.rng.randrange(span))

    def hist(self, moment: datetime, *items: dict[str, Any]) -> dict[str, Any]:
        self.hid += 1
        return history(self.hid, stamp(moment, rng=self.rng), *items)

    def one(self, n: int, total: int) -> FakeIssue:  # noqa: C901 - one recipe, in order
        rng = self.rng
        kind = rng.choices(["member", "added", "removed", "noise"], [70, 10, 10, 10])[0]
        created = self.at(START - timedelta(days=20), START - timedelta(hours=2))
        if kind == "added" and rng.random() < 0.5:
            created = self.at(START, NOW - timedelta(days=1))
        histories: list[dict[str, Any]] = []
        sprints: list[dict[str, Any]] = []
        carried = rng.random() < 0.15
        if kind in ("member", "removed"):
            before, after = ("41", "41, 42") if carried else (None, "42")
            histories.append(self.hist(created + timedelta(minutes=5), sprint_item(before, after)))
            sprints = [SPRINT_41, SPRINT_42] if carried else [SPRINT_42]
        if kind == "added":
            histories.append(self.hist(self.at(max(created, START), NOW), sprint_item(None, "42")))
            sprints = [SPRINT_42]
        points = rng.choice(POINTS)
        if rng.random() < 0.2:
            old = rng.choice(POINTS)
            histories.append(self.hist(self.at(START, NOW), points_item(old, points)))
        state = "To Do"
        targets = FLOW[1 : rng.randrange(1, 4)]
        moments = sorted(self.at(max(created, START), NOW) for _ in targets)
        for target, moment in zip(targets, moments, strict=True):
            histories.append(self.hist(moment, status_item(state, target)))
            state = target
        flagged = None
        if rng.random() < 0.1:
            histories.append(self.hist(self.at(START, NOW), flagged_item(on=True)))
            flagged = [{"value": "Impediment", "id": "10019"}]
        if kind == "removed":
            to_43 = rng.random() < 0.5
            after = "43" if to_43 else None
            before = "41, 42" if carried else "42"
            histories.append(self.hist(self.at(START, NOW), sprint_item(before, after)))
            sprints = [SPRINT_43] if to_43 else []
        histories.sort(key=lambda h: h["id"])
        last = max([created, *(_moment(h["created"]) for h in histories)])
        if kind == "noise":
            last = self.at(START, NOW)
        extra: dict[str, Any] = {"labels": ["backend"] if rng.random() < 0.2 else []}
        if flagged:
            extra[FLAGGED_FIELD] = flagged
        if rng.random() < 0.1 and total > 1:
            other = rng.randrange(total)
            extra["issuelinks"] = [_blocked_by(other, done=rng.random() < 0.3)]
        if rng.random() < 0.2:
            extra["parent"] = {
                "id": "19999",
                "key": "ABC-0",
                "fields": {"summary": "Checkout v2", "issuetype": {"name": "Epic"}},
            }
        subtask = rng.random() < 0.05
        return issue(
            str(20_000 + n),
            f"ABC-{n + 1}",
            f"Work item {n + 1}",
            state=state,
            points=points,
            sprints=sprints,
            created=stamp(created, rng=rng),
            updated=stamp(last, rng=rng),
            kind="Subtask" if subtask else rng.choice(["Story", "Story", "Bug", "Task"]),
            subtask=subtask,
            description=_description(n) if rng.random() < 0.5 else None,
            histories=histories,
            **extra,
        )


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _blocked_by(other: int, *, done: bool) -> dict[str, Any]:
    return {
        "id": str(30_000 + other),
        "type": {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
        "inwardIssue": {
            "id": str(20_000 + other),
            "key": f"ABC-{other + 1}",
            "fields": {"summary": "Blocker", "status": status("Done" if done else "To Do")},
        },
    }


def _description(n: int) -> dict[str, Any]:
    return adf(
        paragraph(f"Item {n + 1}: make the checkout flow faster for every shopper."),
        bullets("Profile the slow path", "Cache the cart", "Measure again"),
    )


def bulk_issues(count: int, *, seed: int = 7) -> list[FakeIssue]:
    """`count` generated issues (ids 20000 + n, keys ABC-1..)."""
    maker = _Maker(seed)
    return [maker.one(n, count) for n in range(count)]


def bulk_jira(count: int, *, seed: int = 7, **options: Any) -> FakeJira:
    """A FakeJira with board 7 (sprints 41-43) and `count` generated issues."""
    board = FakeBoard(
        config=board_config(board=BOARD, project="ABC", filter_id="10010"),
        sprints=[SPRINT_41, SPRINT_42, SPRINT_43],
    )
    return FakeJira(boards={BOARD: board}, issues=bulk_issues(count, seed=seed), **options)
