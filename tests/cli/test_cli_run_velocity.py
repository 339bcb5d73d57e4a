"""The velocity history end to end: the fake's closed sprint by our ledger, cached, checked."""

import json
from pathlib import Path
from typing import Any

import pytest

from fakes.jira import FakeJira
from fakes.jira_sample import BOARD, sample_jira
from fakes.jira_world import history, issue, sprint, sprint_item, status_item
from fakes.server import FakeResponse
from jira_helpers import run, write_config
from sprintsync.sources.jira.greenhopper import VELOCITY_PATH

NOW = "2026-11-20T12:00:00+00:00"


SPRINT_39 = sprint(
    39,
    "ABC Sprint 39",
    "closed",
    board=BOARD,
    start="2026-09-29T08:00:00.000Z",
    end="2026-10-13T08:00:00.000Z",
    complete="2026-10-13T09:00:00.000Z",
)
SPRINT_40 = sprint(
    40,
    "ABC Sprint 40",
    "closed",
    board=BOARD,
    start="2026-10-13T09:30:00.000Z",
    end="2026-10-27T08:00:00.000Z",
    complete="2026-10-27T07:00:00.000Z",
)
NAMES = {"39": "ABC Sprint 39", "40": "ABC Sprint 40"}


def three_closed_sprints() -> FakeJira:
    """The sample world with two older closed sprints: 39 (8 committed, 5 done), 40 (3, 5).

    ABC-90 (5) is done in 39. ABC-91 (3) is committed in 39, left open at its close and carried
    into 40 (committed there), done in 40. ABC-92 (2) is added to 40 after its start and done.
    Sprint 41 of the sample: 3 committed, none done.
    """
    fake = sample_jira()
    fake.boards[BOARD].sprints[:0] = [SPRINT_39, SPRINT_40]
    day = "2026-{}T{}:00:00.000+0000".format
    fake.issues += [
        issue(
            "10090",
            "ABC-90",
            "Old story",
            state="Done",
            points=5,
            sprints=[SPRINT_39],
            created=day("09-20", "09"),
            updated=day("10-05", "10"),
            histories=[
                history(20900, day("09-28", "09"), sprint_item(None, "39", names=NAMES)),
                history(20901, day("10-05", "10"), status_item("To Do", "Done")),
            ],
        ),
        issue(
            "10091",
            "ABC-91",
            "Carried story",
            state="Done",
            points=3,
            sprints=[SPRINT_39, SPRINT_40],
            created=day("09-20", "09"),
            updated=day("10-20", "10"),
            histories=[
                history(20910, day("09-28", "09"), sprint_item(None, "39", names=NAMES)),
                history(20911, day("10-13", "09"), sprint_item("39", "39, 40", names=NAMES)),
                history(20912, day("10-20", "10"), status_item("To Do", "Done")),
            ],
        ),
        issue(
            "10092",
            "ABC-92",
            "Added story",
            state="Done",
            points=2,
            sprints=[SPRINT_40],
            created=day("10-14", "09"),
            updated=day("10-16", "10"),
            histories=[
                history(20920, day("10-15", "10"), sprint_item(None, "40", names=NAMES)),
                history(20921, day("10-16", "10"), status_item("To Do", "Done")),
            ],
        ),
    ]
    return fake


@pytest.fixture
def credentials(monkeypatch):
    """Jira Cloud credentials the fake accepts."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")


def velocity_config(tmp_path: Path, url: str, extra: str = "") -> Path:
    """The sample config with the velocity section on."""
    path = write_config(tmp_path, url)
    text = path.read_text(encoding="utf-8") + f"report: {{sections: [velocity]{extra}}}\n"
    path.write_text(text, encoding="utf-8")
    return path


def velocity_of(tmp_path: Path) -> dict[str, Any]:
    """The published status JSON's velocity section."""
    document = json.loads((tmp_path / "out/checkout.json").read_text(encoding="utf-8"))
    velocity: dict[str, Any] = document["sections"]["velocity"]
    return velocity


