import asyncio
import io
from datetime import date

import structlog

from sprintsync.compose.summary import (
    Destination,
    TeamResult,
    progress,
    render_preview,
    report_outcome,
)
from sprintsync.domain import PublishResult, RenderedReport

REPORT = RenderedReport(
    team="web",
    sprint_id="42",
    sprint_name="Sprint 42",
    as_of=date(2026, 11, 20),
    markdown="# plain\n",
    json_text='{"a": 1}\n',
    github_markdown="# github\n",
    storage="<p>page</p>\n",
)


def test_outcome_lists_teams_and_absolute_links_and_logs_one_event(capsys):
    """A multi-team run ends with counts, a line per team with its links, and run.outcome."""
    results = [
        TeamResult(team="web", published=(PublishResult(destination="c", url="https://x/1"),)),
        TeamResult(team="app", error="Jira answered 401", exit_code=3),
    ]
    stream = io.StringIO()
    with structlog.testing.capture_logs() as logs:
        report_outcome(results, dry_run=False, stream=stream)
    assert stream.getvalue() == (
        "sprintsync: 1 team(s) ok, 1 failed\n  ✓ web: https://x/1\n  ✗ app: Jira answered 401\n"
    )
    (event,) = [e for e in logs if e["event"] == "run.outcome"]
    assert event["teams_ok"] == ["web"]
    assert event["teams_failed"] == [{"team": "app", "error": "Jira answered 401", "exit_code": 3}]
    assert event["links"] == {"web": ["https://x/1"]}


def test_one_team_logs_the_outcome_without_a_summary_block():
    """A single team's run logs run.outcome; its own error line already says what happened."""
    stream = io.StringIO()
    report_outcome([TeamResult(team="web")], dry_run=True, stream=stream)
    assert stream.getvalue() == ""


def test_preview_shows_each_destination_body():
    """Each destination's header, then the body it would get; storage only on request."""
    targets = [
        Destination(kind="file", where="out/web.json"),
        Destination(kind="confluence", where="space ENG: t"),
    ]
    assert render_preview(REPORT, targets, show=frozenset()) == (
        '==> file out/web.json <==\n{"a": 1}\n\n'
        "==> confluence space ENG: t <==\n(the Confluence storage body: add --show storage)\n"
    )
    shown = render_preview(REPORT, targets[1:], show=frozenset({"storage"}))
    assert shown.endswith("<p>page</p>\n")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal(monkeypatch):
    """On a terminal the line is drawn and cleared; elsewhere nothing is written."""
    monkeypatch.setattr("sprintsync.compose.summary.PROGRESS_EVERY_SECONDS", 0)
    terminal, pipe = _Terminal(), io.StringIO()

    async def work(stream):
        async with progress("web", requests=lambda: 7, stream=stream):
            for _ in range(3):
                await asyncio.sleep(0)

    asyncio.run(work(terminal))
    asyncio.run(work(pipe))
    assert "sprintsync: web: 0s, 7 request(s)…" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\x1b[K")
    assert pipe.getvalue() == ""
