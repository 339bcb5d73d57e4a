"""Issue 13's "done when": Jira Cloud on a custom domain to Confluence Cloud by init, doctor, run.

No `deployment` anywhere: the Jira fake on 127.0.0.1 is no `*.atlassian.net` host, so its
serverInfo must say Cloud; the Confluence fake is recognised by its v2 API.
"""

import pytest
import yaml

from fakes.confluence import FakeConfluence
from fakes.jira_sample import sample_jira
from sprintsync.cli import main

NOW = "2026-11-20T12:00:00+00:00"


@pytest.fixture
def cloud_credentials(monkeypatch):
    """The Jira and Confluence Cloud pairs the fakes accept, and nothing else."""
    for name in ("SPRINTSYNC_JIRA_PAT", "SPRINTSYNC_CONFLUENCE_PAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_EMAIL", "bot@acme.test")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_TOKEN", "cloud-token")


def test_init_then_doctor_then_run_needs_no_detour(tmp_path, cloud_credentials, capsys):
    """`init` writes a config and a plan of the sprint; `doctor` is all ✓; `run` publishes."""
    wiki_fake = FakeConfluence(flavor="cloud")
    home = wiki_fake.add_page("Sprint reports", "<p>index</p>")
    config, plan = tmp_path / "sprintsync.yaml", tmp_path / "plans/current.yaml"
    with sample_jira().running() as jira, wiki_fake.running() as (_, wiki):
        assert (
            main(
                [
                    "init",
                    "--team",
                    "abc",
                    "--tracker",
                    "jira",
                    "--url",
                    jira.url,
                    "--board",
                    "7",
                    "--destination",
                    "confluence",
                    "--confluence-url",
                    wiki,
                    "--space",
                    "ENG",
                    "--parent",
                    home.id,
                    "--out",
                    str(config),
                    "--plan-out",
                    str(plan),
                ]
            )
            == 0
        )
        written = yaml.safe_load(config.read_text(encoding="utf-8"))
        assert "deployment" not in written["teams"][0]["source"]
        skeleton = yaml.safe_load(plan.read_text(encoding="utf-8"))
        assert skeleton["sprint"] == "ABC Sprint 42"
        capsys.readouterr()
        assert main(["doctor", "--config", str(config)]) == 0
        checks = capsys.readouterr().out.splitlines()
        assert checks
        assert not [line for line in checks if line.startswith("✗")], checks
        assert main(["run", "--config", str(config), "--now", NOW]) == 0
    [page] = [p for p in wiki_fake.pages.values() if p.id != home.id]
    assert page.parent_id == home.id
    assert "ABC Sprint 42" in page.title
    assert len(page.versions) == 1
