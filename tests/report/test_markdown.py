from dataclasses import replace
from pathlib import Path

from report.golden import check_golden
from report.sprint5_data import ledger, seed_view, sprint_data
from sprintsync.report.markdown import render_markdown

SEED = Path(__file__).parent / "seed" / "sprint-5-daily-status-report.md"


def test_plain_markdown_matches_golden(update_golden):
    """The plain report of the seed sprint equals its reviewed golden file."""
    check_golden("sprint5.md", render_markdown(seed_view()), update=update_golden)


def test_github_markdown_matches_golden(update_golden):
    """The GitHub report of the seed sprint equals its reviewed golden file."""
    text = render_markdown(seed_view(), flavor="github")
    check_golden("sprint5.github.md", text, update=update_golden)


def test_seed_figures_appear():
    """The seed's progress and velocity lines are reproduced (SEMANTICS §7)."""
    text = render_markdown(seed_view())
    assert "- **Completed**: 7/75 points (9.3%)" in text
    assert "- **Completed**: 22/75 points (29.3%)" in text
    assert "- **Velocity**: On track at 7 points/day" in text
    assert "- **Velocity**: Accelerating at 15 points/day" in text


def test_every_seed_line_appears_in_order_and_extras_are_only_insights():
    """The seed is reproduced line for line; the only additions are Key Insights bullets."""
    seed = SEED.read_text(encoding="utf-8").splitlines()
    ours = render_markdown(seed_view()).splitlines()
    position = 0
    section = ""
    for line in ours:
        if line.startswith("#"):
            section = line
        if position < len(seed) and line == seed[position]:
            position += 1
            continue
        assert section == "### 💡 Key Insights", f"unexpected line {line!r} in {section!r}"
        assert line.startswith("- ")
    assert position == len(seed)


def test_plain_flavor_has_no_chart_and_github_has_chart_and_table():
    """Only the GitHub flavor carries the Mermaid burndown and its fallback table."""
    plain = render_markdown(seed_view())
    github = render_markdown(seed_view(), flavor="github")
    assert "mermaid" not in plain
    assert "### 📉 Burndown" not in plain
    assert "```mermaid\nxychart-beta\n" in github
    assert '    x-axis ["Start", "01-24", "01-25"]\n' in github
    assert '    y-axis "Points remaining" 0 --> 75\n' in github
    assert "    line [75, 67.5, 60]\n    line [75, 68, 53]\n" in github
    assert "| Day 2 (01-25) | 60 | 53 | 0 |" in github
    assert github.index("### 📉 Burndown") < github.index("## Day 1")


def test_unplanned_completed_issue_links_its_key():
    """Without a plan the heading's label is the issue key, linked to the issue."""
    text = render_markdown(seed_view(plan=None, reconciliation=None))
    assert (
        "#### [PRD-101](https://acme.atlassian.net/browse/PRD-101): "
        "Monitoring Infrastructure Setup (4 points)\n"
    ) in text


def shape(line: str) -> str:
    """A line's block kind: its heading marker, bullet, table row, blank or text."""
    if line.startswith("#"):
        return line.split(" ", 1)[0]
    if line.startswith(("- ", "|", "```")):
        return line[:2]
    return "blank" if not line else "text"


def test_hostile_tracker_text_cannot_break_the_layout():
    """Titles and details full of Markdown, mentions and newlines leave headings intact."""
    hostile = "Fix\n## injected | @alice #12 `x` <b>"
    issues = tuple(
        replace(i, title=hostile, details=tuple(hostile for _ in i.details), result=hostile)
        for i in sprint_data().issues
    )
    data = replace(sprint_data(), issues=issues, notices=(hostile,))
    normal = render_markdown(seed_view(), flavor="github").splitlines()
    ours = render_markdown(seed_view(data=data), flavor="github").splitlines()
    assert len(ours) == len(normal) + 3  # the Notes heading, its blank line and the notice
    assert [shape(line) for line in ours[: len(normal)]] == [shape(line) for line in normal]
    assert not any(line.startswith("## injected") for line in ours)
    assert "@alice" not in "\n".join(ours)


def test_template_dir_overrides_the_packaged_template(tmp_path):
    """A report.md.j2 in template_dir replaces the packaged one."""
    (tmp_path / "report.md.j2").write_text("{{ view.overview.title | md_text }}|{{ flavor }}\n")
    assert render_markdown(seed_view(), template_dir=tmp_path) == (
        "Sprint 5 Daily Status Report|plain\n"
    )


def test_empty_template_dir_falls_back_to_the_package(tmp_path):
    """A template_dir without report.md.j2 falls back to the packaged template."""
    assert render_markdown(seed_view(), template_dir=tmp_path) == render_markdown(seed_view())


def test_day_without_completions_or_blockers():
    """A day with nothing done and no blocker says so in the seed's words."""
    view = seed_view(plan=None, reconciliation=None)
    text = render_markdown(view)
    assert "### 🚨 Issues & Blockers\n- None identified\n" in text
    assert "### 🎯 Daily Goal\nNo goal set in the plan.\n" in text


def test_notes_list_excluded_subtasks_and_source_notices():
    """Excluded sub-tasks and source notices close the report under "## Notes"."""
    the_ledger = replace(ledger(), excluded_subtasks=("PRD-201", "PRD-202"))
    data = replace(sprint_data(), notices=("No snapshot before 2025-01-24",))
    text = render_markdown(seed_view(the_ledger=the_ledger, data=data))
    assert text.endswith(
        "---\n\n## Notes\n- Sub-tasks excluded from the sums: PRD-201, PRD-202\n"
        "- No snapshot before 2025-01-24\n"
    )


def test_scope_line_is_rendered_after_total_points():
    """A scope change adds a Scope line right after Total Points."""
    totals = replace(ledger().totals, added=5.0, scope=80.0)
    text = render_markdown(seed_view(the_ledger=replace(ledger(), totals=totals)))
    assert "- **Total Points**: 80\n- **Scope**: 75 committed, +5 added, -0 removed" in text
