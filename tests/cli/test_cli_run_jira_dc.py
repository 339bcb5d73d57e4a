import json
from collections.abc import Iterator

import pytest

from fakes.jira_dc import FakeJiraDataCenter
from fakes.jira_dc_sample import sample_jira_dc
from fakes.server import RunningServer
from jira_helpers import assert_sample_totals, run, write_config

PAT = "dc-pat-123"
NOW = "2026-11-20T12:00:00+00:00"


@pytest.fixture
def jira() -> Iterator[tuple[FakeJiraDataCenter, RunningServer]]:
    """The sample world as a Jira Data Center site on 127.0.0.1."""
    fake = sample_jira_dc()
    with fake.running() as server:
        yield fake, server


@pytest.fixture
def no_cloud_credentials(monkeypatch):
    """No Cloud credentials in the environment: Data Center must not need them."""
    for name in ("SPRINTSYNC_JIRA_EMAIL", "SPRINTSYNC_JIRA_TOKEN", "SPRINTSYNC_JIRA_PAT"):
        monkeypatch.delenv(name, raising=False)


def test_run_gives_the_same_semantics_totals_as_cloud(
    jira, no_cloud_credentials, monkeypatch, tmp_path
):
    """SEMANTICS §2-§5 through Data Center: the sample world's totals equal the Cloud run's."""
    fake, server = jira
    monkeypatch.setenv("SPRINTSYNC_JIRA_PAT", PAT)
    assert run(write_config(tmp_path, server.url, deployment="datacenter"), "--now", NOW) == 0
    status = json.loads((tmp_path / "out/checkout.json").read_text(encoding="utf-8"))
    assert_sample_totals(status)
    markdown = (tmp_path / "out/checkout.md").read_text(encoding="utf-8")
    assert "- **Completed**: 3/13 points (23.1%)" in markdown
    assert all(r.headers.get("authorization") == f"Bearer {PAT}" for r in server.requests)
    assert not [path for _method, path in fake.calls if path.startswith("/rest/api/3")]


def test_refused_pat_exits_3_naming_the_variable(
    jira, no_cloud_credentials, monkeypatch, tmp_path, capsys
):
    """A 401 names SPRINTSYNC_JIRA_PAT in one line, exit 3, no secret echoed, nothing written."""
    _, server = jira
    monkeypatch.setenv("SPRINTSYNC_JIRA_PAT", "wrong-pat-value")
    assert run(write_config(tmp_path, server.url, deployment="datacenter"), "--now", NOW) == 3
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("sprintsync: error")]
    assert len(lines) == 1
    assert "401" in lines[0]
    assert "SPRINTSYNC_JIRA_PAT" in lines[0]
    assert "wrong-pat-value" not in captured.err + captured.out
    assert not (tmp_path / "out").exists()


def test_missing_pat_exits_2_before_any_request(jira, no_cloud_credentials, tmp_path, capsys):
    """Data Center without SPRINTSYNC_JIRA_PAT: one line naming it, exit 2, no request sent."""
    _, server = jira
    assert run(write_config(tmp_path, server.url, deployment="datacenter")) == 2
    err = capsys.readouterr().err.strip()
    assert "SPRINTSYNC_JIRA_PAT is not set" in err
    assert len(err.splitlines()) == 1
    assert not server.requests
