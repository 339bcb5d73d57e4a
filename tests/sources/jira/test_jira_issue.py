from datetime import UTC, datetime

from fakes.jira_world import (
    FIELDS,
    board_config,
    flagged_item,
    history,
    issue,
    points_item,
    sprint,
    sprint_item,
    status_item,
)
from sprintsync.domain import WorkState
from sprintsync.sources.jira.changelog import (
    Tracked,
    classify,
    group_changes,
    mentions_sprint,
    parse_history,
    sprint_ids,
)
from sprintsync.sources.jira.compact import to_compact_issue, to_issue
from sprintsync.sources.jira.issue import (
    IssueContext,
    build_blocked_by,
    build_epic,
    to_tracked_issue,
)
from sprintsync.sources.jira.parse import (
    StateMap,
    to_board_config,
    to_field_ids,
    to_open_sprints,
)

IDS = to_field_ids(FIELDS, estimate=None, board=42)
CONTEXT = IssueContext(
    sprint_id="5",
    fields=IDS,
    states=StateMap(to_board_config(board_config(board=42, project="PRD", filter_id="10010"))),
    base_url="https://acme.atlassian.net/",
)
S5 = sprint(
    5,
    "Sprint 5",
    "active",
    board=42,
    start="2025-01-24T08:00:00.000Z",
    end="2025-02-04T17:00:00.000Z",
)
T0 = datetime(2025, 1, 24, 8, tzinfo=UTC)
LATER = datetime(2025, 2, 1, tzinfo=UTC)


def utc(day: int, hour: int = 0) -> datetime:
    """A moment in January 2025, UTC."""
    return datetime(2025, 1, day, hour, tzinfo=UTC)


def tracked(fake_issue, *, cutoff=LATER):
    """Build the TrackedIssue of a fake issue from its own histories."""
    changes = group_changes(
        [
            {
                "issueChangeLogs": [
                    {"issueId": fake_issue.id, "changeHistories": fake_issue.histories}
                ]
            }
        ],
        IDS,
    ).get(fake_issue.id, [])
    raw = {"id": fake_issue.id, "key": fake_issue.key, "fields": fake_issue.fields}
    return to_tracked_issue(raw, changes, CONTEXT, cutoff=cutoff)


def test_items_are_keyed_on_field_id_else_on_the_field_name_case_insensitively():
    """The fieldId wins; without it the display name (any case) identifies the field."""
    assert classify({"fieldId": "customfield_10020", "field": "x"}, IDS) is Tracked.SPRINT
    assert classify({"field": "SPRINT"}, IDS) is Tracked.SPRINT
    assert classify({"field": "Story point estimate"}, IDS) is Tracked.ESTIMATE
    assert classify({"field": "flagged"}, IDS) is Tracked.FLAGGED
    assert classify({"field": "Status", "fieldId": "status"}, IDS) is Tracked.STATUS
    assert classify({"field": "IssueParentAssociation", "from": "1", "to": "2"}, IDS) is None


def test_sprint_lists_are_ids_never_names():
    """'76, 79' is two ids; the names (which may hold commas) are not read."""
    assert sprint_ids("76, 79") == {"76", "79"}
    assert sprint_ids(None) == frozenset()
    item = sprint_item("4", "4, 5", names={"4": "Sprint 4, part 2", "5": "Sprint 5"})
    changes = parse_history(history(1, "2025-01-23T10:00:00.000+0000", item), IDS)
    assert mentions_sprint(changes, "5")
    assert not mentions_sprint(changes, "part 2")


def test_histories_accept_epoch_created_and_sort_by_moment_then_numeric_id():
    """Epoch seconds/ms `created` are read; ties sort by numeric id (10 after 9)."""
    same = "2025-01-25T10:00:00.000+0000"
    page = {
        "issueChangeLogs": [
            {
                "issueId": "1",
                "changeHistories": [
                    history(10, same, status_item("In Progress", "Done")),
                    {**history(8, "x", status_item("To Do", "In Progress")), "created": 1737712800},
                    history(9, same, status_item("To Do", "In Progress")),
                    {
                        **history(7, "x", status_item("To Do", "In Progress")),
                        "created": 1737626400000,
                    },
                ],
            }
        ]
    }
    changes = group_changes([page], IDS)["1"]
    assert [c.history_id for c in changes] == [7, 8, 9, 10]
    assert changes[1].moment == datetime(2025, 1, 24, 10, tzinfo=UTC)


def test_issue_in_the_sprint_before_start_walks_its_changes_forward():
    """Added before t0, started and finished later: state and membership over time."""
    fake = issue(
        "1",
        "PRD-1",
        "Monitoring",
        state="Done",
        points=4,
        sprints=[S5],
        created="2025-01-20T09:00:00.000+0000",
        histories=[
            history(1, "2025-01-23T10:00:00.000+0000", sprint_item(None, "5")),
            history(2, "2025-01-24T10:00:00.000+0000", status_item("To Do", "In Progress")),
            history(3, "2025-01-24T14:00:00.000+0000", status_item("In Progress", "Done")),
        ],
    )
    value = tracked(fake)
    assert value.in_sprint.value_at(utc(21)) is False
    assert value.in_sprint.value_at(T0) is True
    assert value.state.initial is WorkState.TODO
    assert value.state.value_at(utc(24, 12)) is WorkState.IN_PROGRESS
    assert value.state.value_at(utc(24, 15)) is WorkState.DONE
    assert value.estimate.value_at(T0) == 4.0
    assert value.url == "https://acme.atlassian.net/browse/PRD-1"


