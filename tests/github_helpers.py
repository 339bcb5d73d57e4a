"""Shared GitHub Projects builders: a board with Iteration 7 and 8, closing and reopening."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fakes.github_graphql import FakeItem, FakeProject, issue

BERLIN = ZoneInfo("Europe/Berlin")
IT7 = {"id": "it7", "title": "Iteration 7", "startDate": "2026-11-16", "duration": 14}
IT8 = {"id": "it8", "title": "Iteration 8", "startDate": "2026-11-30", "duration": 14}


def at(text):
    """An aware UTC datetime from 'YYYY-MM-DDTHH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day(number):
    """The daily run's clock: 07:00 UTC on day `number` of the iteration (day 1 = 16 Nov)."""
    return at("2026-11-16T07:00") + timedelta(days=number - 1)


def board():
    """Iteration 7 with four committed items, one item in Iteration 8."""
    made = "2026-11-10T09:00:00Z"

    def item(number, points, status="Todo", iteration="it7"):
        content = issue("acme/shop", number, f"Issue {number}", created_at="2026-11-01T00:00:00Z")
        return FakeItem(
            id=f"PVTI_{number}",
            created_at=made,
            content=content,
            iteration=iteration,
            points=points,
            status=status,
        )

    draft = FakeItem(
        id="PVTI_draft",
        created_at=made,
        content={"__typename": "DraftIssue", "id": "DI_spike", "title": "Spike", "createdAt": made},
        iteration="it7",
        points=1.0,
        status="In Progress",
    )
    items = [item(1, 5.0), item(2, 3.0), item(3, 2.0), item(5, 13.0, iteration="it8"), draft]
    return FakeProject(owner="acme", number=5, iterations=[IT7, IT8], items=items)


def close(item, when, *, status="Done"):
    """Close an issue as completed (GitHub sets closedAt and stateReason)."""
    item.status = status
    item.content |= {"state": "CLOSED", "stateReason": "COMPLETED", "closedAt": when}


def reopen(item):
    """Reopen an issue: GitHub clears closedAt and sets stateReason REOPENED."""
    item.status = "In Progress"
    item.content |= {"state": "OPEN", "stateReason": "REOPENED", "closedAt": None}
