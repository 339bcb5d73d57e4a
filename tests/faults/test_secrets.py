from pathlib import Path

import pytest

from faults.catalogue import confluence_faults, github_comment_faults, jira_faults
from faults.harness import Fault, run_world
from faults.injector import Injection
from faults.leaks import (
    JIRA_SECRET,
    OTHER_SECRETS,
    TOKEN_OF,
    URL_PASSWORD,
    echoing_proxy,
    everything_written,
    forbidden,
    sink_world,
)
from faults.worlds import JiraWorld


def scenarios() -> list:
    """Success, every failure the catalogue knows, an echoing proxy; quiet and --verbose."""
    failing = [f for f in jira_faults() if not f.succeeds]
    failing.append(
        Fault(
            name="echoing_proxy",
            injection=Injection(response=echoing_proxy(), path_prefix="/rest/agile", times=None),
            succeeds=False,
        )
    )
    cases = [pytest.param(None, (), id="success"), pytest.param(None, ("--dry-run",), id="dry")]
    for fault in failing:
        cases.append(pytest.param(fault, (), id=fault.name))
        cases.append(pytest.param(fault, ("--verbose",), id=f"{fault.name}-verbose"))
    return cases


@pytest.mark.parametrize(("fault", "args"), scenarios())
def test_no_secret_in_any_output(fault, args, tmp_path, monkeypatch, capsys):
    """Whatever happens, no known secret appears in stdout, stderr, logs, reports or state."""
    world = JiraWorld()
    world.jira.token = JIRA_SECRET
    world.env = {**world.env, "SPRINTSYNC_JIRA_TOKEN": JIRA_SECRET, **OTHER_SECRETS}
    outcome = run_world(
        world,
        tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=fault.injection if fault else None,
        args=("--verbose", *args) if fault is None else args,
    )
    assert outcome.code == (0 if fault is None else 3), outcome.stderr
    written = everything_written(tmp_path, outcome.stdout, outcome.stderr)
    assert written["stderr"]  # the run did log: the search below is not vacuous
    for where, text in written.items():
        for secret in forbidden():
            assert secret not in text, f"a secret leaked into {where}"


def test_credentials_in_a_configured_url_never_appear(tmp_path, monkeypatch, capsys):
    """A user:password@ in a configured URL is redacted from every output, even on failure."""
    world = JiraWorld()
    world.jira.token = JIRA_SECRET
    world.env = {**world.env, "SPRINTSYNC_JIRA_TOKEN": JIRA_SECRET}
    original_team = world.team

    def team_with_url_credentials(path: Path) -> dict:
        team = original_team(path)
        url = team["source"]["url"].replace("http://", f"http://bot:{URL_PASSWORD}@")
        team["source"]["url"] = url.replace("127.0.0.1", "127.0.0.1", 1)
        team["source"]["board"] = 99  # unknown board: a failure path that quotes the request
        return team

    world.team = team_with_url_credentials  # type: ignore[method-assign]
    outcome = run_world(
        world, tmp_path, monkeypatch=monkeypatch, capsys=capsys, args=("--verbose",)
    )
    assert outcome.code != 0
    for where, text in everything_written(tmp_path, outcome.stdout, outcome.stderr).items():
        assert URL_PASSWORD not in text, f"the URL password leaked into {where}"


def sink_scenarios() -> list:
    """Success and every failing fault of each sink, plus a proxy echoing the credentials."""
    catalogues = {
        "github_comment": github_comment_faults(),
        "cloud": confluence_faults("cloud"),
        "datacenter": confluence_faults("datacenter"),
    }
    cases = []
    for kind, faults in catalogues.items():
        token = OTHER_SECRETS[TOKEN_OF[kind]]
        echo = Fault(
            name="echoing_proxy",
            injection=Injection(response=echoing_proxy(f"Bearer {token}", token)),
            succeeds=False,
        )
        cases.append(pytest.param(kind, None, id=f"{kind}-success"))
        cases += [
            pytest.param(kind, f, id=f"{kind}-{f.name}") for f in [*faults, echo] if not f.succeeds
        ]
    return cases


@pytest.mark.parametrize(("kind", "fault"), sink_scenarios())
def test_no_sink_secret_in_any_output(kind, fault, tmp_path, monkeypatch, capsys):
    """Publishing to GitHub or Confluence, in success or failure, leaks no credential."""
    world = sink_world(kind)
    outcome = run_world(
        world,
        tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=fault.injection if fault else None,
        args=("--verbose",),
    )
    assert outcome.code == (0 if fault is None else 3), outcome.stderr
    for where, text in everything_written(tmp_path, outcome.stdout, outcome.stderr).items():
        for secret in forbidden():
            assert secret not in text, f"a secret leaked into {where}"
