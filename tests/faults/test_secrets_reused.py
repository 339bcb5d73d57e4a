import base64

from fakes.confluence import FakeConfluence
from fakes.server import FakeResponse
from faults.catalogue import HTML
from faults.harness import run_world
from faults.injector import Injection
from faults.leaks import JIRA_SECRET, everything_written, forbidden
from faults.worlds import JIRA_EMAIL, PAGE_TITLE, ConfluenceWorld, JiraWorld

CONFLUENCE_EMAIL = "bot@acme.test"
REUSED_PAIR = f"{CONFLUENCE_EMAIL}:{JIRA_SECRET}"
REUSED_BASIC = base64.b64encode(REUSED_PAIR.encode()).decode()
SHORTEST_PREFIX = 6  # no run of this many characters of a secret's start may survive a cut


def leaked_prefixes(text: str, forms: list[str]) -> list[str]:
    """The starts (>= SHORTEST_PREFIX characters) of any secret form found in `text`."""
    return [
        form[:size]
        for form in forms
        for size in range(SHORTEST_PREFIX, len(form) + 1)
        if form[:size] in text
    ][:3]


def reused_token_world() -> ConfluenceWorld:
    """Confluence Cloud with its own email but the Jira token (the documented fallback)."""
    world = ConfluenceWorld(flavor="cloud")
    world.confluence = FakeConfluence(flavor="cloud", email=CONFLUENCE_EMAIL, token=JIRA_SECRET)
    world.confluence.add_page(PAGE_TITLE, "<p>Yesterday's report</p>")
    world.env = {
        "SPRINTSYNC_JIRA_EMAIL": JIRA_EMAIL,
        "SPRINTSYNC_JIRA_TOKEN": JIRA_SECRET,
        "SPRINTSYNC_CONFLUENCE_EMAIL": CONFLUENCE_EMAIL,
    }
    world.jira_token = JIRA_SECRET
    return world


def test_the_basic_pair_sent_to_confluence_is_redacted(tmp_path, monkeypatch, capsys):
    """Item 7: the email:token pair Confluence really gets (Jira token reused) never leaks."""
    page = f"<html>Authorization: Basic {REUSED_BASIC} pair={REUSED_PAIR}</html>".encode()
    echo = Injection(response=FakeResponse(200, raw=page, headers=HTML), times=None)
    outcome = run_world(
        reused_token_world(),
        tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=echo,
        args=("--verbose",),
    )
    assert outcome.code == 3, outcome.stderr
    assert "Authorization: ***" in outcome.stderr  # the echo was quoted, then redacted
    for where, text in everything_written(tmp_path, outcome.stdout, outcome.stderr).items():
        for secret in [*forbidden(), REUSED_BASIC, REUSED_PAIR]:
            assert secret not in text, f"a secret leaked into {where}"


def echo_at_the_cut(credential: str, *, at: int) -> FakeResponse:
    """A proxy page whose echoed credential starts `at` characters before the quote's cut."""
    start = "<html>echo: "
    page = start + "x" * (120 - len(start) - at) + credential + " and more text</html>"
    return FakeResponse(200, raw=page.encode(), headers=HTML)


def cut_world() -> JiraWorld:
    """Jira Cloud whose fake takes the secret token."""
    world = JiraWorld()
    world.jira.token = JIRA_SECRET
    world.env = {**world.env, "SPRINTSYNC_JIRA_TOKEN": JIRA_SECRET}
    return world


def test_a_secret_cut_by_the_quoted_first_bytes_leaves_no_prefix(tmp_path, monkeypatch, capsys):
    """Item 8: redacted before the cut; a secret's (or its Base64's) start at the cut too."""
    basic = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_SECRET}".encode()).decode()
    forms = [*forbidden(), basic]
    for number, (credential, at) in enumerate([(JIRA_SECRET, 9), (basic, 14), (JIRA_SECRET, 4)]):
        injection = Injection(
            response=echo_at_the_cut(credential, at=at),
            path_prefix="/rest/agile",
            times=None,
        )
        outcome = run_world(
            cut_world(),
            tmp_path / str(number),
            monkeypatch=monkeypatch,
            capsys=capsys,
            injection=injection,
        )
        assert outcome.code == 3, outcome.stderr
        [line] = outcome.error_lines()
        assert "not JSON" in line
        assert leaked_prefixes(outcome.stderr, forms) == [], line


def test_a_secret_cut_by_the_quoted_error_message_leaves_no_prefix(tmp_path, monkeypatch, capsys):
    """Item 8: the server's own error text is cut at 300 characters only after redaction."""
    message = "y" * 290 + JIRA_SECRET
    refused = FakeResponse(400, body={"errorMessages": [message], "errors": {}})
    outcome = run_world(
        cut_world(),
        tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=Injection(response=refused, path_prefix="/rest/agile", times=None),
    )
    assert outcome.code == 3, outcome.stderr
    assert "server said: yyy" in outcome.stderr
    assert leaked_prefixes(outcome.stderr, forbidden()) == []
