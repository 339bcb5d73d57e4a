import json

import pytest

from fakes.github_graphql import FakeGitHub, FakeItem, issue
from fakes.server import serve
from github_helpers import board, close, reopen
from sprintsync.cli import main

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
DAY = {n: f"2026-11-{15 + n:02d}T08:00:00+01:00" for n in range(1, 6)}


@pytest.fixture
def token(monkeypatch):
    """The token the fake GitHub accepts, through the documented fallback variable."""
    monkeypatch.delenv("SPRINTSYNC_GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_fake_valid")


def run(config, now):
    """`sprintsync run` in-process at the given clock."""
    return main(["run", "--config", str(config), "--now", now])


def test_daily_runs_over_a_changing_project_give_semantics_totals(token, tmp_path):
    """Snapshots across runs: the moved item is removed, the mid-iteration item added."""
    project = board()
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        config = tmp_path / "sprintsync.yaml"
        config.write_text(CONFIG.format(url=server.url), encoding="utf-8")
        assert run(config, DAY[1]) == 0
        project.item("PVTI_3").points = 5.0
        assert run(config, DAY[2]) == 0
        project.item("PVTI_2").iteration = "it8"
        close(project.item("PVTI_1"), "2026-11-18T06:00:00Z")
        assert run(config, DAY[3]) == 0
        added = issue("acme/shop", 4, "Issue 4", created_at="2026-11-18T09:00:00Z")
        project.items.append(
            FakeItem(
                id="PVTI_4",
                created_at="2026-11-18T10:00:00Z",
                content=added,
                iteration="it7",
                points=8.0,
            )
        )
        reopen(project.item("PVTI_1"))
        assert run(config, DAY[4]) == 0
        close(project.item("PVTI_1"), "2026-11-20T03:00:00Z")
        assert run(config, DAY[5]) == 0
        assert run(config, DAY[5]) == 0  # a repeated run counts nothing twice
    status = json.loads((tmp_path / "out/shop.json").read_text(encoding="utf-8"))
    totals = status["totals"]
    assert (totals["committed"], totals["added"], totals["removed"]) == (11, 8, 3)
    assert (totals["completed"], totals["remaining"], totals["scope"]) == (5, 14, 19)
    assert totals["percent_complete"] == 26.3
    outcomes = {i["key"]: i["outcome"] for i in status["issues"]}
    assert outcomes["acme/shop#2"] == "removed"
    assert next(i for i in status["issues"] if i["key"] == "acme/shop#4")["added_after_start"]
    assert (tmp_path / ".sprintsync" / "state.db").exists()


def test_token_without_project_access_exits_3_naming_token_kinds(token, tmp_path, capsys):
    """A token that cannot read the project: exit 3 and one line saying which tokens can."""
    fake = FakeGitHub(board(), scopes_ok=False)
    with serve(fake.handle) as server:
        config = tmp_path / "sprintsync.yaml"
        config.write_text(CONFIG.format(url=server.url), encoding="utf-8")
        assert run(config, DAY[1]) == 3
    err = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(err) == 1
    assert "read:project" in err[0]
    assert "GITHUB_TOKEN" in err[0]
    assert "ghp_fake_valid" not in err[0]


def test_dry_run_stores_no_snapshot_and_previews_the_comment(token, tmp_path, capsys):
    """--dry-run: the comment's exact bodies (marker, Mermaid chart), and no state file."""
    fake = FakeGitHub(board())
    with serve(fake.handle) as server:
        config = tmp_path / "sprintsync.yaml"
        text = (
            CONFIG.format(url=server.url)
            + "      - {type: github_comment, repo: acme/shop, issue: 9}\n"
        )
        config.write_text(text, encoding="utf-8")
        assert main(["run", "--config", str(config), "--now", DAY[1], "--dry-run"]) == 0
    out = capsys.readouterr().out
    comment = out.split("==> github_comment acme/shop#9 <==\n", 1)[1]
    assert comment.startswith("<!-- sprintsync:report team=shop sprint=")
    assert "```mermaid" in comment
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sprintsync.yaml"]  # no .sprintsync/


BLOCKED_CONFIG = (
    CONFIG.replace(
        '      api_url: "{url}"\n',
        '      api_url: "{url}"\n'
        "      blocked: {{label: blocked, field: Status, option: {option}}}\n",
    )
    + "report: {{sections: [blockers]}}\n"
)


def test_a_labelled_or_blocked_status_item_is_a_blocker_with_its_age(token, tmp_path):
    """Daily runs see the label and the Status option come: blockers with working-day ages."""
    project = board()
    project.status_options += ("Blocked",)
    fake = FakeGitHub(project)
    with serve(fake.handle) as server:
        config = tmp_path / "sprintsync.yaml"
        config.write_text(BLOCKED_CONFIG.format(url=server.url, option="Blocked"), "utf-8")
        assert run(config, DAY[1]) == 0
        project.item("PVTI_1").content["labels"] = ["Blocked"]
        assert run(config, DAY[2]) == 0
        project.item("PVTI_3").status = "Blocked"
        assert run(config, DAY[3]) == 0
        assert run(config, DAY[4]) == 0
    status = json.loads((tmp_path / "out/shop.json").read_text(encoding="utf-8"))
    found = [
        (b["key"], b["flagged_since"], b["age_working_days"])
        for b in status["sections"]["blockers"]
    ]
    assert found == [("acme/shop#1", "2026-11-17", 2), ("acme/shop#3", "2026-11-18", 1)]
    assert fake.invalid == []


def test_a_blocked_option_the_project_lacks_exits_2_naming_the_key(token, tmp_path, capsys):
    """An option the Status field does not have: exit 2, naming source.blocked.option."""
    with serve(FakeGitHub(board()).handle) as server:
        config = tmp_path / "sprintsync.yaml"
        config.write_text(BLOCKED_CONFIG.format(url=server.url, option="Stuck"), "utf-8")
        assert run(config, DAY[1]) == 2
    assert (
        "source.blocked.option: the field 'Status' has no option 'Stuck' "
        "(its options: Todo, In Progress, Done)"
    ) in capsys.readouterr().err