def test_closed_sprint_by_our_ledger_then_from_the_cache(credentials, tmp_path):
    """Sprint 41 is fetched and computed once (the chart agrees); the rerun reads the cache."""
    fake = sample_jira()
    with fake.running() as server:
        config = velocity_config(tmp_path, server.url)
        assert run(config, "--now", NOW) == 0
        first = velocity_of(tmp_path)
        assert fake.calls[("GET", VELOCITY_PATH)] == 1
        fake.calls.clear()
        assert run(config, "--now", NOW) == 0
        assert fake.calls[("GET", VELOCITY_PATH)] == 0
    assert first["sprints"] == [
        {"name": "ABC Sprint 41", "committed": 3, "completed": 0, "predictability": 0}
    ]
    assert first["notices"] == []
    assert first["current_committed"] == 19
    assert first["lines"][0] == (
        "This sprint: committed 19, average completed 0 over 1 sprint "
        "(the board has 1 closed, 6 asked for)"
    )
    assert velocity_of(tmp_path) == first
    assert list((tmp_path / ".sprintsync/velocity").glob("*.json"))
    markdown = (tmp_path / "out/checkout.md").read_text(encoding="utf-8")
    assert "## 📈 Velocity History" in markdown
    assert "  - ABC Sprint 41: committed 3, completed 0 (0%)" in markdown


def test_a_disagreeing_velocity_chart_is_a_notice_and_ours_wins(credentials, tmp_path):
    """Jira's chart says 99 committed for sprint 41: ours (3) is shown, a notice names both."""
    fake = sample_jira()
    fake.report_overrides = [{"sprint": 41, "velocity": {"estimated": 99}}]
    with fake.running() as server:
        assert (
            run(velocity_config(tmp_path, server.url, ", velocity_sprints: 2"), "--now", NOW) == 0
        )
    velocity = velocity_of(tmp_path)
    assert velocity["sprints"][0]["committed"] == 3
    assert velocity["wanted"] == 2
    (notice,) = velocity["notices"]
    assert notice.startswith(
        "ABC Sprint 41: Jira's Velocity chart shows committed 99, completed 0;"
    )
    assert "its own ledger's committed 3, completed 0" in notice


def test_velocity_chart_unavailable_still_gives_our_history(credentials, tmp_path):
    """A 404 on the internal chart costs nothing: our figures, no notice, exit 0."""
    fake = sample_jira()
    fake.fail_next(VELOCITY_PATH, FakeResponse(status=404, body=None), method="GET")
    with fake.running() as server:
        assert run(velocity_config(tmp_path, server.url), "--now", NOW) == 0
    velocity = velocity_of(tmp_path)
    assert velocity["sprints"][0]["name"] == "ABC Sprint 41"
    assert velocity["notices"] == []


def test_three_closed_sprints_end_to_end(credentials, tmp_path):
    """Sprints 41, 40, 39 newest first: 3/0, 3/5, 8/5; averages 4.7 / 3.3; 71.4 % (10 / 14)."""
    fake = three_closed_sprints()
    with fake.running() as server:
        assert run(velocity_config(tmp_path, server.url), "--now", NOW) == 0
    velocity = velocity_of(tmp_path)
    assert [(s["name"], s["committed"], s["completed"]) for s in velocity["sprints"]] == [
        ("ABC Sprint 41", 3, 0),
        ("ABC Sprint 40", 3, 5),
        ("ABC Sprint 39", 8, 5),
    ]
    assert (velocity["average_committed"], velocity["average_completed"]) == (4.7, 3.3)
    assert velocity["predictability"] == 71.4
    assert velocity["notices"] == []  # the fake's Velocity chart agrees with our ledger
    assert velocity["lines"][0] == (
        "This sprint: committed 19, average completed 3.3 over 3 sprints "
        "(the board has 3 closed, 6 asked for)"
    )