def test_issue_created_after_start_directly_into_the_sprint_is_added_at_creation():
    """No Sprint change in its history: out of the sprint before `created`, in from then."""
    fake = issue(
        "2",
        "PRD-2",
        "Hotfix",
        state="To Do",
        points=2,
        sprints=[S5],
        created="2025-01-27T01:30:00.000-0800",
    )
    value = tracked(fake)
    assert value.in_sprint.value_at(T0) is False
    assert value.in_sprint.changes == ((utc(27, 9).replace(minute=30), True),)


def test_removed_issue_was_in_from_its_first_change_and_leaves_at_removal():
    """A first Sprint change whose `from` holds S means the issue was in S since creation."""
    fake = issue(
        "3",
        "PRD-3",
        "Dropped",
        state="To Do",
        points=5,
        sprints=[],
        created="2025-01-20T09:00:00.000+0000",
        histories=[
            history(1, "2025-01-28T10:00:00.000+0000", sprint_item("5", None)),
        ],
    )
    value = tracked(fake)
    assert value.in_sprint.value_at(T0) is True
    assert value.in_sprint.value_at(utc(28, 11)) is False


def test_estimate_and_flag_changes_use_the_strings_and_cutoff_drops_later_changes():
    """Estimates come from fromString/toString; changes after the cut-off are ignored."""
    fake = issue(
        "4",
        "PRD-4",
        "Export",
        state="In Progress",
        points=13,
        sprints=[S5],
        created="2025-01-20T09:00:00.000+0000",
        histories=[
            history(1, "2025-01-25T10:00:00.000+0000", points_item(None, 8)),
            history(2, "2025-01-26T10:00:00.000+0000", flagged_item(on=True)),
            history(3, "2025-01-30T10:00:00.000+0000", points_item(8, 13)),
        ],
    )
    value = tracked(fake, cutoff=utc(28))
    assert value.estimate.initial is None
    assert value.estimate.value_at(utc(27)) == 8.0
    assert value.estimate.value_at(LATER) == 8.0
    assert value.flagged.value_at(utc(25)) is False
    assert value.flagged.value_at(utc(27)) is True


def test_blocked_by_lists_only_unresolved_inward_blocks_links():
    """Inward 'Blocks' links to issues not done are blockers; done or outward ones are not."""

    def link(direction: str, key: str, category: str, name: str = "Blocks") -> dict:
        other = {"key": key, "fields": {"status": {"statusCategory": {"key": category}}}}
        return {
            "type": {"name": name, "inward": "is blocked by", "outward": "blocks"},
            direction: other,
        }

    links = [
        link("inwardIssue", "A-1", "new"),
        link("inwardIssue", "A-2", "done"),
        link("outwardIssue", "A-3", "new"),
        link("inwardIssue", "A-4", "new", "Relates"),
    ]
    links[3]["type"]["inward"] = "relates to"
    assert build_blocked_by(links) == ("A-1",)


def test_epic_is_the_parent_only_when_the_parent_is_an_epic():
    """A parent of type Epic is the epic; a story parent (sub-task) is not."""
    epic = {"key": "PRD-1", "fields": {"issuetype": {"name": "Epic", "hierarchyLevel": 1}}}
    story = {"key": "PRD-2", "fields": {"issuetype": {"name": "Story", "hierarchyLevel": 0}}}
    assert build_epic(epic) == "PRD-1"
    assert build_epic(story) is None
    assert build_epic(None) is None


def test_a_status_on_no_board_column_is_marked_off_the_board():
    """A status id no column lists (a workflow status nobody mapped) is off the board."""
    fake = issue(
        "4",
        "PRD-4",
        "In review",
        state="To Do",
        points=3,
        sprints=[S5],
        created="2025-01-20T09:00:00.000+0000",
    )
    assert tracked(fake).status_on_board is True
    fake.fields["status"] = {**fake.fields["status"], "id": "10999", "name": "QA Review"}
    off = tracked(fake)
    assert off.status_on_board is False
    assert off.status_name == "QA Review"


def test_other_open_sprints_are_named_and_closed_ones_ignored():
    """Sprint objects by state; a legacy string by its state attribute, named by its id."""
    legacy_future = (
        "com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=7,rapidViewId=42,"
        "state=FUTURE,name=Sprint 7, with a comma,startDate=<null>,endDate=<null>]"
    )
    value = [
        {"id": 4, "name": "Sprint 4", "state": "closed"},
        {"id": 5, "name": "Sprint 5", "state": "active"},
        {"id": 6, "name": "Sprint 6", "state": "future"},
        legacy_future,
    ]
    assert to_open_sprints(value) == (
        ("5", "Sprint 5", "active"),
        ("6", "Sprint 6", "future"),
        ("7", "sprint 7", "future"),
    )
    fake = issue(
        "8",
        "PRD-8",
        "Planned twice",
        state="To Do",
        points=2,
        sprints=[S5, sprint(6, "Sprint 6", "future", board=42)],
        created="2025-01-20T09:00:00.000+0000",
    )
    assert tracked(fake).other_open_sprints == ("Sprint 6",)
    compact = to_compact_issue({"id": "8", "key": "PRD-8", "fields": fake.fields}, CONTEXT)
    assert to_issue(compact, [], CONTEXT, cutoff=LATER).other_open_sprints == ("Sprint 6",)
