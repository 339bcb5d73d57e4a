"""The Jira Data Center sprint cache end to end: a cached rerun publishes what a --full run does."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fakes.jira_bulk import NOW, SPRINT_42
from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_bulk import bulk_jira_dc
from fakes.jira_dc_sample import in_site_zone
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

PAT = "dc-pat-123"
NOTE = "Pool resized after the incident"
NAMES = {"41": "ABC Sprint 41", "42": "ABC Sprint 42", "43": "ABC Sprint 43"}
SETUP_CALLS = 4  # myself, the board's sprints, its configuration, the field list
SEARCH = ("POST", "/rest/api/2/search")


@pytest.fixture
def credentials(monkeypatch):
    """The Data Center PAT the fake accepts, and no Cloud credentials."""
    for name in ("SPRINTSYNC_JIRA_EMAIL", "SPRINTSYNC_JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPRINTSYNC_JIRA_PAT", PAT)


@pytest.fixture
def jira() -> Iterator[tuple[FakeJiraDataCenter, RunningServer]]:
    """150 generated issues on a Data Center site (user zone Europe/Berlin) on 127.0.0.1."""
    fake = bulk_jira_dc(150)
    with fake.running() as server:
        yield fake, server


def config_for(tmp_path: Path, server: RunningServer) -> Path:
    """One team reading the fake's board 7 through the Data Center source."""
    return write_config(tmp_path, server.url, deployment="datacenter")


def stamp(hours: float) -> str:
    """A Data Center field timestamp (site zone) `hours` after the first run's clock."""
    return in_site_zone((NOW + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))


def clock(hours: float) -> str:
    """The `--now` value `hours` after the first run's clock."""
    return (NOW + timedelta(hours=hours)).isoformat()


def status_json(tmp_path: Path) -> dict[str, Any]:
    """The published status JSON."""
    return json.loads((tmp_path / "out/checkout.json").read_text(encoding="utf-8"))


def requests(fake: FakeJiraDataCenter) -> int:
    """Requests the fake answered since the last `calls.clear()`."""
    return sum(fake.calls.values())


def changelog_requests(fake: FakeJiraDataCenter) -> int:
    """Per-issue requests (`issue/{key}` with its changelog, and `/changelog` pages)."""
    return sum(n for (_m, path), n in fake.calls.items() if path.startswith("/rest/api/2/issue/"))


def sprint_ids(fake_issue: Any) -> set[str]:
    """The sprint ids of a fake issue's Sprint field now."""
    return {str(s["id"]) for s in fake_issue.fields[SPRINT_FIELD] or []}


def never_in_42(fake: FakeJiraDataCenter) -> Any:
    """A removal candidate of the first run whose history never names sprint 42."""
    return next(
        i
        for i in fake.issues
        if not sprint_ids(i)
        and not any("42" in str(item.get("to")) for h in i.histories for item in h["items"])
    )


