import json
from collections.abc import Iterator

import pytest

from fakes.jira import FakeJira
from fakes.jira_sample import sample_jira
from fakes.server import FakeResponse, RunningServer
from jira_helpers import assert_sample_totals, run, write_config

EMAIL, TOKEN = "bot@example.com", "api-token-123"


@pytest.fixture
def jira() -> Iterator[tuple[FakeJira, RunningServer]]:
    """The sample Jira world served on 127.0.0.1."""
    fake = sample_jira()
    with fake.running() as server:
        yield fake, server


@pytest.fixture
def credentials(monkeypatch):
    """Jira Cloud credentials the fake accepts."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", TOKEN)


def test_run_writes_markdown_and_json_with_semantics_totals(jira, credentials, tmp_path):
    """SEMANTICS §2-§5 end to end: removed, added and re-estimated issues counted as Jira does."""
    _, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", "2026-11-20T12:00:00+00:00") == 0
    status = json.loads((tmp_path / "out/checkout.json").read_text(encoding="utf-8"))
    assert_sample_totals(status)
    days = {day["date"]: day for day in status["days"]}
    assert days["2026-11-13"]["completed"] == ["ABC-1"]
    assert days["2026-11-20"]["cumulative_points"] == 3
    markdown = (tmp_path / "out/checkout.md").read_text(encoding="utf-8")
    assert "- **Completed**: 3/13 points (23.1%)" in markdown


def test_as_of_replays_an_earlier_day(jira, credentials, tmp_path):
    """SEMANTICS §1: --as-of D ignores every event after the end of day D."""
    _, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", "2026-11-20T12:00:00+00:00", "--as-of", "2026-11-12") == 0
    status = json.loads((tmp_path / "out/checkout.json").read_text(encoding="utf-8"))
    assert status["as_of"] == "2026-11-12"
    assert status["totals"]["committed"] == 19
    assert status["totals"]["removed"] == 0
    assert status["totals"]["added"] == 0
    assert status["totals"]["remaining"] == 24  # ABC-1 3, ABC-2 5, ABC-4 8, ABC-8 8
    assert status["days"][-1]["date"] == "2026-11-12"


def test_dry_run_prints_markdown_and_writes_nothing(jira, credentials, tmp_path, capsys):
    """--dry-run prints what each file would hold, writes nothing (no state, no lock)."""
    _, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--dry-run", "--now", "2026-11-20T12:00:00+00:00") == 0
    out = capsys.readouterr().out
    assert out.startswith("==> file out/checkout.md <==\n# ABC Sprint 42 Daily Status Report")
    status = out.split("==> file out/checkout.json <==\n", 1)[1]
    assert json.loads(status)["totals"]["completed"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sprintsync.yaml"]


def test_second_run_with_same_data_changes_no_file(jira, credentials, tmp_path):
    """Publishing is idempotent: the same report twice leaves the files untouched."""
    _, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", "2026-11-20T12:00:00+00:00") == 0
    first = (tmp_path / "out/checkout.md").stat().st_mtime_ns
    assert run(config, "--now", "2026-11-20T12:00:00+00:00") == 0
    assert (tmp_path / "out/checkout.md").stat().st_mtime_ns == first


def test_config_typo_exits_2_before_any_request(jira, credentials, tmp_path, capsys):
    """A config typo is one line naming file and key, exit 2, and no request is sent."""
    _fake, server = jira
    config = write_config(tmp_path, server.url)
    config.write_text(config.read_text().replace("board:", "bord:"), encoding="utf-8")
    assert run(config) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any("teams[0].source.bord: unknown key" in line for line in err)
    assert not server.requests


def test_missing_token_exits_2_naming_the_variable(jira, monkeypatch, tmp_path, capsys):
    """A missing credential names the environment variable, exit 2, no request."""
    _, server = jira
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", EMAIL)
    monkeypatch.delenv("SPRINTSYNC_JIRA_TOKEN", raising=False)
    assert run(write_config(tmp_path, server.url)) == 2
    err = capsys.readouterr().err.strip()
    assert "SPRINTSYNC_JIRA_TOKEN is not set" in err
    assert len(err.splitlines()) == 1
    assert not server.requests


def test_refused_credentials_exit_3_with_one_line(jira, monkeypatch, tmp_path, capsys):
    """A 401 names the variables to check, exit 3, nothing written, no secret echoed."""
    _, server = jira
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "wrong-token-value")
    assert run(write_config(tmp_path, server.url)) == 3
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("sprintsync: error")]
    assert len(lines) == 1
    assert "401" in lines[0]
    assert "SPRINTSYNC_JIRA_TOKEN" in lines[0]
    assert "wrong-token-value" not in captured.err + captured.out
    assert not (tmp_path / "out").exists()


def test_unknown_sprint_exits_3_listing_the_sprints(jira, credentials, tmp_path, capsys):
    """An unknown sprint is Jira's answer (README: exit 3), one line listing the board's sprints."""
    _, server = jira
    assert run(write_config(tmp_path, server.url, sprint="'Sprint 99'")) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("sprintsync: error: sprint 'Sprint 99' not found on board")
    assert "ABC Sprint 42" in err
    assert "\n" not in err


def test_removed_search_endpoint_is_never_called(jira, credentials, tmp_path):
    """The removed /rest/api/3/search (410) is never used; the enhanced search is."""
    _fake, server = jira
    assert run(write_config(tmp_path, server.url), "--now", "2026-11-20T12:00:00+00:00") == 0
    paths = {request.path for request in server.requests}
    assert "/rest/api/3/search" not in paths
    assert "/rest/api/3/search/jql" in paths
    assert "/rest/api/3/changelog/bulkfetch" in paths


def test_upstream_503_that_persists_exits_3(jira, credentials, tmp_path, capsys):
    """A service that stays unavailable ends with exit 3 and one line, the files untouched."""
    fake, server = jira
    fake.fail_next("/rest/api/3/search/jql", FakeResponse(status=503, body={}), times=99)
    assert run(write_config(tmp_path, server.url), "--now", "2026-11-20T12:00:00+00:00") == 3
    assert "503" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_one_summary_event_per_run_with_figures_and_requests(jira, credentials, tmp_path, capsys):
    """One JSON `run.summary` event per team: sprint, figures, requests, duration."""
    _, server = jira
    assert run(write_config(tmp_path, server.url), "--now", "2026-11-20T12:00:00+00:00") == 0
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    summaries = [event for event in events if event["event"] == "run.summary"]
    assert len(summaries) == 1
    summary = summaries[0]
    assert (summary["team"], summary["sprint"]) == ("checkout", "ABC Sprint 42")
    assert (summary["completed"], summary["scope"], summary["percent_complete"]) == (3, 13, 23.1)
    assert summary["requests"] == len(server.requests)
    assert summary["duration_seconds"] >= 0


def test_as_of_before_the_sprint_started_exits_2(jira, credentials, tmp_path, capsys):
    """A report date before the sprint's start is a clear config error, not a crash."""
    _, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", "2026-11-20T12:00:00+00:00", "--as-of", "2026-11-01") == 2
    err = capsys.readouterr().err
    assert "before sprint 'ABC Sprint 42' started (2026-11-10)" in err


