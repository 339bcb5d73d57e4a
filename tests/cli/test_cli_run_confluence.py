import pytest

from fakes.confluence import FakeConfluence, parse_storage
from fakes.jira_sample import sample_jira
from fakes.server import FakeResponse
from sprintsync.cli import main

CONFIG = """\
timezone: Europe/Berlin
http: {{max_wait_seconds: 0, base_wait_seconds: 0}}
teams:
  - name: checkout
    source: {{type: jira, deployment: cloud, url: "{jira}", board: 7}}
    publish:
      - type: confluence
        url: "{wiki}"
        space: {space}
        deployment: {flavor}
"""
DAY_1, DAY_2 = "2026-11-19T18:00:00+01:00", "2026-11-20T18:00:00+01:00"


@pytest.fixture(params=["cloud", "datacenter"])
def flavor(request, monkeypatch):
    """Both deployments, each with the credentials the fake accepts."""
    monkeypatch.setenv("SPRINTSYNC_JIRA_EMAIL", "bot@example.com")
    monkeypatch.setenv("SPRINTSYNC_JIRA_TOKEN", "api-token-123")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_EMAIL", "bot@acme.test")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_TOKEN", "cloud-token")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_PAT", "dc-pat")
    return request.param


def run_days(tmp_path, fake, *nows, space="ENG", jira=None):
    """Run sprintsync once per clock against the fakes; the exit codes."""
    with (jira or sample_jira()).running() as jira_server, fake.running() as (_, wiki):
        config = tmp_path / "sprintsync.yaml"
        text = CONFIG.format(jira=jira_server.url, wiki=wiki, space=space, flavor=fake.flavor)
        config.write_text(text, encoding="utf-8")
        return [main(["run", "--config", str(config), "--now", now]) for now in nows]


def test_day_1_day_2_and_day_2_again_make_one_page_with_two_versions(flavor, tmp_path):
    """One page per sprint, one version per changed day, none for a repeated run."""
    fake = FakeConfluence(flavor=flavor)
    assert run_days(tmp_path, fake, DAY_1, DAY_2, DAY_2) == [0, 0, 0]
    page = fake.only_page()
    assert page.title == "ABC Sprint 42 Daily Status Report"
    assert [v.number for v in page.versions] == [1, 2]
    assert page.versions[1].message == "sprintsync report as of 2026-11-20"
    latest = page.versions[-1].body
    assert "November 19, 2026" in latest
    assert "November 20, 2026" in latest
    parse_storage(latest)


def test_hostile_title_is_text_and_the_body_well_formed(flavor, tmp_path):
    """A title with markup appears as escaped text; the stored body parses as XML."""
    jira = sample_jira()
    jira.issues[0].fields["summary"] = '<script>alert(1)</script> & "Q&A"'
    fake = FakeConfluence(flavor=flavor)
    assert run_days(tmp_path, fake, DAY_2, jira=jira) == [0]
    body = fake.only_page().current.body
    assert "<script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in body
    root = parse_storage(body)
    assert '<script>alert(1)</script> & "Q&A"' in "".join(root.itertext())


def test_injected_409_on_the_update_still_publishes_once(flavor, tmp_path):
    """Someone saves the page just before our update: we re-read, retry, and add one version."""
    fake = FakeConfluence(flavor=flavor)
    assert run_days(tmp_path, fake, DAY_1) == [0]
    fake.edit_before_next_put(lambda body: body.replace("</h1>", " (edited)</h1>", 1))
    assert run_days(tmp_path, fake, DAY_2) == [0]
    page = fake.only_page()
    assert len(page.versions) == 3  # ours, the person's, ours again
    assert "November 20, 2026" in page.current.body


def test_bad_credentials_exit_3_and_leave_the_page(flavor, tmp_path, monkeypatch, capsys):
    """Refused credentials: exit 3, one line, the page untouched."""
    fake = FakeConfluence(flavor=flavor)
    assert run_days(tmp_path, fake, DAY_1) == [0]
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_TOKEN", "wrong-cloud-token")
    monkeypatch.setenv("SPRINTSYNC_CONFLUENCE_PAT", "wrong-dc-pat")
    capsys.readouterr()
    assert run_days(tmp_path, fake, DAY_2) == [3]
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("sprintsync: error")]
    assert len(errors) == 1
    assert "401" in errors[0]
    assert "wrong-" not in err
    assert len(fake.only_page().versions) == 1


def test_unknown_space_exits_3_with_one_line(flavor, tmp_path, capsys):
    """An unknown space key: exit 3, the line names the space, no page is created."""
    fake = FakeConfluence(flavor=flavor)
    assert run_days(tmp_path, fake, DAY_1, space="NOPE") == [3]
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if line.startswith("sprintsync: error")]
    assert len(errors) == 1
    assert "NOPE" in errors[0]
    assert fake.pages == {}


def test_a_503_during_the_update_leaves_the_page_as_it_was(flavor, tmp_path):
    """A failed run leaves the previous version whole: no half-written body."""
    fake = FakeConfluence(flavor=flavor)
    assert run_days(tmp_path, fake, DAY_1) == [0]
    before = fake.only_page().current.body
    path = "/api/v2/pages/" if flavor == "cloud" else "/rest/api/content/"
    for _ in range(10):
        fake.fail_next("PUT", path, FakeResponse(status=503, body={}))
    assert run_days(tmp_path, fake, DAY_2) == [3]
    assert fake.only_page().current.body == before
