import json
from pathlib import Path

from sprintsync.cli import main

GOLDEN = Path(__file__).parent / "report" / "golden"


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
