"""GitHub Projects velocity end to end: completed iterations replayed from daily snapshots."""

import json
from pathlib import Path
from typing import Any

import pytest

from fakes.github_graphql import FakeGitHub, FakeItem, FakeProject, issue
from fakes.server import serve
from github_helpers import IT7, IT8, close
from sprintsync.cli import main
from sprintsync.compose.github_velocity import NO_SNAPSHOT

IT3 = {"id": "it3", "title": "Iteration 3", "startDate": "2026-09-21", "duration": 14}
IT4 = {"id": "it4", "title": "Iteration 4", "startDate": "2026-10-05", "duration": 14}
IT5 = {"id": "it5", "title": "Iteration 5", "startDate": "2026-10-19", "duration": 14}
IT6 = {"id": "it6", "title": "Iteration 6", "startDate": "2026-11-02", "duration": 14}
FINAL_RUN = "2026-11-16T08:00:00+01:00"  # day 1 of Iteration 7, Europe/Berlin

CONFIG = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: shop
    source:
      type: github
      owner: acme
      project: 5
      api_url: "{url}"
    publish:
      - {{type: file, path: out/shop.json}}
"""
VELOCITY = "report: {sections: [velocity], velocity_sprints: 3}\n"


@pytest.fixture
def token(monkeypatch):
    """The token the fake GitHub accepts, through the documented fallback variable."""
    monkeypatch.delenv("SPRINTSYNC_GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_fake_valid")


def item(number: int, points: float, iteration: str | None, *, created: str) -> FakeItem:
    """An open issue of acme/shop on the board."""
    content = issue("acme/shop", number, f"Issue {number}", created_at=created)
    return FakeItem(
        id=f"PVTI_{number}",
        created_at=created,
        content=content,
        iteration=iteration,
        points=points,
        status="Todo",
    )


def phase(project: FakeProject, completed: list[dict[str, Any]]) -> None:
    """GitHub moves an iteration to `completedIterations` once it has ended."""
    project.completed_iterations = completed
    project.iterations = [i for i in (IT4, IT5, IT6, IT7, IT8) if i not in completed]


def run(config: Path, now: str) -> int:
    """`sprintsync run` in-process at the given clock."""
    return main(["run", "--config", str(config), "--now", now])


def items_queries(fake: FakeGitHub) -> int:
    """How many items queries (paged item reads) the fake answered."""
    return sum("ProjectItems" in query for query in fake.queries)


def seed_three_iterations(project: FakeProject, config: Path) -> None:
    """Daily-ish runs (velocity off) over Iterations 4, 5 and 6, storing their snapshots.

    Iteration 4: #11 (5) and #12 (3) committed; #11 closed on 8 Oct; #12 carried into 5 after
    the end. 8 committed, 5 completed.
    Iteration 5: #12 (3) and #14 (8) committed; #13 (2) added on 21 Oct and closed on 22 Oct;
    #14 taken out of the iteration before 26 Oct; #12 closed on 28 Oct, after the last
    snapshot of Iteration 5 (seen only in the project as it is now, with its closedAt).
    11 committed, 5 completed.
    Iteration 6: #15 (13) and #16 (2) committed; #16 closed on 10 Nov; #15 carried into 7
    after the end. 15 committed, 2 completed.
    """
    made = "2026-09-28T09:00:00Z"
    project.items += [
        item(11, 5.0, "it4", created=made),
        item(12, 3.0, "it4", created=made),
        item(14, 8.0, "it5", created=made),
        item(15, 13.0, "it6", created=made),
        item(16, 2.0, "it6", created=made),
    ]
    phase(project, [])
    assert run(config, "2026-10-05T08:00:00+02:00") == 0
    close(project.item("PVTI_11"), "2026-10-08T10:00:00Z")
    assert run(config, "2026-10-12T08:00:00+02:00") == 0
    carried = project.item("PVTI_12")
    carried.iteration, carried.iteration_updated_at = "it5", "2026-10-19T05:00:00Z"

    phase(project, [IT4])
    assert run(config, "2026-10-19T08:00:00+02:00") == 0
    added = item(13, 2.0, "it5", created="2026-10-21T09:00:00Z")
    project.items.append(added)
    close(added, "2026-10-22T09:00:00Z")
    project.item("PVTI_14").iteration = None
    assert run(config, "2026-10-26T08:00:00+01:00") == 0
    close(carried, "2026-10-28T10:00:00Z")

    phase(project, [IT4, IT5])
    assert run(config, "2026-11-02T08:00:00+01:00") == 0
    assert run(config, "2026-11-09T08:00:00+01:00") == 0
    close(project.item("PVTI_16"), "2026-11-10T10:00:00Z")
    assert run(config, "2026-11-13T08:00:00+01:00") == 0
    moved = project.item("PVTI_15")
    moved.iteration, moved.iteration_updated_at = "it7", "2026-11-16T06:00:00Z"
    phase(project, [IT4, IT5, IT6])


def write_config(tmp_path: Path, url: str, *, velocity: bool) -> Path:
    """The team's config, with or without the velocity section."""
    path = tmp_path / "sprintsync.yaml"
    path.write_text(CONFIG.format(url=url) + (VELOCITY if velocity else ""), encoding="utf-8")
    return path


