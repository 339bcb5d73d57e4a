"""A small Jira Cloud world for end-to-end tests: board 7, active sprint 42, scope changes.

ABC-1 committed and done; ABC-2 removed mid-sprint (Sprint field now empty); ABC-3 created
after the start straight into the sprint; ABC-4 carried over from sprint 41, re-estimated
3 -> 8 and flagged; ABC-5 a sub-task of ABC-4; ABC-6 and ABC-7 recently updated but never in
sprint 42; ABC-8 moved from sprint 42 to sprint 43 mid-sprint.
"""

from __future__ import annotations

from fakes.jira import FakeBoard, FakeJira
from fakes.jira_world import (
    adf,
    board_config,
    bullets,
    flagged_item,
    history,
    issue,
    paragraph,
    points_item,
    sprint,
    sprint_item,
    status_item,
)

BOARD = 7
SPRINT_41 = sprint(
    41,
    "ABC Sprint 41",
    "closed",
    board=BOARD,
    start="2026-10-27T08:00:00.000Z",
    end="2026-11-10T08:00:00.000Z",
    complete="2026-11-10T09:12:44.123Z",
)
SPRINT_42 = sprint(
    42,
    "ABC Sprint 42",
    "active",
    board=BOARD,
    start="2026-11-10T09:30:00.000Z",
    end="2026-11-24T09:30:00.000Z",
    goal="Ship checkout v2",
)
SPRINT_43 = sprint(43, "ABC Sprint 43", "future", board=BOARD)
NAMES = {"41": "ABC Sprint 41", "42": "ABC Sprint 42", "43": "ABC Sprint 43"}


def sample_issues() -> list:
    """The issues of the sample world, histories included."""
    return [
        issue(
            "10001",
            "ABC-1",
            "Checkout flow timeout",
            state="Done",
            points=3,
            sprints=[SPRINT_42],
            created="2026-11-01T09:00:00.000+0000",
            updated="2026-11-13T15:00:00.000+0000",
            description=adf(
                paragraph("Why:"),
                bullets("Raise the timeout", "Add a retry"),
                paragraph("Result: checkout completes under load"),
            ),
            histories=[
                history(
                    20001, "2026-11-09T10:00:00.000+0000", sprint_item(None, "42", names=NAMES)
                ),
                history(20002, "2026-11-12T10:00:00.000+0000", status_item("To Do", "In Progress")),
                history(20003, "2026-11-13T15:00:00.000+0000", status_item("In Progress", "Done")),
            ],
        ),
        issue(
            "10002",
            "ABC-2",
            "Legacy payment cleanup",
            state="To Do",
            points=5,
            sprints=[],
            created="2026-11-01T09:00:00.000+0000",
            updated="2026-11-15T12:00:00.000+0000",
            histories=[
                history(
                    20010, "2026-11-09T10:00:00.000+0000", sprint_item(None, "42", names=NAMES)
                ),
                history(
                    20011,
                    "2026-11-15T12:00:00.000+0000",
                    sprint_item("42", None, with_field_id=False, names=NAMES),
                ),
            ],
        ),
        issue(
            "10003",
            "ABC-3",
            "Hotfix: coupon rounding",
            state="In Progress",
            points=2,
            sprints=[SPRINT_42],
            created="2026-11-14T02:00:00.000-0800",
            updated="2026-11-14T03:00:00.000-0800",
            kind="Bug",
            histories=[
                history(20020, "2026-11-14T03:00:00.000-0800", status_item("To Do", "In Progress"))
            ],
        ),
        issue(
            "10004",
            "ABC-4",
            "Payment provider v2",
            state="In Progress",
            points=8,
            sprints=[SPRINT_41, SPRINT_42],
            created="2026-10-20T09:00:00.000+0000",
            updated="2026-11-16T09:00:00.000+0000",
            customfield_10021=[
                {
                    "self": "https://acme.atlassian.net/rest/api/3/customFieldOption/10019",
                    "value": "Impediment",
                    "id": "10019",
                }
            ],
            histories=[
                history(
                    20030, "2026-10-26T10:00:00.000+0000", sprint_item(None, "41", names=NAMES)
                ),
                history(20031, "2026-10-28T10:00:00.000+0000", status_item("To Do", "In Progress")),
                history(
                    20032, "2026-11-10T09:12:44.123+0000", sprint_item("41", "41, 42", names=NAMES)
                ),
                history(20033, "2026-11-12T11:00:00.000+0000", points_item(3, 8)),
                history(20034, "2026-11-16T09:00:00.000+0000", flagged_item(on=True)),
            ],
        ),
        issue(
            "10005",
            "ABC-5",
            "Provider sandbox keys",
            state="To Do",
            points=None,
            sprints=[SPRINT_42],
            created="2026-11-11T09:00:00.000+0000",
            kind="Subtask",
            subtask=True,
            parent={
                "id": "10004",
                "key": "ABC-4",
                "fields": {
                    "summary": "Payment provider v2",
                    "issuetype": {"name": "Story", "hierarchyLevel": 0},
                },
            },
        ),
        issue(
            "10006",
            "ABC-6",
            "Next sprint work",
            state="To Do",
            points=5,
            sprints=[SPRINT_43],
            created="2026-11-02T09:00:00.000+0000",
            updated="2026-11-15T09:00:00.000+0000",
            histories=[
                history(20060, "2026-11-15T09:00:00.000+0000", sprint_item(None, "43", names=NAMES))
            ],
        ),
        issue(
            "10007",
            "ABC-7",
            "Backlog idea",
            state="To Do",
            points=1,
            sprints=[],
            created="2026-11-12T09:00:00.000+0000",
            updated="2026-11-15T09:00:00.000+0000",
        ),
        issue(
            "10008",
            "ABC-8",
            "Deferred report export",
            state="To Do",
            points=8,
            sprints=[SPRINT_43],
            created="2026-11-01T09:00:00.000+0000",
            updated="2026-11-16T10:00:00.000+0000",
            histories=[
                history(
                    20080, "2026-11-09T11:00:00.000+0000", sprint_item(None, "42", names=NAMES)
                ),
                history(
                    20081, "2026-11-16T10:00:00.000+0000", sprint_item("42", "43", names=NAMES)
                ),
            ],
        ),
    ]


def sample_jira() -> FakeJira:
    """A fresh FakeJira holding the sample world (board 7, sprints 41-43)."""
    config = board_config(board=BOARD, project="ABC", filter_id="10010")
    board = FakeBoard(config=config, sprints=[SPRINT_41, SPRINT_42, SPRINT_43])
    return FakeJira(
        boards={BOARD: board, 8: FakeBoard(config=config, kanban=True)}, issues=sample_issues()
    )
