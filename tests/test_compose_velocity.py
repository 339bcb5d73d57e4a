"""The velocity history's cache and notices in the composition root (no network)."""

from sprintsync.compose.velocity import (
    CACHE_VERSION,
    ClosedSprint,
    disagreement,
    read_cache,
    write_cache,
)
from sprintsync.state import JsonDocument

SPRINT = ClosedSprint(name="ABC Sprint 41", committed=13.0, completed=8.5)


def test_written_sprints_read_back_under_the_same_settings(tmp_path):
    """A sprint's figures and notice survive the round trip, keyed by sprint id."""
    document = JsonDocument(tmp_path / "velocity" / "site.json")
    noted = ClosedSprint(name="Old", committed=1.0, completed=2.0, notice="differs")
    write_cache(document, settings="s", sprints={"41": SPRINT, "40": noted})
    assert read_cache(document, settings="s") == {"41": SPRINT, "40": noted}


def test_other_settings_or_a_damaged_file_mean_an_empty_cache(tmp_path):
    """Changed settings, another version, bad JSON or bad entries: refetched, never trusted."""
    path = tmp_path / "velocity.json"
    document = JsonDocument(path)
    write_cache(document, settings="s", sprints={"41": SPRINT})
    assert read_cache(document, settings="other") == {}
    path.write_text("{not json", encoding="utf-8")
    assert read_cache(document, settings="s") == {}
    document.save({"version": CACHE_VERSION + 1, "settings": "s", "sprints": {}})
    assert read_cache(document, settings="s") == {}
    document.save(
        {
            "version": CACHE_VERSION,
            "settings": "s",
            "sprints": {"41": {"name": "x"}, "42": {"name": "ok", "committed": 1, "completed": 0}},
        }
    )
    assert read_cache(document, settings="s") == {
        "42": ClosedSprint(name="ok", committed=1.0, completed=0.0)
    }


def test_a_cache_that_cannot_be_written_is_logged_not_fatal(tmp_path):
    """A state folder that is a file: the report goes on without a cache."""
    (tmp_path / "velocity").write_text("", encoding="utf-8")
    write_cache(JsonDocument(tmp_path / "velocity" / "x.json"), settings="s", sprints={})


def test_the_disagreement_notice_names_both_figures():
    """Jira's chart figures, then ours, which the report shows."""
    assert disagreement(SPRINT, estimated=99.0, completed=None) == (
        "ABC Sprint 41: Jira's Velocity chart shows committed 99; this report shows its own "
        "ledger's committed 13, completed 8.5 (SEMANTICS.md §4; `sprintsync audit` explains "
        "each difference)"
    )
