import json
from pathlib import Path

import pytest

from sprintsync.cli import main

GOLDEN = Path(__file__).parents[1] / "report" / "golden"


def test_demo_prints_the_seed_report_and_writes_markdown_and_json(tmp_path, capsys):
    """`sprintsync demo` runs the real Jira source over recorded data: the seed's report."""
    assert main(["demo", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed == (GOLDEN / "sprint5.md").read_text(encoding="utf-8")
    assert "- **Completed**: 7/75 points (9.3%)" in printed
    assert "- **Completed**: 22/75 points (29.3%)" in printed
    assert (tmp_path / "sprint-5.md").read_text(encoding="utf-8") == printed
    status = json.loads((tmp_path / "sprint-5.json").read_text(encoding="utf-8"))
    assert status["totals"]["committed"] == 75
    assert status["totals"]["completed"] == 22
    assert [day["cumulative_points"] for day in status["days"]] == [7, 22]


@pytest.mark.parametrize("name", ["sprint-5.json", "sprint-5.xhtml"])
def test_demo_files_match_their_golden_files(tmp_path, capsys, update_golden, name):
    """The demo's status JSON and storage body are golden files (--update-golden rewrites)."""
    assert main(["demo", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    written = (tmp_path / name).read_text(encoding="utf-8")
    golden = Path(__file__).parent / "golden" / "demo" / name
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["sprint-5.md", "sprint-5.json", "sprint-5.xhtml"])
def test_demo_sections_files_match_their_golden_files(tmp_path, capsys, update_golden, name):
    """`demo --sections` adds the sections that fit Sprint 5; each file is a golden file."""
    assert main(["demo", "--sections", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    written = (tmp_path / name).read_text(encoding="utf-8")
    golden = Path(__file__).parent / "golden" / "demo-sections" / name
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")
    if name == "sprint-5.md":
        assert printed == written


def test_demo_sections_keep_the_samples_report_around_them(tmp_path, capsys):
    """The sections come after the overview; the rest is the sample's report unchanged."""
    assert main(["demo", "--sections", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    sample = (GOLDEN / "sprint5.md").read_text(encoding="utf-8")
    start = printed.index("## 🔁 Changes Since the Previous Report\n")
    end = printed.index("---\n\n## Day 1:")
    sections = printed[start:end]
    assert printed[:start] + printed[end:] == sample
    for heading in ("🔮 Forecast", "⛔ Blockers", "🐢 Stuck Work", "🧹 Data Quality"):
        assert f"\n## {heading}" in sections
    assert "Velocity (" not in printed  # no closed sprint in the demo world
    status = json.loads((tmp_path / "sprint-5.json").read_text(encoding="utf-8"))
    assert list(status["sections"]) == ["changes", "forecast", "blockers", "stuck", "data_quality"]
    assert status["totals"]["completed"] == 22