def change_the_world(fake: FakeJiraDataCenter) -> dict[str, str]:
    """Edits after the first run, each with its history and a new `updated`: the keys touched."""
    members = [i for i in fake.issues if "42" in sprint_ids(i)]
    members = [i for i in members if i.fields["status"]["name"] != "Done"]
    done, leaving, deleted = members[0], members[1], members[2]
    clear_flag_with_comment(members[3], raised=stamp(0.5), cleared=stamp(1), text=NOTE, hid=90100)
    before = done.fields["status"]["name"]
    done.histories.append(history(90001, stamp(1), status_item(before, "Done")))
    done.fields.update(status=status_value("Done"), updated=stamp(1))
    leaving.histories.append(history(90002, stamp(1), sprint_item("42", None, names=NAMES)))
    leaving.fields.update({SPRINT_FIELD: None, "updated": stamp(1)})
    fake.issues.remove(deleted)
    joining = never_in_42(fake)  # a candidate the cache holds as "checked", added since
    joining.histories.append(history(90006, stamp(1), sprint_item(None, "42", names=NAMES)))
    joining.fields.update({SPRINT_FIELD: [SPRINT_42], "updated": stamp(1)})
    fresh = issue(
        "99001",
        "ABC-9001",
        "Added after the first run",
        state="To Do",
        points=3,
        sprints=[SPRINT_42],
        created=stamp(0.5),
        updated=stamp(1),
        histories=[history(90003, stamp(1), sprint_item(None, "42", names=NAMES))],
    )
    visitor = issue(
        "99002",
        "ABC-9002",
        "In and out between two runs",
        state="To Do",
        points=2,
        sprints=[],
        created=stamp(0.5),
        updated=stamp(1.5),
        histories=[
            history(90004, stamp(1), sprint_item(None, "42", names=NAMES)),
            history(90005, stamp(1.5), sprint_item("42", None, names=NAMES)),
        ],
    )
    fake.issues += [fresh, visitor]
    keys = {"done": done.key, "left": leaving.key, "deleted": deleted.key}
    return {**keys, "joined": joining.key}


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"])
def test_cached_rerun_publishes_the_same_json_as_a_full_run(credentials, tmp_path, zone):
    """First run, changes on the fake, then a cached rerun and a --full run: identical JSON.

    The user's zone is where Jira reads the `updated >=` minute: written in another zone, the
    candidate added to the sprint since (cached as never in it) would be missed west of UTC.
    """
    fake = bulk_jira_dc(150, user_time_zone=zone)
    with fake.running() as server:
        config = config_for(tmp_path, server)
        assert run(config, "--now", clock(0)) == 0
        first = status_json(tmp_path)
        touched = change_the_world(fake)
        server.requests.clear()
        fake.calls.clear()
        assert run(config, "--now", clock(2)) == 0
        cached, cached_requests = status_json(tmp_path), requests(fake)
        since = [r.json()["jql"] for r in server.calls(*SEARCH) if "updated >=" in r.json()["jql"]]
        markdown = (tmp_path / "out/checkout.md").read_text(encoding="utf-8")
        fake.calls.clear()
        assert run(config, "--now", clock(2), "--full") == 0
    assert status_json(tmp_path) == cached
    assert (tmp_path / "out/checkout.md").read_text(encoding="utf-8") == markdown
    assert f"- **Resolution**: {NOTE}" in markdown  # the clearing comment, on both paths
    assert cached_requests < requests(fake)
    assert cached != first
    local = (NOW - timedelta(minutes=10)).astimezone(ZoneInfo(zone))
    assert any(s.startswith(f'updated >= "{local:%Y/%m/%d %H:%M}" AND (') for s in since)
    text = json.dumps(cached)
    assert '"ABC-9001"' in text
    assert '"ABC-9002"' in text  # added and removed between the runs: found as a candidate
    assert f'"{touched["joined"]}"' in text  # known as never in the sprint, added since
    assert f'"{touched["left"]}"' in text  # removed since the cache: still listed
    assert f'"{touched["deleted"]}"' not in text  # deleted since the cache: dropped


def test_unchanged_rerun_asks_only_the_lookups_and_two_searches(jira, credentials, tmp_path):
    """Nothing changed: the four lookups and two one-field searches, no changelog at all."""
    fake, server = jira
    config = config_for(tmp_path, server)
    assert run(config, "--now", clock(0)) == 0
    first = status_json(tmp_path)
    assert changelog_requests(fake) >= 150
    server.requests.clear()
    fake.calls.clear()
    assert run(config, "--now", clock(0.5)) == 0
    assert requests(fake) == SETUP_CALLS + 2
    assert changelog_requests(fake) == 0
    bodies = [r.json() for r in server.calls(*SEARCH)]
    assert [(b["fields"], b["maxResults"]) for b in bodies] == [(["updated"], 1000)] * 2
    assert status_json(tmp_path) == first


def test_an_edit_is_refetched_alone(jira, credentials, tmp_path):
    """One issue edited since the cache: one changelog request, the rest from the cache."""
    fake, server = jira
    config = config_for(tmp_path, server)
    assert run(config, "--now", clock(0)) == 0
    member = next(i for i in fake.issues if "42" in sprint_ids(i))
    member.histories.append(history(90010, stamp(1), status_item("To Do", "In Progress")))
    member.fields.update(status=status_value("In Progress"), updated=stamp(1))
    fake.calls.clear()
    assert run(config, "--now", clock(2)) == 0
    assert changelog_requests(fake) == 1
    assert fake.calls[("GET", f"/rest/api/2/issue/{member.key}")] == 1
    cached = status_json(tmp_path)
    assert run(config, "--now", clock(2), "--full") == 0
    assert status_json(tmp_path) == cached


def test_full_fetches_everything_again_and_rewrites_the_cache(jira, credentials, tmp_path):
    """--full sends what a first run sends, and leaves a cache the next run uses."""
    fake, server = jira
    config = config_for(tmp_path, server)
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
        pytest.param(lambda text: text.replace('"key":"', '"key":"x', 1), id="foreign"),
        pytest.param(lambda text: text.replace('"members":["', '"members":["x', 1), id="lists"),
    ],
)
def test_a_damaged_old_or_foreign_cache_is_ignored_logged_and_rewritten(
    jira, credentials, tmp_path, capsys, damage
):
    """A cache that cannot be trusted is ignored with a log line; the run is a correct full one."""
    fake, server = jira
    config = config_for(tmp_path, server)
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
