import json
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from fakes.github_graphql import schema_errors
from fakes.github_payloads import fields_answer, issue_node, items_answer
from report.sections_helpers import view_of
from sprintsync.domain import Snapshot, SnapshotItem, Timeline
from sprintsync.errors import ConfigError
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.sources.github.blocked import BlockedMarker
from sprintsync.sources.github.history import HistoryRules, build_histories
from sprintsync.sources.github.source import GitHubProjectsSource
from sprintsync.sources.github.wire import to_current_item
from sprintsync.state import SnapshotStore

GRAPHQL = "https://api.github.com/graphql"
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
MONDAY = date(2025, 1, 27)
LABEL = BlockedMarker(label="blocked")
FIELD = BlockedMarker(field="Blocked", option="Yes")
BOTH = BlockedMarker(label="blocked", field="Blocked", option="Yes")


@pytest.fixture
async def client():
    """A GitHub client under the retry policy with zero waits."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    async with build_client(
        service="GitHub",
        base_url="https://api.github.com",
        budget=budget,
        headers={"Authorization": "Bearer ghp_test"},
    ) as built:
        yield built


def make_source(client, tmp_path, *, blocked):
    """The source for org project acme/5 with `blocked` as its marker."""
    return GitHubProjectsSource(
        client,
        owner="acme",
        project=5,
        iteration="current",
        iteration_field="Iteration",
        points_field="Story Points",
        status_field="Status",
        done=("Done",),
        in_progress=("In Progress",),
        blocked=blocked,
        store=SnapshotStore(tmp_path / "state.db"),
        now=NOW,
        timezone=ZoneInfo("Europe/Berlin"),
    )


def sent_bodies(httpx_mock):
    """The JSON bodies of every request sent."""
    return [json.loads(r.content) for r in httpx_mock.get_requests()]


def at(day, hour=7):
    """A UTC moment in January 2025 (Sprint 5 of the ledger helpers starts Friday 24, 08:00)."""
    return datetime(2025, 1, day, hour, tzinfo=UTC)


def rules(marker):
    """Sprint 5 as an iteration, with `marker` as the blocked marker."""
    return HistoryRules(
        iteration_id="5",
        start=at(24, 8),
        done=("Done",),
        in_progress=("In Progress",),
        blocked=marker,
    )


def item(key, *, labels=(), blocked=None, **overrides):
    """A snapshot item of Sprint 5 made before it started, recording labels and `Blocked`."""
    values = {
        "item_id": key,
        "content_key": key,
        "title": f"Title of {key}",
        "iteration_id": "5",
        "points": 3.0,
        "status": "Todo",
        "closed": False,
        "completed": False,
        "closed_at": None,
        "created_at": at(20),
        "labels": labels,
        "field_options": (("Blocked", blocked),),
    }
    values.update(overrides)
    return SnapshotItem(**values)


def weekend_snapshots():
    """Thursday (before the start) to Monday, one snapshot a day (Friday's after the start)."""
    days = [at(23), at(24, 16), at(25), at(26), at(27)]
    a = ["", "Blocked", "blocked", "blocked", "BLOCKED"]  # labelled from Friday, any case
    b = [None, None, "Yes", "Yes", "Yes"]  # Blocked = Yes from Saturday
    c = ["blocked", "blocked", "blocked", "blocked", ""]  # since before the history, cleared
    d = ["blocked"] * 5  # blocked since before the recorded history
    return [
        Snapshot(
            moment,
            (
                item("A", labels=(a[n],) if a[n] else ()),
                item("B", blocked=b[n]),
                item("C", labels=(c[n],) if c[n] else ()),
                item("D", labels=(d[n],)),
            ),
        )
        for n, moment in enumerate(days)
    ]


def test_marker_matches_a_label_ignoring_case_or_the_fields_option():
    """A label matches whatever its case; the field matches only its exact option."""
    assert LABEL.marks(item("A", labels=("bug", "BLOCKED"))) is True
    assert LABEL.marks(item("A", labels=("bug",))) is False
    assert FIELD.marks(item("A", blocked="Yes")) is True
    assert FIELD.marks(item("A", blocked="yes")) is False
    assert FIELD.marks(item("A")) is False
    assert BOTH.marks(item("A", labels=("blocked",), blocked="No")) is True


def test_marker_is_unknown_where_the_snapshot_did_not_record_it():
    """A snapshot without labels, or without the configured field, cannot tell."""
    old = item("A", labels=None, field_options=None)
    assert (LABEL.marks(old), FIELD.marks(old)) == (None, None)
    other_field = item("A", field_options=(("Status", "Blocked"),))
    assert FIELD.marks(other_field) is None
    assert BOTH.marks(replace(old, labels=("blocked",))) is True  # the label is enough


def test_blocked_label_across_the_weekend_has_the_right_blocker_age():
    """Labelled from Friday, reported Monday: flagged since Friday, 1 working day old."""
    histories = build_histories(weekend_snapshots(), rules(BOTH))
    a = histories.issues["A"]
    assert (a.flagged.initial, a.flagged.changes) == (False, ((at(24, 16), True),))
    assert histories.issues["D"].flagged == Timeline(True)
    blockers = view_of(*histories.issues.values(), as_of=MONDAY).sections.blockers
    assert [(x.key, x.flagged_since, x.age_working_days) for x in blockers] == [
        ("A", date(2025, 1, 24), 1),
        ("B", date(2025, 1, 25), 1),
        ("D", None, None),
    ]
    assert blockers[0].text == "Title of A (A): flagged since January 24, 2025 (1 working day)"
    assert blockers[2].text == "Title of D (D): flagged since before its recorded history"
    assert histories.notices == ()


def test_blocked_two_working_days_before_a_weekend_is_two_days_old_on_monday():
    """Labelled on Thursday after the start, still on Monday: 2 working days (Fri, Mon)."""
    late = rules(LABEL)
    late = replace(late, start=at(22, 8))
    snapshots = [
        Snapshot(at(22, 7), (item("A"),)),
        Snapshot(at(23), (item("A", labels=("blocked",)),)),
        Snapshot(at(27), (item("A", labels=("blocked",)),)),
    ]
    issue = build_histories(snapshots, late).issues["A"]
    assert issue.flagged.changes == ((at(23), True),)


def test_the_changes_section_and_days_see_the_github_blocker():
    """As Jira's flag: newly flagged in `changes`, listed on Monday (C cleared that morning)."""
    histories = build_histories(weekend_snapshots(), rules(BOTH))
    view = view_of(*histories.issues.values(), as_of=MONDAY)
    assert view.sections.changes.newly_blocked == ("B",)  # A was up at Friday's end already
    monday = view.days[-1]
    assert monday.date == MONDAY
    assert [(b.text, b.resolution) for b in monday.blockers] == [
        ("Title of A (A)", None),
        ("Title of B (B)", None),
        ("Title of C (C)", "flag cleared"),
        ("Title of D (D)", None),
    ]


def test_no_marker_is_todays_behaviour_exactly():
    """Without `source.blocked`, no item is ever blocked, whatever its labels."""
    histories = build_histories(weekend_snapshots(), rules(None))
    assert all(i.flagged == Timeline(False) for i in histories.issues.values())
    assert histories.notices == ()


def test_snapshots_without_the_marker_are_not_blocked_and_said_so():
    """Version 2 snapshots (no labels) count as not blocked, with a notice naming the items."""
    old = Snapshot(at(24, 16), (item("A", labels=None, field_options=None),))
    new = Snapshot(at(27), (item("A", labels=("blocked",)),))
    histories = build_histories([old, new], rules(LABEL))
    assert histories.issues["A"].flagged.changes == ((at(27), True),)
    assert histories.notices[1] == (
        "blocked marker not recorded in every snapshot of A (taken before sprintsync stored "
        "labels and the blocked field, or before source.blocked changed): counted as not "
        "blocked there"
    )


def test_an_item_that_joins_blocked_is_blocked_from_its_created_at():
    """First seen after the first snapshot and blocked: from createdAt when in between."""
    first = Snapshot(at(24, 16), (item("A"),))
    joined = item("B", labels=("blocked",), created_at=at(25, 3))
    later = Snapshot(at(25), (item("A"), joined))
    issue = build_histories([first, later], rules(LABEL)).issues["B"]
    assert issue.flagged.changes == ((at(25, 3), True),)


def test_wire_records_labels_and_the_blocked_fields_option():
    """An items node gives its labels; with a blocked field, that field's option too."""
    node = issue_node()
    node["blocked"] = {"__typename": "ProjectV2ItemFieldSingleSelectValue", "name": "Yes"}
    plain = to_current_item(node).snapshot
    assert (plain.labels, plain.field_options) == (("bug",), None)
    marked = to_current_item(node, blocked_field="Blocked").snapshot
    assert marked.field_options == (("Blocked", "Yes"),)
    node["blocked"] = None
    assert to_current_item(node, blocked_field="Blocked").snapshot.field_options == (
        ("Blocked", None),
    )


async def test_blocked_field_is_read_with_its_own_variable(httpx_mock, client, tmp_path):
    """With a blocked field the items query asks for it (valid against GitHub's schema)."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    node = issue_node()
    node["blocked"] = {"__typename": "ProjectV2ItemFieldSingleSelectValue", "name": "Done"}
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([node]))
    marker = BlockedMarker(label="blocked", field="Status", option="Done")
    data = await make_source(client, tmp_path, blocked=marker).fetch(cutoff=NOW)
    bodies = sent_bodies(httpx_mock)
    assert bodies[1]["variables"]["blockedField"] == "Status"
    assert "query OrganizationProjectItemsWithBlocked(" in bodies[1]["query"]
    assert all(schema_errors(b["query"]) == [] for b in bodies)
    assert data.issues[0].flagged.initial is True  # the first snapshot shows it blocked


async def test_a_label_alone_sends_todays_query(httpx_mock, client, tmp_path):
    """Labels are read already: a label marker changes nothing in what is sent."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=items_answer([issue_node()]))
    await make_source(client, tmp_path, blocked=LABEL).fetch(cutoff=NOW)
    bodies = sent_bodies(httpx_mock)
    assert "blockedField" not in bodies[1]["variables"]
    assert "query OrganizationProjectItems(" in bodies[1]["query"]


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            BlockedMarker(field="Blocked", option="Yes"),
            (
                r"source\.blocked\.field: expected a SINGLE_SELECT field named 'Blocked' "
                r"\(the project's single-select fields: Status\)"
            ),
        ),
        (
            BlockedMarker(field="Iteration", option="Yes"),
            r"source\.blocked\.field: expected a SINGLE_SELECT field named 'Iteration'",
        ),
        (
            BlockedMarker(field="Status", option="Blocked"),
            (
                r"source\.blocked\.option: the field 'Status' has no option 'Blocked' "
                r"\(its options: Todo, Done\)"
            ),
        ),
    ],
)
async def test_unknown_blocked_field_or_option_is_a_config_error(
    httpx_mock, client, tmp_path, marker, message
):
    """A field or option the project lacks is a ConfigError naming the key (exit 2)."""
    httpx_mock.add_response(url=GRAPHQL, method="POST", json=fields_answer())
    with pytest.raises(ConfigError, match=message):
        await make_source(client, tmp_path, blocked=marker).fetch(cutoff=NOW)
