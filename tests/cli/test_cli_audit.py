import asyncio
import json

import pytest

from fakes.jira_dc_sample import sample_jira_dc
from fakes.jira_sample import sample_jira
from jira_helpers import write_config
from sprintsync.cli import main

NOW = "2026-11-20T12:00:00+00:00"


@pytest.fixture
def credentials(monkeypatch):
    """Jira Cloud and Data Center credentials the fakes accept."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    monkeypatch.setenv("SPRINTSYNC_JIRA_PAT", "dc-pat-123")


def audit(config, *args):
    """`sprintsync audit --config FILE --now NOW ...` in-process."""
    return main(["audit", "--config", str(config), "--now", NOW, *args])


def test_audit_agrees_with_the_cloud_fakes_sprint_report(credentials, tmp_path, capsys):
    """Exit 0 on the Cloud fake: every issue and total agrees (SEMANTICS §2-§4)."""
    with sample_jira().running() as server:
        code = audit(write_config(tmp_path, server.url))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ABC Sprint 42 (id 42, active): agrees" in out
    assert "DIFFERS" not in out


def test_audit_agrees_with_the_data_center_fake(credentials, tmp_path, capsys):
    """Exit 0 on the Data Center fake (inline-name entries, Bearer PAT)."""
    with sample_jira_dc().running() as server:
        config = write_config(tmp_path, server.url, deployment="datacenter")
        code = audit(config, "--json")
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    assert document["audits"][0]["status"] == "agree"
    totals = {t["name"]: t["jira"] for t in document["audits"][0]["totals"]}
    assert totals["completed"] == 3
    assert totals["removed"] == 13


def test_audit_agrees_on_the_demo_recordings(tmp_path, capsys):
    """The demo's recorded Sprint Report of Sprint 5 agrees: committed 75, completed 22."""
    import io  # noqa: PLC0415

    from sprintsync.compose import AuditOptions, run_audit  # noqa: PLC0415
    from sprintsync.config import Secrets  # noqa: PLC0415
    from sprintsync.demo import demo_transport  # noqa: PLC0415
    from sprintsync.demo.run import DEMO_NOW, demo_config  # noqa: PLC0415

    loaded = demo_config(tmp_path)
    secrets = Secrets.model_validate({"jira_email": "demo@example.com", "jira_token": "demo"})
    out = io.StringIO()
    # asyncio.run closes its loop at once (an async test's loop outlived it under
    # pytest-asyncio 0.24, and its socket was reported in a later test)
    code = asyncio.run(
        run_audit(
            AuditOptions(as_json=True),
            loaded,
            list(loaded.settings.teams),
            secrets=secrets,
            now=DEMO_NOW,
            stdout=out,
            transport=demo_transport(),
        )
    )
    document = json.loads(out.getvalue())
    assert code == 0, document
    entry = document["audits"][0]
    assert (entry["sprint"]["name"], entry["status"]) == ("Sprint 5", "agree")
    totals = {t["name"]: (t["ours"], t["jira"]) for t in entry["totals"]}
    assert totals["committed (incl. done at start)"] == (75, 75)
    assert totals["completed"] == (22, 22)
    assert totals["remaining"] == (53, 53)
    assert len(entry["issues"]) == 13


PLANTED = [
    {"key": "ABC-1", "move_to": "not_completed"},  # category
    {"key": "ABC-4", "initial_estimate": 5},  # initial estimate
    {"key": "ABC-8", "final_estimate": 3},  # final (removed) estimate
    {"key": "ABC-3", "added": False},  # added during the sprint
    {"key": "ABC-2", "move_to": "absent"},  # missing from Jira's report
    {"key": "ABC-7", "move_to": "completed_outside"},  # only in Jira's report
    {"sums": {"completed_outside": 4}},  # a sum that disagrees with its own list
]


