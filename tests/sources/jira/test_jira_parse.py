from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakes.jira_world import FIELDS, board_config, sprint
from sprintsync.domain import WorkState
from sprintsync.errors import ConfigError, UpstreamError
from sprintsync.sources.jira.parse import (
    StateMap,
    discover_estimate_field,
    parse_time,
    select_sprint,
    to_board_config,
    to_field_ids,
    to_sprint,
)

MOMENT = datetime(2025, 3, 12, 10, 15, 30, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-12T10:15:30.123+0000",
        "2025-03-12T10:15:30.123Z",
        "2025-03-12T02:15:30.123-0800",
        "2025-03-12T11:15:30.123+01:00",
        1741774530.123,
        1741774530123,
        "1741774530123",
    ],
)
def test_parse_time_reads_every_jira_form(value):
    """Issue '+0000', sprint 'Z', colon offsets and epoch seconds/ms all give the same moment."""
    assert parse_time(value) == MOMENT


def test_parse_time_keeps_the_offset():
    """A '-0800' timestamp keeps its zone (aware), not converted to naive."""
    assert parse_time("2026-11-24T16:02:11.893-0800").utcoffset() == timedelta(hours=-8)


@pytest.mark.parametrize("value", ["2025-03-12T10:15:30", "yesterday", None, True])
def test_parse_time_refuses_naive_or_unreadable_values(value):
    """A timestamp without an offset or not a timestamp at all is an upstream error."""
    with pytest.raises(UpstreamError, match="timestamp"):
        parse_time(value)


SPRINTS = [
    sprint(
        4,
        "Sprint 4",
        "closed",
        board=42,
        start="2025-01-10T08:00:00.000Z",
        end="2025-01-23T17:00:00.000Z",
        complete="2025-01-23T18:00:00.000Z",
    ),
    sprint(
        5,
        "Sprint 5",
        "active",
        board=42,
        start="2025-01-24T08:00:00.000Z",
        end="2025-02-04T17:00:00.000Z",
        goal="Production Readiness",
    ),
    sprint(6, "Sprint 6", "future", board=42),
]


def test_select_sprint_by_active_id_and_name():
    """'active' picks the one active sprint; an int picks by id; a string by exact name."""
    assert select_sprint(SPRINTS, "active", board=42)["id"] == 5
    assert select_sprint(SPRINTS, 4, board=42)["id"] == 4
    assert select_sprint(SPRINTS, "Sprint 6", board=42)["id"] == 6
    assert select_sprint(SPRINTS, "4", board=42)["id"] == 4


def test_select_sprint_names_the_board_and_lists_sprints_when_unknown():
    """An unknown name is a service answer (exit 3) listing the board's sprints."""
    with pytest.raises(
        UpstreamError, match=r"sprint 'Sprint 9' not found on board 42 \(sprints: 'Sprint 4'"
    ):
        select_sprint(SPRINTS, "Sprint 9", board=42)


def test_select_sprint_needs_exactly_one_active_sprint():
    """No active sprint, or two, is a service answer (exit 3) saying so."""
    with pytest.raises(UpstreamError, match="board 42 has no active sprint"):
        select_sprint([SPRINTS[0]], "active", board=42)
    with pytest.raises(UpstreamError, match="board 42 has 2 active sprints"):
        select_sprint([SPRINTS[1], {**SPRINTS[1], "id": 7}], "active", board=42)


def test_to_sprint_prefers_activated_date_and_parses_z_dates():
    """t0 is activatedDate when present, else startDate; completeDate is kept."""
    raw = {**SPRINTS[0], "activatedDate": "2025-01-10T09:30:00.000Z"}
    value = to_sprint(raw)
    assert value.start == datetime(2025, 1, 10, 9, 30, tzinfo=UTC)
    assert value.complete == datetime(2025, 1, 23, 18, tzinfo=UTC)
    assert to_sprint(SPRINTS[1]).start == datetime(2025, 1, 24, 8, tzinfo=UTC)
    assert to_sprint(SPRINTS[1]).goal == "Production Readiness"


def test_to_sprint_refuses_a_future_sprint_without_dates():
    """A sprint that never started cannot be reported on."""
    with pytest.raises(ConfigError, match="has not been started"):
        to_sprint(SPRINTS[2])


