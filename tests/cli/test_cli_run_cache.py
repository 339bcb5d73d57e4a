"""The Jira Cloud sprint cache end to end: a cached rerun publishes what a --full run publishes."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fakes.jira import FakeJira
from fakes.jira_bulk import NOW, SPRINT_42, bulk_jira
from fakes.jira_world import (
    SPRINT_FIELD,
    clear_flag_with_comment,
    history,
    issue,
    sprint_item,
    status_item,
)
from fakes.jira_world import status as status_value
from fakes.server import RunningServer
from jira_helpers import run, write_config

NOTE = "Pool resized after the incident"
NAMES = {"41": "ABC Sprint 41", "42": "ABC Sprint 42", "43": "ABC Sprint 43"}
SETUP_CALLS = 4  # myself, the board's sprints, its configuration, the field list


@pytest.fixture
def credentials(monkeypatch):
    """Jira Cloud credentials the fake accepts."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")


def world(count: int = 150) -> FakeJira:
    """A generated sprint with real page sizes (one id-only search page, bulk fetches)."""
    return bulk_jira(
        count, page_size=100, id_page_size=5000, changelog_page_size=1000, sprint_page_size=50
    )


@pytest.fixture
def jira() -> Iterator[tuple[FakeJira, RunningServer]]:
    """The generated world served on 127.0.0.1."""
    fake = world()
    with fake.running() as server:
        yield fake, server


def stamp(hours: float) -> str:
    """A Jira field timestamp `hours` after the first run's clock."""
    return (NOW + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def clock(hours: float) -> str:
    """The `--now` value `hours` after the first run's clock."""
    return (NOW + timedelta(hours=hours)).isoformat()


def status_json(tmp_path: Path) -> dict[str, Any]:
    """The published status JSON."""
    return json.loads((tmp_path / "out/checkout.json").read_text(encoding="utf-8"))


def requests(fake: FakeJira) -> int:
    """Requests the fake answered since the last `calls.clear()`."""
    return sum(fake.calls.values())


def in_sprint(fake: FakeJira) -> list[Any]:
    """The fake's issues whose Sprint field holds sprint 42 now."""
    return [
        i for i in fake.issues if any(str(s["id"]) == "42" for s in i.fields[SPRINT_FIELD] or [])
    ]


def change_the_world(fake: FakeJira) -> dict[str, str]:
    """Edits after the first run, each with its history and a new `updated`: the keys touched."""
    members = [i for i in in_sprint(fake) if i.fields["status"]["name"] != "Done"]
    done, leaving, deleted = members[0], members[1], members[2]
    clear_flag_with_comment(members[3], raised=stamp(0.5), cleared=stamp(1), text=NOTE, hid=90100)
    before = done.fields["status"]["name"]
    done.histories.append(history(90001, stamp(1), status_item(before, "Done")))
    done.fields.update(status=status_value("Done"), updated=stamp(1))
    leaving.histories.append(history(90002, stamp(1), sprint_item("42", None, names=NAMES)))
    leaving.fields.update({SPRINT_FIELD: None, "updated": stamp(1)})
    fake.issues.remove(deleted)
    fake._indexed = -1
    added = history(90003, stamp(1), sprint_item(None, "42", names=NAMES))
    fresh = issue(
        "99001",
        "ABC-9001",
        "Added after the first run",
        state="To Do",
        points=3,
        sprints=[SPRINT_42],
        created=stamp(0.5),
        updated=stamp(1),
        histories=[added],
    )
    passing = [
        history(90004, stamp(1), sprint_item(None, "42", names=NAMES)),
        history(90005, stamp(1.5), sprint_item("42", None, names=NAMES)),
    ]
    visitor = issue(
        "99002",
        "ABC-9002",
        "In and out between two runs",
        state="To Do",
        points=2,
        sprints=[],
        created=stamp(0.5),
        updated=stamp(1.5),
        histories=passing,
    )
    fake.issues += [fresh, visitor]
    return {"done": done.key, "left": leaving.key, "deleted": deleted.key}


def test_cached_rerun_publishes_the_same_json_as_a_full_run(jira, credentials, tmp_path):
    """First run, changes on the fake, then a cached rerun and a --full run: identical JSON."""
    fake, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", clock(0)) == 0
    first = status_json(tmp_path)
    touched = change_the_world(fake)
    fake.calls.clear()
    assert run(config, "--now", clock(2)) == 0
    cached, cached_requests = status_json(tmp_path), requests(fake)
    markdown = (tmp_path / "out/checkout.md").read_text(encoding="utf-8")
    fake.calls.clear()
    assert run(config, "--now", clock(2), "--full") == 0
    assert status_json(tmp_path) == cached
    assert (tmp_path / "out/checkout.md").read_text(encoding="utf-8") == markdown
    assert f"- **Resolution**: {NOTE}" in markdown  # the clearing comment, on both paths
    assert cached_requests < requests(fake)
    assert cached != first
    text = json.dumps(cached)
    assert '"ABC-9001"' in text
    assert '"ABC-9002"' in text  # added and removed between the runs: found as a candidate
    assert f'"{touched["left"]}"' in text  # removed since the cache: still listed
    assert f'"{touched["deleted"]}"' not in text  # deleted since the cache: dropped


def test_unchanged_rerun_asks_only_the_lookups_and_two_id_searches(jira, credentials, tmp_path):
    """Nothing changed: the four lookups, one id-only search, one updated-since search."""
    fake, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", clock(0)) == 0
    first = status_json(tmp_path)
    fake.calls.clear()
    assert run(config, "--now", clock(0.5)) == 0
    assert requests(fake) == SETUP_CALLS + 2
    assert fake.calls[("POST", "/rest/api/3/search/jql")] == 2
    assert status_json(tmp_path) == first


def test_full_fetches_everything_again_and_rewrites_the_cache(jira, credentials, tmp_path):
    """--full sends what a first run sends, and leaves a cache the next run uses."""
    fake, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", clock(0)) == 0
    first_requests = requests(fake)
    fake.calls.clear()
    assert run(config, "--now", clock(1), "--full") == 0
    assert requests(fake) == first_requests
    fake.calls.clear()
    assert run(config, "--now", clock(2)) == 0
    assert requests(fake) == SETUP_CALLS + 2


def cache_files(tmp_path: Path) -> list[Path]:
    """The sprint cache files in the default state folder."""
    return sorted((tmp_path / ".sprintsync" / "cache").glob("jira-*.json"))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda _text: "\x00\xff not json", id="garbage"),
        pytest.param(lambda text: text.replace('"schema":1', '"schema":0', 1), id="old-schema"),
        pytest.param(lambda text: text.replace('"members":["', '"members":["x', 1), id="lists"),
    ],
)
def test_a_damaged_or_old_cache_is_ignored_logged_and_rewritten(
    jira, credentials, tmp_path, capsys, damage
):
    """A cache that cannot be trusted is ignored with a log line; the run is a correct full one."""
    fake, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", clock(0)) == 0
    first, first_requests = status_json(tmp_path), requests(fake)
    [path] = cache_files(tmp_path)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    fake.calls.clear()
    assert run(config, "--now", clock(1)) == 0
    assert "jira.cache_ignored" in capsys.readouterr().err
    assert requests(fake) == first_requests
    assert status_json(tmp_path) == first
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == 1  # written afresh


