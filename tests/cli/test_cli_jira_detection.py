"""Jira deployment detection: serverInfo before credentials, the hostname only as a fallback."""

import pytest

from fakes.jira_dc_sample import sample_jira_dc
from fakes.jira_sample import sample_jira
from jira_helpers import run, write_config
from sprintsync.cli import main

NOW = "2026-11-20T12:00:00+00:00"
KEY = "teams[0].source.deployment"


def undetermined(tmp_path, url):
    """A config whose Jira `deployment` is not set (the fakes' 127.0.0.1 is no atlassian.net)."""
    config = write_config(tmp_path, url)
    config.write_text(config.read_text().replace("      deployment: cloud\n", ""), encoding="utf-8")
    return config


def errors_of(capsys):
    """The `sprintsync:` lines on stderr."""
    return [x for x in capsys.readouterr().err.splitlines() if x.startswith("sprintsync: ")]


@pytest.fixture
def cloud_pair(monkeypatch):
    """Only the Jira Cloud credentials."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")


def test_cloud_on_a_custom_domain_is_detected_by_server_info(tmp_path, cloud_pair):
    """The serverInfo answer Cloud: the Cloud source and Basic auth, asked once and anonymously."""
    fake = sample_jira()
    with fake.running() as server:
        assert run(undetermined(tmp_path, server.url), "--now", NOW) == 0
    infos = [r for r in server.requests if r.path == "/rest/api/2/serverInfo"]
    assert len(infos) == 1
    assert "authorization" not in infos[0].headers
    assert (tmp_path / "out/checkout.json").exists()


def test_data_center_detected_without_a_pat_names_the_variable_and_the_key(
    tmp_path, cloud_pair, capsys
):
    """The serverInfo answer DataCenter, only the Cloud pair is set: exit 2 naming both fixes."""
    with sample_jira_dc().running() as server:
        assert run(undetermined(tmp_path, server.url), "--now", NOW) == 2
    [line] = errors_of(capsys)
    assert "SPRINTSYNC_JIRA_PAT is not set; it is needed to reach Jira Data Center" in line
    assert "says it is Jira Data Center (serverInfo)" in line
    assert f"if that is wrong, set {KEY}: cloud" in line


def test_no_answer_and_cloud_credentials_asks_for_the_key(tmp_path, cloud_pair, capsys):
    """A refused serverInfo and a host that says nothing: exit 2, "set ... cloud|datacenter"."""
    fake = sample_jira_dc()
    fake.anonymous_server_info = False
    with fake.running() as server:
        assert run(undetermined(tmp_path, server.url), "--now", NOW) == 2
    [line] = errors_of(capsys)
    assert "cannot tell whether" in line
    assert "serverInfo answered 401" in line
    assert line.endswith(f"set {KEY}: cloud|datacenter")


def test_no_answer_and_only_a_pat_is_data_center(tmp_path, monkeypatch):
    """A refused serverInfo, only SPRINTSYNC_JIRA_PAT set: taken for Data Center, and it works."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_PAT", "dc-pat-123")
    fake = sample_jira_dc()
    fake.anonymous_server_info = False
    with fake.running() as server:
        assert run(undetermined(tmp_path, server.url), "--now", NOW) == 0


def test_check_accepts_either_set_when_undetermined(tmp_path, monkeypatch, capsys):
    """Offline, an undetermined Jira takes either credential set; none is exit 2 naming all."""
    config = undetermined(tmp_path, "https://jira.acme.example")
    assert main(["check", "--config", str(config)]) == 2
    [line] = errors_of(capsys)
    assert "neither SPRINTSYNC_JIRA_EMAIL + SPRINTSYNC_JIRA_TOKEN (Jira Cloud) nor" in line
    assert f"{KEY}: cloud|datacenter" in line
    monkeypatch.setenv("SPRINTSYNC_JIRA_PAT", "dc-pat-123")
    assert main(["check", "--config", str(config)]) == 0


def test_a_gateway_api_url_is_cloud_and_takes_the_requests(tmp_path, cloud_pair):
    """`api_url` (api.atlassian.com/ex/jira/ID) gets every request; no detection is needed."""
    fake = sample_jira()
    with fake.running() as server:
        config = undetermined(tmp_path, "https://acme.example.com")
        text = config.read_text().replace("board:", f"api_url: {server.url}\n      board:", 1)
        config.write_text(text, encoding="utf-8")
        assert run(config, "--now", NOW) == 0
    assert all(r.path != "/rest/api/2/serverInfo" for r in server.requests)
    status = (tmp_path / "out/checkout.json").read_text(encoding="utf-8")
    assert "https://acme.example.com/browse/" in status
