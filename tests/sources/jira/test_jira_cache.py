"""The pure parts of the Jira sprint cache: its JSON form, its trust checks, its searches."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sprintsync.sources.jira.cache import (
    CACHE_SCHEMA,
    CachedIssue,
    CacheRejectedError,
    SprintCache,
    build_refetch,
    build_since_jql,
    build_since_moment,
    build_union_jql,
    classify,
    from_document,
    to_document,
    user_zone,
)
from sprintsync.sources.jira.changelog import Change, Tracked
from sprintsync.sources.jira.compact import CompactIssue
from sprintsync.sources.jira.source import JQL_DATE_FORMAT
from sprintsync.state import JsonDocument

FETCHED = datetime(2026, 11, 18, 12, 0, 30, tzinfo=UTC)
SPRINT_FIELD = "customfield_10020"


def entry(issue_id: str, *, sprints: list[int], mentions: str | None = None) -> CachedIssue:
    """A cached issue in `sprints` now, with one Sprint change naming `mentions` if given."""
    fields = {"summary": "s", SPRINT_FIELD: [{"id": s} for s in sprints], "customfield_10016": 3}
    moment = datetime(2026, 11, 12, 8, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    changes = ()
    if mentions:
        changes = (Change(moment, 7, Tracked.SPRINT, mentions, "S", None, None),)
    compact = CompactIssue(issue_id, f"ABC-{issue_id}", fields, ("a",), None, "2026-11-12")
    return CachedIssue(compact, changes)


def sample_cache() -> SprintCache:
    """Two members, one removed, one checked candidate."""
    issues = {"1": entry("1", sprints=[42]), "2": entry("2", sprints=[42])}
    issues["3"] = entry("3", sprints=[], mentions="42")
    return SprintCache(
        key="k",
        fetched_at=FETCHED,
        members=("1", "2"),
        removed=("3",),
        checked=frozenset({"4"}),
        issues=issues,
    )


def test_document_round_trip_keeps_every_value():
    """to_document then from_document gives the same cache (times, tz offsets, changes)."""
    cache = sample_cache()
    assert from_document(to_document(cache), key="k") == cache


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: [d], "not a cache document"),
        (lambda d: {**d, "schema": CACHE_SCHEMA - 1}, "schema"),
        (lambda d: {**d, "schema": CACHE_SCHEMA + 1}, "schema"),
        (lambda d: {**d, "key": "other"}, "other settings"),
        (lambda d: {**d, "fetched_at": "yesterday"}, "malformed"),
        (lambda d: {**d, "fetched_at": "2026-11-18T12:00:00"}, "malformed"),
        (lambda d: {**d, "issues": d["issues"][:1]}, "do not match"),
        (lambda d: {**d, "issues": [{"id": "1"}]}, "malformed"),
        (lambda d: {**d, "members": None}, "malformed"),
    ],
)
def test_a_document_that_cannot_be_trusted_is_rejected_with_its_reason(edit, reason):
    """Another schema, another key, a missing or malformed part: CacheRejectedError, never data."""
    with pytest.raises(CacheRejectedError, match=reason):
        from_document(edit(to_document(sample_cache())), key="k")


def test_since_moment_is_the_fetch_less_the_overlap_floored_to_the_minute():
    """UTC user: 12:00:30 less 10 minutes, floored; the format build_removed_jql uses."""
    assert build_since_moment(FETCHED, ZoneInfo("UTC")) == "2026/11/18 11:50"
    assert JQL_DATE_FORMAT == "%Y/%m/%d %H:%M"


def test_since_moment_is_written_in_the_users_zone():
    """Jira reads JQL dates in the user's zone: Los Angeles is 8 hours behind in November."""
    assert build_since_moment(FETCHED, ZoneInfo("America/Los_Angeles")) == "2026/11/18 03:50"


def test_since_moment_without_a_zone_steps_back_a_day():
    """No `myself.timeZone`: a day before, which covers every offset."""
    assert build_since_moment(FETCHED, None) == "2026/11/17 11:50"


def test_since_moment_in_a_repeated_dst_hour_is_never_after_the_moment():
    """Berlin 02:40 exists twice on 2026-10-25: the minute chosen is before both readings."""
    zone = ZoneInfo("Europe/Berlin")
    fetched = datetime(2026, 10, 25, 0, 50, tzinfo=UTC)  # 02:50 CEST, the first 02:xx
    text = build_since_moment(fetched, zone)
    assert text == "2026/10/25 01:40"  # 02:40 would also read as 01:40 UTC, after the moment
    local = datetime.fromisoformat(text.replace("/", "-"))
    readings = [local.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1)]
    assert max(readings) <= fetched - timedelta(minutes=10)


def test_user_zone_reads_myself_and_refuses_unknown_names():
    """`timeZone` from `GET /myself` as a ZoneInfo; missing or unknown: None."""
    assert user_zone({"timeZone": "Australia/Sydney"}) == ZoneInfo("Australia/Sydney")
    assert user_zone({}) is None
    assert user_zone({"timeZone": "Mars/Olympus"}) is None
    assert user_zone({"timeZone": 7}) is None


def test_union_and_since_searches():
    """One id-only search for the sprint and its candidates; the same updated since a minute."""
    union = build_union_jql("sprint = 42", "filter = 1 AND sprint != 42")
    assert union == "(sprint = 42) OR (filter = 1 AND sprint != 42)"
    assert build_union_jql("sprint = 42", None) == "sprint = 42"
    since = build_since_jql(union, "2026/11/18 11:50")
    assert since == f'updated >= "2026/11/18 11:50" AND ({union})'


def test_refetch_is_the_updated_and_the_unknown_in_search_order():
    """Issues updated since, and issues the cache never saw; a known unchanged one is reused."""
    cache = sample_cache()
    assert build_refetch(cache, ["5", "1", "2", "3", "4", "5"], {"2"}) == ["5", "2"]


def test_classify_by_sprint_field_then_changelog():
    """In the Sprint field now: member; else removed if a change names it; else checked."""
    assert classify(entry("1", sprints=[42]), sprint_id="42", sprint_field=SPRINT_FIELD) == "member"
    left = entry("1", sprints=[43], mentions="42, 43")
    assert classify(left, sprint_id="42", sprint_field=SPRINT_FIELD) == "removed"
    never = entry("1", sprints=[], mentions="41")
    assert classify(never, sprint_id="42", sprint_field=SPRINT_FIELD) == "checked"


def test_json_document_missing_unreadable_and_round_trip(tmp_path):
    """No file: None; not JSON: StateError; a saved document reads back, no temp file left."""
    document = JsonDocument(tmp_path / "cache" / "one.json")
    assert document.load() is None
    document.save({"a": [1, "é"]})
    assert document.load() == {"a": [1, "é"]}
    assert [p.name for p in document.path.parent.iterdir()] == ["one.json"]
    document.path.write_bytes(b"{not json")
    with pytest.raises(Exception, match="not JSON"):
        document.load()


def test_json_document_concurrent_saves_never_leave_a_torn_file(tmp_path):
    """Writers racing on one file: every read sees one whole document, the last one wins."""
    document = JsonDocument(tmp_path / "shared.json")
    document.save({"writer": -1, "data": []})
    seen: list[object] = []

    def write(n: int) -> None:
        for _ in range(5):
            document.save({"writer": n, "data": list(range(20_000))})
            seen.append(document.load())

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(s, dict) and len(s["data"]) == 20_000 for s in seen)
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]