def test_a_cache_written_after_the_runs_clock_is_not_trusted(jira, credentials, tmp_path, capsys):
    """A run whose clock is before the cache's fetch (--now in the past) fetches in full."""
    fake, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", clock(5)) == 0
    first_requests = requests(fake)
    capsys.readouterr()
    fake.calls.clear()
    assert run(config, "--now", clock(1)) == 0
    assert "after this run's clock" in capsys.readouterr().err
    assert requests(fake) == first_requests


TWO_TEAMS = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: one
    source: {{type: jira, deployment: cloud, url: "{one}", board: 7}}
    publish: [{{type: file, path: out/one.json}}]
  - name: two
    source: {{type: jira, deployment: cloud, url: "{two}", board: 7}}
    publish: [{{type: file, path: out/two.json}}]
"""


def test_concurrent_teams_keep_one_cache_file_each_in_one_state_folder(credentials, tmp_path):
    """Two teams run at once share the state folder: a file per sprint, each rerun cached."""
    first, second = world(60), world(90)
    with first.running() as one, second.running() as two:
        config = tmp_path / "sprintsync.yaml"
        config.write_text(TWO_TEAMS.format(one=one.url, two=two.url), encoding="utf-8")
        assert run(config, "--now", clock(0)) == 0
        outputs = [(tmp_path / f"out/{t}.json").read_text(encoding="utf-8") for t in ("one", "two")]
        assert len(cache_files(tmp_path)) == 2
        first.calls.clear()
        second.calls.clear()
        assert run(config, "--now", clock(1)) == 0
        assert requests(first) == requests(second) == SETUP_CALLS + 2
        again = [(tmp_path / f"out/{t}.json").read_text(encoding="utf-8") for t in ("one", "two")]
    assert again == outputs
    assert not list((tmp_path / ".sprintsync" / "cache").glob(".*"))  # no temporary file left


def test_removed_issue_deleted_after_the_cache_is_dropped(jira, credentials, tmp_path):
    """An issue already removed when the cache was written, deleted since: gone from the report."""
    fake, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", clock(0)) == 0
    removed_keys = {k for k in json.dumps(status_json(tmp_path)).split('"') if k.startswith("ABC")}
    gone = next(i for i in fake.issues if i.key in removed_keys and i not in in_sprint(fake))
    fake.issues.remove(gone)
    fake._indexed = -1
    assert run(config, "--now", clock(1)) == 0
    cached = status_json(tmp_path)
    assert f'"{gone.key}"' not in json.dumps(cached)
    assert run(config, "--now", clock(1), "--full") == 0
    assert status_json(tmp_path) == cached