def test_every_planted_difference_is_explained(credentials, tmp_path, capsys):
    """Exit 4; each planted difference names the issue, both values, the § rule and the entry."""
    fake = sample_jira()
    fake.report_overrides = PLANTED
    with fake.running() as server:
        code = audit(write_config(tmp_path, server.url), "--json")
    document = json.loads(capsys.readouterr().out)
    assert code == 4
    assert document["exit_code"] == 4
    found = {(d["issue"], d["aspect"]): d for d in document["audits"][0]["differences"]}
    category = found[("ABC-1", "category")]
    assert (category["ours"], category["jira"], category["rule"]) == (
        "completed",
        "not_completed",
        "SEMANTICS §3",
    )
    assert category["changelog"] == {
        "time": "2026-11-13T15:00:00+00:00",
        "field": "status (board column)",
        "from": "in_progress",
        "to": "done",
        "author": None,
    }
    initial = found[("ABC-4", "initial_estimate")]
    assert (initial["ours"], initial["jira"]) == ("3", "5")
    assert initial["changelog"]["time"] is None  # 3 from the start of its history until t0
    final = found[("ABC-8", "final_estimate")]
    assert (final["ours"], final["jira"]) == ("8", "3")
    assert "removed_estimate" in final["explanation"]
    added = found[("ABC-3", "added")]
    assert (added["ours"], added["jira"]) == ("yes", "no")
    assert added["changelog"]["to"] == "in sprint 42"
    absent = found[("ABC-2", "category")]
    assert (absent["ours"], absent["jira"], absent["rule"]) == ("removed", "absent", "SEMANTICS §2")
    extra = found[("ABC-7", "category")]
    assert (extra["ours"], extra["jira"], extra["rule"]) == (
        "absent",
        "completed_outside",
        "SEMANTICS §2",
    )
    total = found[(None, "completed_outside")]
    assert (total["ours"], total["jira"], total["rule"]) == ("0", "4", "SEMANTICS §4")
    assert "disagrees with its list" in total["explanation"]
    assert found[(None, "completed")]["rule"] == "SEMANTICS §4"  # follows from ABC-1


def test_planted_differences_in_the_text_table(credentials, tmp_path, capsys):
    """The text output: the table marks DIFFERS, each difference has its changelog line."""
    fake = sample_jira()
    fake.report_overrides = PLANTED[:1]
    with fake.running() as server:
        code = audit(write_config(tmp_path, server.url))
    out = capsys.readouterr().out
    assert code == 4
    assert "- ABC-1 category: ours completed, Jira not_completed. SEMANTICS §3: §3.3" in out
    assert "changelog: 2026-11-13T15:00:00+00:00 status (board column): in_progress -> done" in out
    assert "author not recorded" in out


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("gone", "answered 404"),
        ("forbidden", "answered 403"),
        ("html", "not JSON"),
        ("no-contents", "without `contents`"),
    ],
)
def test_an_unavailable_report_exits_3_with_one_line(credentials, tmp_path, capsys, mode, says):
    """API-NOTES A.5.5 client rule: 404/403/HTML/no contents = unavailable, exit 3, no traceback."""
    fake = sample_jira()
    fake.greenhopper = mode
    with fake.running() as server:
        code = audit(write_config(tmp_path, server.url))
    captured = capsys.readouterr()
    assert code == 3
    line = captured.out.strip()
    assert "\n" not in line
    assert "Jira's" in line
    assert "unavailable" in line
    assert says in line
    assert "Traceback" not in captured.err


def test_data_center_unavailable_report_exits_3(credentials, tmp_path, capsys):
    """The Data Center fake's greenhopper resource answers 404: exit 3, the reason in JSON."""
    fake = sample_jira_dc()
    fake.greenhopper = "gone"
    with fake.running() as server:
        config = write_config(tmp_path, server.url, deployment="datacenter")
        code = audit(config, "--json")
    document = json.loads(capsys.readouterr().out)
    assert code == 3
    assert document["audits"][0]["status"] == "unavailable"
    assert "404" in document["audits"][0]["message"]


def test_last_closed_sprint_uses_the_velocity_chart(credentials, tmp_path, capsys):
    """--last 1 audits closed sprint 41; committed and completed come from the Velocity chart."""
    with sample_jira().running() as server:
        code = audit(write_config(tmp_path, server.url), "--last", "1", "--json")
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    entry = document["audits"][0]
    assert entry["sprint"]["id"] == "41"
    bases = {(t["name"], t["basis"]) for t in entry["totals"]}
    assert ("committed", "velocity") in bases
    assert ("completed", "velocity") in bases


def test_planted_velocity_difference(credentials, tmp_path, capsys):
    """A Velocity `estimated` that disagrees is a committed difference under §4."""
    fake = sample_jira()
    fake.report_overrides = [{"sprint": 41, "velocity": {"estimated": 99}}]
    with fake.running() as server:
        code = audit(write_config(tmp_path, server.url), "--sprint", "ABC Sprint 41", "--json")
    document = json.loads(capsys.readouterr().out)
    assert code == 4
    committed = next(d for d in document["audits"][0]["differences"] if d["aspect"] == "committed")
    assert (committed["jira"], committed["rule"]) == ("99", "SEMANTICS §4")


GITHUB_CONFIG = """\
timezone: UTC
teams:
  - name: web
    source: {type: github, owner: acme, project: 1}
"""


def test_github_projects_has_no_report_exit_2(tmp_path, capsys):
    """GitHub Projects: one line saying there is no Sprint Report, exit 2, no request sent."""
    config = tmp_path / "sprintsync.yaml"
    config.write_text(GITHUB_CONFIG, encoding="utf-8")
    code = main(["audit", "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 2
    assert out == (
        "Team web: GitHub Projects has no Sprint Report to compare with; "
        "`audit` reads Jira's own report only\n"
    )
