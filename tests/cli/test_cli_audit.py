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