def test_as_of_in_the_future_exits_2_before_any_request(jira, credentials, tmp_path, capsys):
    """A report date after today is refused before any request."""
    _, server = jira
    config = write_config(tmp_path, server.url)
    assert run(config, "--now", "2026-11-20T12:00:00+00:00", "--as-of", "2026-11-21") == 2
    assert "--as-of 2026-11-21 is in the future (today is 2026-11-20)" in capsys.readouterr().err
    assert not server.requests


def test_templates_folder_overrides_markdown_and_storage(jira, credentials, tmp_path):
    """`templates:` names a folder whose templates replace the built-in ones; text stays escaped."""
    fake, server = jira
    fake.issues[0].fields["summary"] = "<b>bold</b> & co"
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "report.md.j2").write_text(
        "Team {{ view.team }}: {{ view.totals.completed }}/{{ view.totals.scope }}\n", "utf-8"
    )
    (tmp_path / "tpl" / "page.storage.xhtml.j2").write_text(
        "{% for issue in view.issues %}<p>{{ issue.title }}</p>{% endfor %}", "utf-8"
    )
    config = write_config(tmp_path, server.url)
    text = config.read_text(encoding="utf-8").replace("teams:", "templates: tpl\nteams:")
    text = text.replace("out/checkout.json", "out/checkout.xhtml")
    config.write_text(text, encoding="utf-8")
    assert run(config, "--now", "2026-11-20T12:00:00+00:00") == 0
    assert (tmp_path / "out/checkout.md").read_text(encoding="utf-8") == "Team checkout: 3.0/13.0\n"
    storage = (tmp_path / "out/checkout.xhtml").read_text(encoding="utf-8")
    assert "<p>&lt;b&gt;bold&lt;/b&gt; &amp; co</p>" in storage