def config_with(columns: list[dict]) -> dict:
    """A board configuration with the given columns."""
    raw = board_config(board=42, project="PRD", filter_id="10010")
    return {**raw, "columnConfig": {"columns": columns, "constraintType": "issueCount"}}


def column(name: str, *ids: str) -> dict:
    """A board column mapping status ids."""
    return {"name": name, "statuses": [{"id": i, "self": f"https://x/status/{i}"} for i in ids]}


def test_board_states_follow_columns_and_the_last_column_with_statuses_is_done():
    """First column To Do, middle In Progress, the last column having statuses Done."""
    config = to_board_config(
        config_with(
            [
                column("Backlog", "1"),
                column("Doing", "3", "4"),
                column("Done", "5"),
                column("Archive"),
            ]
        )
    )
    states = StateMap(config)
    assert states.state("1", "Backlog") is WorkState.TODO
    assert states.state("4", "Review") is WorkState.IN_PROGRESS
    assert states.state("5", "Closed") is WorkState.DONE
    assert states.state("999", "Unmapped") is WorkState.TODO
    assert config.filter_id == "10010"
    assert config.estimation_field == "customfield_10016"


def test_done_statuses_override_the_done_column_by_name():
    """With done_statuses, only those names are Done; the last column's others are in progress."""
    config = to_board_config(config_with([column("To Do", "1"), column("Done", "5", "6")]))
    states = StateMap(config, ("Released",))
    assert states.state("6", "released") is WorkState.DONE
    assert states.state("5", "Closed") is WorkState.IN_PROGRESS


def test_estimation_field_comes_only_from_a_field_type_estimation():
    """An issueCount estimation gives no field (discovery must decide)."""
    raw = {**config_with([column("To Do", "1")]), "estimation": {"type": "issueCount"}}
    assert to_board_config(raw).estimation_field is None


def test_field_discovery_finds_sprint_flagged_and_story_points():
    """Sprint by gh-sprint type, Flagged by name, story points by the jsw-story-points type."""
    ids = to_field_ids(FIELDS, estimate=None, board=42)
    assert (ids.sprint, ids.estimate, ids.flagged) == (
        "customfield_10020",
        "customfield_10016",
        "customfield_10021",
    )
    assert (
        to_field_ids(FIELDS, estimate="customfield_10028", board=42).estimate == "customfield_10028"
    )


def test_field_discovery_falls_back_to_a_float_named_story_points():
    """Without a jsw-story-points field, a float field named 'Story Points' is used."""
    fields = [f for f in FIELDS if f["id"] != "customfield_10016"]
    assert discover_estimate_field(fields) == "customfield_10028"


def test_field_discovery_errors_name_what_to_set():
    """No estimate field or no Sprint field is a ConfigError naming the fix."""
    bare = [f for f in FIELDS if f["id"] not in ("customfield_10016", "customfield_10028")]
    with pytest.raises(ConfigError, match="estimation_field"):
        to_field_ids(bare, estimate=None, board=42)
    with pytest.raises(ConfigError, match="no Sprint field"):
        to_field_ids([f for f in FIELDS if f["name"] != "Sprint"], estimate=None, board=42)


def test_parse_time_of_negative_offset_equals_utc_moment():
    """'-0800' and the equivalent UTC moment compare equal."""
    pacific = timezone(timedelta(hours=-8))
    assert parse_time("2025-01-24T00:00:00.000-0800") == datetime(2025, 1, 24, tzinfo=pacific)


@given(
    moment=st.datetimes(  # hypothesis takes naive bounds and adds the zone itself
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2099, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: m - m % 15),
    spelling=st.sampled_from(["+HHMM", "+HH:MM", "Z"]),
)
def test_every_jira_spelling_of_a_moment_reads_back_as_that_moment(
    moment: datetime, offset_minutes: int, spelling: str
) -> None:
    """`+0000`, `+00:00` and `Z` with milliseconds: the same instant, whichever path reads it."""
    zone = timezone(timedelta(minutes=offset_minutes)) if spelling != "Z" else UTC
    local = moment.replace(microsecond=moment.microsecond // 1000 * 1000).astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    text += {
        "+HHMM": f"{sign}{hours:02d}{minutes:02d}",
        "+HH:MM": f"{sign}{hours:02d}:{minutes:02d}",
    }.get(spelling, "Z")
    assert parse_time(text) == local
    assert parse_time(text.lower() if spelling == "Z" else text) == local
