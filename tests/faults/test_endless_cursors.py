"""Issue 16 item 11 end to end: a sink handing out fresh cursors for ever is left in a few pages."""

import itertools

import pytest

from fakes.server import FakeRequest, FakeResponse
from faults.harness import run_world
from faults.injector import Injection
from faults.worlds import ConfluenceWorld, GitHubCommentWorld

LISTINGS = {
    "cloud": "/wiki/api/v2/pages",
    "datacenter": "/rest/api/content",
    "github_comment": "/repos/acme/web/issues/42/comments",
}
MOST_PAGES_READ = 6  # the first page, then at most 3 in a row that bring nothing new, and slack


def world_of(kind: str):
    """The sink world of `kind`, yesterday's page or comment in place."""
    return GitHubCommentWorld() if kind == "github_comment" else ConfluenceWorld(flavor=kind)


def fresh_cursor_every_time():
    """Each listing answer points on with a cursor never seen, and holds nothing new."""
    counter = itertools.count(1)

    def rewrite(request: FakeRequest, response: FakeResponse) -> FakeResponse:
        following = f"{request.path}?cursor=fresh-{next(counter)}"
        if isinstance(response.body, list):  # GitHub: the comments, and a Link header
            headers = {
                **response.headers,
                "Link": f'<http://{request.headers["host"]}{following}>; rel="next"',
            }
            return FakeResponse(response.status, response.body, headers=headers)
        # Confluence stops listing once the title is found: these pages never hold it.
        # The fake itself refuses a cursor it never gave (400 "Invalid cursor", as Confluence
        # Cloud does), so the endless server's answer is made here whole.
        first = response.body if response.status == 200 else {}
        body = {**first, "results": [], "_links": {"next": following}}
        return FakeResponse(200, body, {"Content-Type": "application/json"})

    return rewrite


@pytest.mark.parametrize("kind", sorted(LISTINGS))
def test_a_listing_with_endless_fresh_cursors_stops_after_a_few_pages(
    kind, tmp_path, monkeypatch, capsys
):
    """Exit 3 in one line saying pages brought nothing new; a few pages read; nothing written."""
    world = world_of(kind)
    before = world.destination(tmp_path)
    injection = Injection(
        response=FakeResponse(),
        method="GET",
        path_prefix=LISTINGS[kind],
        times=None,
        transform=fresh_cursor_every_time(),
    )
    outcome = run_world(
        world, tmp_path, monkeypatch=monkeypatch, capsys=capsys, injection=injection
    )
    assert outcome.code == 3, outcome.stderr
    [line] = outcome.error_lines()
    assert "brought no new item" in line
    assert world.destination(tmp_path) == before
    assert 2 <= outcome.injected <= MOST_PAGES_READ  # listing pages answered, all rewritten
