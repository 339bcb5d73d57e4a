"""The velocity history end to end: the fake's closed sprint by our ledger, cached, checked."""

import json
from pathlib import Path
from typing import Any

import pytest

from fakes.jira_sample import sample_jira
from fakes.server import FakeResponse
from jira_helpers import run, write_config
from sprintsync.sources.jira.greenhopper import VELOCITY_PATH

NOW = "2026-11-20T12:00:00+00:00"


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
