from datetime import UTC, datetime

import pytest

from sprintsync.sources.jira.issue import build_description
from sprintsync.sources.jira.parse import parse_time, to_sprint_id, to_sprint_ids
from sprintsync.sources.jira.wiki import build_details, build_result, to_plain_line

LEGACY = (
    "com.atlassian.greenhopper.service.sprint.Sprint@77c19629[id=266,rapidViewId=174,"
    "state=CLOSED,name=GSC Sprint 26,startDate=2018-03-06T09:10:57.810-08:00,"
    "endDate=2018-03-20T09:10:00.000-07:00,completeDate=<null>,sequence=266,goal=<null>]"
)


def legacy(sprint_id: int, goal: str) -> str:
    """A legacy Sprint string with `goal`."""
    return (
        f"com.atlassian.greenhopper.service.sprint.Sprint@1f2e3d[id={sprint_id},rapidViewId=7,"
        f"state=ACTIVE,name=ABC Sprint {sprint_id},startDate=<null>,endDate=<null>,"
        f"completeDate=<null>,sequence={sprint_id},goal={goal}]"
    )


def test_details_are_the_first_run_of_bullet_lines():
    """`* item` and `- item` lines of the first run become details; a later list is ignored."""
    text = "Why:\n* Raise the timeout\n- Add  a   retry\n\nLater:\n* Not this one"
    assert build_details(text) == ("Raise the timeout", "Add a retry")


def test_nested_bullets_and_crlf_stay_in_the_run():
    """`** nested` lines belong to the run, and Windows line ends are read like any other."""
    assert build_details("* One\r\n** Two\r\n* Three\r\nafter") == ("One", "Two", "Three")


def test_bold_text_and_rules_are_not_bullets():
    """`*bold*` at the start of a line and a `----` rule are not list items."""
    assert build_details("*Important* note\n----\n-not a bullet") == ()


def test_result_bullets_are_left_out_of_the_details():
    """A bullet that starts with `Result:` is the result, not a detail."""
    text = "* Ship it\n* Result: shipped"
    assert build_details(text) == ("Ship it",)
    assert build_result(text) == "shipped"


def test_result_is_the_text_after_the_first_result_line():
    """The first line starting with `Result:` gives the result; later ones are ignored."""
    text = "h3. Outcome\n  Result:   checkout completes   under load\nResult: second"
    assert build_result(text) == "checkout completes under load"


def test_an_empty_result_line_is_no_result():
    """`Result:` with nothing after it is no result; a line merely containing it is not one."""
    assert build_result("Result:\nThe Result: is pending") is None


def test_links_and_monospace_are_read_as_plain_text():
    """`[label|url]` keeps its label, `[url]` its url, `{{code}}` its text."""
    line = "See [the spec|https://example.com/spec], [https://x.test] and {{retry_count}}"
    assert to_plain_line(line) == "See the spec, https://x.test and retry_count"


@pytest.mark.parametrize("value", [None, "", "no bullets here", 42])
def test_descriptions_without_bullets_have_no_details(value):
    """Missing, empty or bullet-less descriptions give no details and no result."""
    assert build_details(value) == ()
    assert build_result(value) is None


def test_description_dispatches_on_the_wire_type():
    """A string is wiki markup (Data Center); an object is ADF (Cloud)."""
    adf = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Result: from ADF"}]}
        ],
    }
    assert build_description("* wiki item\nResult: from wiki") == (("wiki item",), "from wiki")
    assert build_description(adf) == ((), "from ADF")
    assert build_description(None) == ((), None)


def test_legacy_sprint_string_gives_its_id():
    """The documented legacy form (API-NOTES A.9) yields id 266, not the sequence or board."""
    assert to_sprint_id(LEGACY) == "266"


def test_legacy_sprint_goal_with_commas_and_brackets_does_not_confuse_the_id():
    """A goal holding commas, `[id=` and `]` leaves the sprint id alone."""
    assert to_sprint_id(legacy(42, "Ship v2, then [id=99] polish], maybe")) == "42"


def test_sprint_field_mixes_objects_and_legacy_strings():
    """A Sprint field list may hold JSON objects or legacy strings; both give ids."""
    value = [{"id": 41, "name": "ABC Sprint 41"}, legacy(42, "<null>")]
    assert to_sprint_ids(value) == frozenset({"41", "42"})


@pytest.mark.parametrize(
    "value", [None, "ABC Sprint 42", "Sprint@1[id=5]", {"name": "no id"}, 42, [None, "x"]]
)
def test_values_that_are_not_sprints_give_no_id(value):
    """Anything that is neither a sprint object nor the legacy string names no sprint."""
    assert to_sprint_ids(value if isinstance(value, list) else [value]) == frozenset()


def test_sprint_field_that_is_not_a_list_holds_no_sprint():
    """A null Sprint field (never in a sprint) holds no ids."""
    assert to_sprint_ids(None) == frozenset()


def test_data_center_timestamps_with_a_local_offset_are_read():
    """`2025-01-24T09:00:00.000+0100` (a DC site zone) is 08:00 UTC."""
    moment = parse_time("2025-01-24T09:00:00.000+0100")
    assert moment == datetime(2025, 1, 24, 8, tzinfo=UTC)
    assert parse_time("2018-03-06T09:10:57.810-08:00") == datetime(
        2018, 3, 6, 17, 10, 57, 810000, tzinfo=UTC
    )
