import pytest

from fakes.server import FakeResponse
from faults.catalogue import HTML, HTML_PAGE, JSON_TYPE, READ_TIMEOUT_HTTP, SLOW
from faults.harness import run_world
from faults.injector import Injection
from faults.worlds import ConfluenceWorld

FLAVORS = ("cloud", "datacenter")
ANSWERS = {  # how an applied write's answer went wrong: (the answer, http settings)
    "lost": (FakeResponse(drop_connection=True), {}),
    "late": (FakeResponse(), READ_TIMEOUT_HTTP),
    "malformed": (FakeResponse(200, raw=b'{"id": "12', headers=JSON_TYPE), {}),
    "gateway_502": (FakeResponse(502, raw=HTML_PAGE, headers=HTML), {}),
}


def world(flavor: str, *, page_exists: bool) -> ConfluenceWorld:
    """Confluence with yesterday's page (an update) or without it (a create)."""
    made = ConfluenceWorld(flavor=flavor)
    if not page_exists:
        assert made.confluence is not None
        made.confluence.pages.clear()
    return made


def write_path(flavor: str) -> str:
    """Where page writes go (POST to the listing, PUT to the page)."""
    return "/wiki/api/v2/pages" if flavor == "cloud" else "/rest/api/content"


def cases() -> list:
    """Every flavor x create/update x way the answer went wrong."""
    return [
        pytest.param((flavor, method, answer), id=f"{flavor}-{method}-{answer}")
        for flavor in FLAVORS
        for method in ("POST", "PUT")
        for answer in ANSWERS
    ]


@pytest.mark.parametrize("case", cases())
def test_an_applied_write_whose_answer_went_wrong_is_read_back_and_succeeds(
    case, tmp_path, monkeypatch, capsys
):
    """Item 10: the write landed, its answer did not; reading back shows our report: exit 0."""
    flavor, method, answer = case
    exists = method == "PUT"
    expected = run_world(
        world(flavor, page_exists=exists), tmp_path / "base", monkeypatch=monkeypatch, capsys=capsys
    )
    assert expected.code == 0, expected.stderr
    response, http = ANSWERS[answer]
    injection = Injection(
        response=response,
        method=method,
        path_prefix=write_path(flavor),
        act_first=True,
        delay=SLOW if answer == "late" else 0.0,
    )
    outcome = run_world(
        world(flavor, page_exists=exists),
        tmp_path / "run",
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=injection,
        http=http,
    )
    assert outcome.injected == 1
    assert outcome.code == 0, outcome.stderr
    assert outcome.error_lines() == []
    assert "confluence.write_confirmed" in outcome.stderr
    assert outcome.destination == expected.destination


@pytest.mark.parametrize("flavor", FLAVORS)
def test_updates_that_never_answer_are_not_called_a_version_conflict(
    flavor, tmp_path, monkeypatch, capsys
):
    """Item 10: only a real 409 says "conflict"; unanswered, unapplied updates say so."""
    before = world(flavor, page_exists=True).destination(tmp_path)
    injection = Injection(
        response=FakeResponse(),
        method="PUT",
        path_prefix=write_path(flavor),
        times=None,
        delay=SLOW,
    )
    outcome = run_world(
        world(flavor, page_exists=True),
        tmp_path,
        monkeypatch=monkeypatch,
        capsys=capsys,
        injection=injection,
        http=READ_TIMEOUT_HTTP,
    )
    assert outcome.code == 3, outcome.stderr
    [line] = outcome.error_lines()
    assert "got no answer" in line
    assert "3 were refused" not in line
    assert "refused with a version conflict; not overwritten" not in line
    assert outcome.destination == before
