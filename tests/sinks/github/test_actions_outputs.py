from __future__ import annotations

import json
import re
from datetime import date

from sprintsync.domain import PublishResult, RenderedReport, Totals
from sprintsync.sinks.github.actions import (
    SUMMARY_LIMIT_BYTES,
    append_step_summary,
    build_outputs,
    fit_summary,
    format_output,
    on_github_actions,
    report_to_actions,
    write_outputs,
)

TOTALS = Totals(
    committed=75,
    added=0,
    removed=0,
    completed=22,
    completed_outside=0,
    remaining=53,
    scope=75,
    percent_complete=29.3,
    estimate_change=0,
)


def report(markdown: str = "# Sprint 5\n") -> RenderedReport:
    """A rendered report with the SEMANTICS §7 day-2 figures."""
    return RenderedReport(
        team="platform",
        sprint_id="5",
        sprint_name="Sprint 5",
        as_of=date(2025, 1, 25),
        markdown=markdown,
        json_text="{}",
        github_markdown=markdown,
        totals=TOTALS,
    )


def actions_env(tmp_path) -> dict[str, str]:
    """The variables a GitHub Actions step sees, files in tmp_path."""
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
    }


def test_outputs_carry_url_and_sprint_figures(tmp_path):
    """Outputs: the web URL, a file's path, the status JSON and SEMANTICS §4 figures."""
    file = tmp_path / "out.md"
    results = [
        PublishResult(destination=f"file {file}", url=file.as_uri()),
        PublishResult(destination="github comment acme/shop#1", url="https://x/1"),
    ]
    outputs = build_outputs(report(), results)
    assert json.loads(outputs.pop("status")) == json.loads(report().json_text)
    assert outputs == {
        "report-url": "https://x/1",
        "report-path": str(file),
        "completed": "22",
        "scope": "75",
        "percent-complete": "29.3",
    }


def test_outputs_are_written_as_name_value_lines(tmp_path):
    """Single-line outputs are appended as name=value lines to $GITHUB_OUTPUT."""
    env = actions_env(tmp_path)
    (tmp_path / "output").write_text("earlier=1\n")
    write_outputs({"completed": "22", "scope": "75"}, env=env)
    assert (tmp_path / "output").read_text() == "earlier=1\ncompleted=22\nscope=75\n"


def test_multiline_output_uses_a_heredoc_delimiter():
    """A multi-line value is written name<<DELIM ... DELIM with a delimiter not in the value."""
    text = format_output("summary", "line 1\nline 2")
    match = re.fullmatch(r"summary<<(ghadelimiter_[0-9a-f]{16})\nline 1\nline 2\n\1\n", text)
    assert match is not None


def test_nothing_is_written_outside_github_actions(tmp_path):
    """Without GITHUB_ACTIONS=true no file is touched."""
    env = actions_env(tmp_path) | {"GITHUB_ACTIONS": "false"}
    assert on_github_actions(env) is False
    assert append_step_summary("# x", env=env) is None
    assert write_outputs({"a": "b"}, env=env) is None
    assert list(tmp_path.iterdir()) == []


def test_summary_is_appended(tmp_path):
    """The report is appended to the step summary after what is already there."""
    env = actions_env(tmp_path)
    append_step_summary("# Team A", env=env)
    append_step_summary("# Team B\n", env=env)
    assert (tmp_path / "summary.md").read_text() == "# Team A\n# Team B\n"


def test_summary_over_1024_kib_is_truncated_with_a_note(tmp_path):
    """A summary over the step's 1024 KiB is cut at a line end, with a note and the URL."""
    env = actions_env(tmp_path)
    (tmp_path / "summary.md").write_bytes(b"x" * 1000 + b"\n")
    big = "\n".join(f"| row {n} | é |" for n in range(100_000))
    append_step_summary(big, env=env, url="https://github.com/acme/shop/issues/1#c")
    written = (tmp_path / "summary.md").read_bytes()
    assert len(written) <= SUMMARY_LIMIT_BYTES
    assert len(written) > SUMMARY_LIMIT_BYTES - 200
    text = written.decode("utf-8")
    assert text.rstrip().endswith("Full report: https://github.com/acme/shop/issues/1#c")
    assert "| row" in text.split("> **Report truncated**")[0].splitlines()[-2]


def test_fit_summary_keeps_short_text_whole():
    """Text that fits is returned unchanged."""
    assert fit_summary("short\n", room=100) == "short\n"


def test_report_to_actions_writes_summary_and_outputs(tmp_path):
    """One call appends the GitHub Markdown to the summary and the figures to the outputs."""
    env = actions_env(tmp_path)
    results = [
        PublishResult(destination="file out/platform.md"),
        PublishResult(destination="github comment acme/shop#1", url="https://github.com/c/1"),
    ]
    assert report_to_actions(report("# Sprint 5 on GitHub\n"), results, env=env) is True
    assert (tmp_path / "summary.md").read_text() == "# Sprint 5 on GitHub\n"
    assert (tmp_path / "output").read_text().splitlines() == [
        "report-url=https://github.com/c/1",
        "report-path=",
        "status={}",
        "completed=22",
        "scope=75",
        "percent-complete=29.3",
    ]
