"""The GitHub Projects velocity cache and iteration choice in the composition root (no network)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sprintsync.compose.github_velocity import (
    CACHE_VERSION,
    PastIteration,
    cache_settings,
    completed_iterations,
    read_cache,
    write_cache,
)
from sprintsync.config import GitHubSourceConfig
from sprintsync.sources.github.wire import Iteration, ProjectInfo
from sprintsync.state import JsonDocument

BERLIN = ZoneInfo("Europe/Berlin")
ITERATION = PastIteration(
    name="Iteration 6", committed=15.0, completed=2.0, snapshots=3, last_snapshot="2026-11-13"
)


def source(**extra: object) -> GitHubSourceConfig:
    """A GitHub Projects source of acme's project 5."""
    return GitHubSourceConfig.model_validate(
        {"type": "github", "owner": "acme", "project": 5} | extra
    )


def test_written_iterations_read_back_under_the_same_settings(tmp_path):
    """Figures, the snapshots they came from and the notice survive, keyed by iteration id."""
    document = JsonDocument(tmp_path / "velocity" / "github-x.json")
    noted = PastIteration(name="Iteration 3", committed=5.0, completed=5.0, snapshots=0, notice="n")
    write_cache(document, settings="s", iterations={"it6": ITERATION, "it3": noted})
    assert read_cache(document, settings="s") == {"it6": ITERATION, "it3": noted}


def test_other_settings_a_damaged_file_or_bad_entries_are_not_trusted(tmp_path):
    """Changed settings, another version, bad JSON, another shape or bad entries: replayed."""
    path = tmp_path / "github.json"
    document = JsonDocument(path)
    write_cache(document, settings="s", iterations={"it6": ITERATION})
    assert read_cache(document, settings="other") == {}
    path.write_text("{not json", encoding="utf-8")
    assert read_cache(document, settings="s") == {}
    document.save([1, 2])
    assert read_cache(document, settings="s") == {}
    document.save({"version": CACHE_VERSION + 1, "settings": "s", "iterations": {}})
    assert read_cache(document, settings="s") == {}
    good = {"name": "ok", "committed": 1, "completed": 0, "snapshots": 0}
    document.save(
        {
            "version": CACHE_VERSION,
            "settings": "s",
            "iterations": {"a": {"name": "x"}, "b": good | {"notice": 7}, "c": good},
        }
    )
    assert read_cache(document, settings="s") == {
        "c": PastIteration(name="ok", committed=1.0, completed=0.0, snapshots=0)
    }


def test_settings_that_change_figures_change_the_cache_settings():
    """Done options and the time zone change an iteration's figures; the blocked marker does not."""
    plain = cache_settings(source(), BERLIN)
    assert cache_settings(source(done=["Shipped"]), BERLIN) != plain
    assert cache_settings(source(), ZoneInfo("UTC")) != plain
    assert cache_settings(source(blocked={"label": "blocked"}), BERLIN) == plain


def iteration(title: str, start: str, *, completed: bool = True) -> Iteration:
    """A 14-day iteration."""
    return Iteration(
        id=title,
        title=title,
        start_date=date.fromisoformat(start),
        duration=14,
        completed=completed,
    )


def test_completed_iterations_newest_first_ended_by_now_without_the_teams_own():
    """Only completedIterations ended by the clock, newest end first; the team's own left out."""
    info = ProjectInfo(
        owner_kind="organization",
        title="Board",
        url=None,
        iterations=(
            iteration("It 4", "2026-10-05"),
            iteration("It 5", "2026-10-19"),
            iteration("It 6", "2026-11-02"),
            iteration("It 7", "2026-11-16", completed=False),
        ),
    )
    now = datetime(2026, 11, 10, tzinfo=UTC)  # a replay clock before It 6 ended
    found = completed_iterations(info, source(), timezone=BERLIN, now=now)
    assert [i.title for i in found] == ["It 5", "It 4"]
    own = completed_iterations(info, source(iteration="It 5"), timezone=BERLIN, now=now)
    assert [i.title for i in own] == ["It 4"]
