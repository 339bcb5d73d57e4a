import json

import pytest

from fakes.jira_sample import sample_jira
from jira_helpers import assert_sample_totals, run, write_teams
from sprintsync.compose import run as compose_run


@pytest.fixture
def credentials(monkeypatch):
    """Jira Cloud credentials the fake accepts."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")


def test_teams_reading_one_source_fetch_it_once(credentials, tmp_path, capsys):
    """Three teams on the same board and sprint: one fetch, three identical reports."""
    fake = sample_jira()
    teams = [("a", 7, "active"), ("b", 7, "active"), ("c", 7, "active")]
    with fake.running() as server:
        config = write_teams(tmp_path, server.url, teams)
        assert run(config, "--now", "2026-11-20T12:00:00+00:00") == 0
    assert fake.calls[("GET", "/rest/api/3/myself")] == 1
    reports = [json.loads((tmp_path / f"out/{n}.json").read_text("utf-8")) for n in "abc"]
    for status in reports:
        assert_sample_totals(status)
        assert status["days"] == reports[0]["days"]
    err = capsys.readouterr().err.splitlines()
    events = [json.loads(line) for line in err if line.startswith("{")]  # not the summary
    summaries = [e for e in events if e["event"] == "run.summary"]
    assert [s["team"] for s in summaries] == ["a", "b", "c"]  # config order, one per team
    assert sum(s["requests"] for s in summaries) == len(server.requests)


def test_a_failing_team_never_stops_the_others(credentials, tmp_path, capsys):
    """A team on an unknown board fails alone; the teams around it publish."""
    fake = sample_jira()
    teams = [("a", 7, "active"), ("broken", 99, "active"), ("c", 7, "42")]
    with fake.running() as server:
        config = write_teams(tmp_path, server.url, teams)
        assert run(config, "--now", "2026-11-20T12:00:00+00:00") == 3
    assert_sample_totals(json.loads((tmp_path / "out/a.json").read_text("utf-8")))
    assert_sample_totals(json.loads((tmp_path / "out/c.json").read_text("utf-8")))
    err = capsys.readouterr().err.splitlines()
    events = [json.loads(line) for line in err if line.startswith("{")]  # not the summary
    assert [e["team"] for e in events if e["event"] == "team.failed"] == ["broken"]


def test_teams_run_at_most_concurrent_teams_at_a_time(credentials, tmp_path, monkeypatch):
    """`concurrent_teams: 2` with five teams: two run side by side, never three."""
    running: list[int] = [0, 0]  # now, most
    real = compose_run.run_one

    async def counted(team, wiring, *, options):
        running[0] += 1
        running[1] = max(running[1], running[0])
        try:
            return await real(team, wiring, options=options)
        finally:
            running[0] -= 1

    monkeypatch.setattr(compose_run, "run_one", counted)
    fake = sample_jira()
    teams = [(f"t{n}", 7, "active" if n % 2 else "42") for n in range(5)]
    with fake.running() as server:
        config = write_teams(tmp_path, server.url, teams, concurrent_teams=2)
        assert run(config, "--now", "2026-11-20T12:00:00+00:00") == 0
    assert running[1] == 2
    assert fake.calls[("GET", "/rest/api/3/myself")] == 2  # two distinct sources