def velocity_of(tmp_path: Path) -> dict[str, Any]:
    """The published status JSON's velocity section."""
    document = json.loads((tmp_path / "out/shop.json").read_text(encoding="utf-8"))
    velocity: dict[str, Any] = document["sections"]["velocity"]
    return velocity


def figures(velocity: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(name, committed, completed) per iteration, as the section lists them."""
    return [(s["name"], s["committed"], s["completed"]) for s in velocity["sprints"]]


THREE = [("Iteration 6", 15, 2), ("Iteration 5", 11, 5), ("Iteration 4", 8, 5)]


def seeded_final_run(tmp_path: Path, project: FakeProject, fake: FakeGitHub, url: str) -> None:
    """Seed the three iterations' snapshots, then the first run with the velocity section."""
    seed_three_iterations(project, write_config(tmp_path, url, velocity=False))
    fake.queries.clear()
    assert run(write_config(tmp_path, url, velocity=True), FINAL_RUN) == 0


def new_project() -> FakeProject:
    """An empty board of acme, project 5."""
    return FakeProject(owner="acme", number=5, iterations=[IT7, IT8])


def test_three_completed_iterations_replayed_from_their_snapshots(token, tmp_path):
    """6, 5, 4 newest first: 15/2, 11/5, 8/5; averages 11.3 / 4; predictability 35.3 %."""
    project = new_project()
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        seeded_final_run(tmp_path, project, fake, server.url)
    velocity = velocity_of(tmp_path)
    assert figures(velocity) == THREE
    assert (velocity["average_committed"], velocity["average_completed"]) == (11.3, 4)
    assert velocity["predictability"] == 35.3  # 12 / 34
    assert velocity["notices"] == []
    assert velocity["current_committed"] == 13  # #15, carried into Iteration 7
    assert velocity["lines"][0] == ("This sprint: committed 13, average completed 4 over 3 sprints")
    assert fake.invalid == []


def test_each_iteration_has_the_figures_a_run_for_it_reports(token, tmp_path):
    """A run whose `iteration` is Iteration 5 reports the totals its velocity entry shows."""
    project = new_project()
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        seeded_final_run(tmp_path, project, fake, server.url)
        config = write_config(tmp_path, server.url, velocity=False)
        text = config.read_text(encoding="utf-8")
        one = text.replace("      project: 5\n", "      project: 5\n      iteration: Iteration 5\n")
        config.write_text(one, encoding="utf-8")
        assert run(config, FINAL_RUN) == 0
    document = json.loads((tmp_path / "out/shop.json").read_text(encoding="utf-8"))
    assert document["sprint"]["name"] == "Iteration 5"
    assert (document["totals"]["committed"], document["totals"]["completed"]) == (11, 5)
    assert (document["totals"]["added"], document["totals"]["removed"]) == (2, 8)


def test_an_iteration_with_a_new_snapshot_is_replayed_again(token, tmp_path, capsys):
    """A run for Iteration 5 stores one more of its snapshots: only it is replayed, same figures."""
    project = new_project()
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        seeded_final_run(tmp_path, project, fake, server.url)
        config = write_config(tmp_path, server.url, velocity=False)
        text = config.read_text(encoding="utf-8")
        one = text.replace("      project: 5\n", "      project: 5\n      iteration: Iteration 5\n")
        config.write_text(one, encoding="utf-8")
        assert run(config, "2026-11-16T10:00:00+01:00") == 0
        capsys.readouterr()
        assert (
            run(write_config(tmp_path, server.url, velocity=True), "2026-11-16T11:00:00+01:00") == 0
        )
    replayed = [
        json.loads(line)
        for line in capsys.readouterr().err.splitlines()
        if "velocity.iterations_replayed" in line
    ]
    assert [event["replayed"] for event in replayed] == [1]
    assert figures(velocity_of(tmp_path)) == THREE


def test_a_dry_run_reads_and_stores_nothing(token, tmp_path, capsys):
    """--dry-run with the velocity section: the history is shown, no state folder is made."""
    project = FakeProject(owner="acme", number=5, iterations=[IT7, IT8], completed_iterations=[IT3])
    project.items.append(item(21, 5.0, "it3", created="2026-09-01T09:00:00Z"))
    with serve(FakeGitHub(project).handle) as server:
        config = write_config(tmp_path, server.url, velocity=True)
        assert main(["run", "--config", str(config), "--now", FINAL_RUN, "--dry-run"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sprintsync.yaml"]
    preview = capsys.readouterr().out.split("==> file out/shop.json <==\n", 1)[1]
    document, _ = json.JSONDecoder().raw_decode(preview)
    assert figures(document["sections"]["velocity"]) == [("Iteration 3", 5, 0)]


def test_the_second_run_reads_the_cache_and_replays_nothing(token, tmp_path):
    """A rerun asks GitHub for the items once (its own iteration's), not again for velocity."""
    project = new_project()
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        seeded_final_run(tmp_path, project, fake, server.url)
        assert items_queries(fake) == 2  # the velocity replay's and the run's own
        first = velocity_of(tmp_path)
        fake.queries.clear()
        config = write_config(tmp_path, server.url, velocity=True)
        assert run(config, "2026-11-16T09:00:00+01:00") == 0
        assert items_queries(fake) == 1
    assert velocity_of(tmp_path) == first
    (cache,) = (tmp_path / ".sprintsync/velocity").glob("github-*.json")
    stored = json.loads(cache.read_text(encoding="utf-8"))["iterations"]
    assert {i: (e["committed"], e["completed"], e["snapshots"]) for i, e in stored.items()} == {
        "it6": (15, 2, 3),
        "it5": (11, 5, 2),
        "it4": (8, 5, 2),
    }


def test_a_damaged_cache_is_logged_and_the_iterations_replayed(token, tmp_path, capsys):
    """A cache that is not JSON: one log line, the same figures, a sound cache written back."""
    project = new_project()
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        seeded_final_run(tmp_path, project, fake, server.url)
        (cache,) = (tmp_path / ".sprintsync/velocity").glob("github-*.json")
        cache.write_text('{"version": 1, "iterations": {', encoding="utf-8")
        capsys.readouterr()
        fake.queries.clear()
        assert run(write_config(tmp_path, server.url, velocity=True), FINAL_RUN) == 0
        assert items_queries(fake) == 2
    err = capsys.readouterr().err
    assert "velocity.cache_ignored" in err
    assert "not JSON" in err
    assert figures(velocity_of(tmp_path)) == THREE
    assert set(json.loads(cache.read_text(encoding="utf-8"))["iterations"]) == {"it4", "it5", "it6"}


def test_a_completed_iteration_without_snapshots_is_its_items_now_with_a_notice(token, tmp_path):
    """Iteration 3, never run: #21 created before its start and closed in it (5/5 counted).

    #22 was created after its start (added, open); #23 was carried into Iteration 7 and is not
    seen, which the notice says.
    """
    project = FakeProject(owner="acme", number=5, iterations=[IT7, IT8], completed_iterations=[IT3])
    before = "2026-09-01T09:00:00Z"
    done = item(21, 5.0, "it3", created=before)
    close(done, "2026-09-30T10:00:00Z")
    project.items += [
        done,
        item(22, 3.0, "it3", created="2026-09-25T09:00:00Z"),
        item(23, 2.0, "it7", created=before),
    ]
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        assert run(write_config(tmp_path, server.url, velocity=True), FINAL_RUN) == 0
    velocity = velocity_of(tmp_path)
    assert figures(velocity) == [("Iteration 3", 5, 5)]
    assert velocity["notices"] == [NO_SNAPSHOT.format(title="Iteration 3")]
    assert velocity["notices"][0].startswith("Iteration 3: no snapshot was stored while it ran")
    assert velocity["lines"][0] == (
        "This sprint: committed 2, average completed 5 over 1 sprint "
        "(the board has 1 closed, 3 asked for)"
    )
