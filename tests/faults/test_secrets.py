import base64
from pathlib import Path
from urllib.parse import quote

import pytest

from fakes.confluence import FakeConfluence
from fakes.server import FakeResponse
from faults.catalogue import HTML, confluence_faults, github_comment_faults, jira_faults
from faults.harness import Fault, run_world
from faults.injector import Injection
from faults.worlds import (
    JIRA_EMAIL,
    PAGE_TITLE,
    ConfluenceWorld,
    GitHubCommentWorld,
    JiraWorld,
)

JIRA_SECRET = "jira-SECRET-4f1c9e2a77"
OTHER_SECRETS = {
    "SPRINTSYNC_CONFLUENCE_TOKEN": "conf-SECRET-0b3d5e8f11",
    "SPRINTSYNC_CONFLUENCE_PAT": "confpat-SECRET-6a2c4e9d33",
    "SPRINTSYNC_JIRA_PAT": "jirapat-SECRET-1e7f3b5c55",
    "SPRINTSYNC_GITHUB_TOKEN": "ghp_SECRET0123456789abcdefABCDEF012345",
    "GITHUB_TOKEN": "ghs_SECRET9876543210fedcbaFEDCBA987654",
}
URL_PASSWORD = "urlpass-SECRET-93bd"
TOKEN_OF = {
    "github_comment": "SPRINTSYNC_GITHUB_TOKEN",
    "cloud": "SPRINTSYNC_CONFLUENCE_TOKEN",
    "datacenter": "SPRINTSYNC_CONFLUENCE_PAT",
}
BASIC = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_SECRET}".encode()).decode()


def forbidden() -> list[str]:
    """Every form a secret could leak in: raw, URL-quoted, Base64 alone and as a Basic pair."""
    values = [JIRA_SECRET, URL_PASSWORD, *OTHER_SECRETS.values()]
    forms = {BASIC}
    for value in values:
        forms |= {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    return sorted(forms)


def echoing_proxy(credential: str = f"Basic {BASIC}", token: str = JIRA_SECRET) -> FakeResponse:
    """A broken proxy page that echoes the request's credentials back in its first bytes."""
    page = f"<html>Authorization: {credential} token={token}</html>".encode()
    return FakeResponse(200, raw=page, headers=HTML)


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


def everything_written(tmp_path: Path, stdout: str, stderr: str) -> dict[str, str]:
    """stdout, stderr and every file the run left (reports, state), config file excluded."""
    found = {"stdout": stdout, "stderr": stderr}
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "sprintsync.yaml":
            found[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return found


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


def sink_world(kind: str):
    """A sink world whose fakes accept only the secret credentials of OTHER_SECRETS."""
    env = {
        "SPRINTSYNC_JIRA_EMAIL": JIRA_EMAIL,
        "SPRINTSYNC_JIRA_TOKEN": JIRA_SECRET,
        "SPRINTSYNC_CONFLUENCE_EMAIL": "bot@acme.test",
        **OTHER_SECRETS,
    }
    if kind == "github_comment":
        world = GitHubCommentWorld()
    else:
        world = ConfluenceWorld(flavor=kind)
        world.confluence = FakeConfluence(
            flavor=kind,
            token=OTHER_SECRETS["SPRINTSYNC_CONFLUENCE_TOKEN"],
            pat=OTHER_SECRETS["SPRINTSYNC_CONFLUENCE_PAT"],
        )
        world.confluence.add_page(PAGE_TITLE, "<p>Yesterday's report</p>")
    world.env = env
    world.jira_token = JIRA_SECRET
    return world


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
