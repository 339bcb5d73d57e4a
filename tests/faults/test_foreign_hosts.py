from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest

from fakes.server import FakeRequest, FakeResponse, serve
from faults.harness import run_world
from faults.injector import Injection
from faults.leaks import JIRA_SECRET, everything_written, forbidden, sink_world
from faults.worlds import JiraWorld

LISTINGS = {
    "github_comment": "/repos/acme/web/issues/42/comments",
    "cloud": "/wiki/api/v2/pages",
    "datacenter": "/rest/api/content",
}


def thief() -> tuple[ExitStack, str, list[FakeRequest]]:
    """Another origin (127.0.0.1, another port) that records what reaches it."""
    stack = ExitStack()
    server = stack.enter_context(serve(lambda _request: FakeResponse(body={"results": []})))
    return stack, server.url, server.requests


def next_page_elsewhere(url: str):
    """The listing's first page, empty, its next link (header and `_links.next`) on `url`."""

    def rewrite(request: FakeRequest, response: FakeResponse) -> FakeResponse:
        elsewhere = f"{url}{request.path}?page=2&cursor=stolen"
        headers = {**response.headers, "Link": f'<{elsewhere}>; rel="next"'}
        if isinstance(response.body, list):  # GitHub: the comments themselves
            return FakeResponse(response.status, [], headers=headers)
        body = {**response.body, "results": [], "_links": {"next": elsewhere}}
        return FakeResponse(response.status, body, headers=headers)

    return rewrite


@pytest.mark.parametrize("kind", sorted(LISTINGS))
def test_a_next_link_to_another_host_is_refused(kind, tmp_path, monkeypatch, capsys):
    """Item 9: pagination stays on the configured origin; the error names the other host."""
    world = sink_world(kind)
    before = world.destination(tmp_path)
    stack, elsewhere, stolen = thief()
    with stack:
        injection = Injection(
            response=FakeResponse(),
            method="GET",
            path_prefix=LISTINGS[kind],
            times=None,
            transform=next_page_elsewhere(elsewhere),
        )
        outcome = run_world(
            world, tmp_path, monkeypatch=monkeypatch, capsys=capsys, injection=injection
        )
    assert stolen == []
    assert outcome.code == 3, outcome.stderr
    [line] = outcome.error_lines()
    assert urlsplit(elsewhere).netloc in line
    assert world.destination(tmp_path) == before


def test_a_redirect_elsewhere_is_not_followed_nor_its_location_echoed(
    tmp_path, monkeypatch, capsys
):
    """Issue 14: no Authorization follows a redirect; a token in its Location never shows."""
    world = JiraWorld()
    world.jira.token = JIRA_SECRET
    world.env = {**world.env, "SPRINTSYNC_JIRA_TOKEN": JIRA_SECRET}
    stack, elsewhere, stolen = thief()
    with stack:
        location = f"{elsewhere}/login?token={JIRA_SECRET}"
        moved = FakeResponse(
            302, raw=f"<a href='{location}'>moved</a>".encode(), headers={"Location": location}
        )
        outcome = run_world(
            world,
            tmp_path,
            monkeypatch=monkeypatch,
            capsys=capsys,
            injection=Injection(response=moved, times=None),
            args=("--verbose",),
        )
    assert stolen == []
    assert outcome.code == 3, outcome.stderr
    assert outcome.destination is None
    for where, text in everything_written(tmp_path, outcome.stdout, outcome.stderr).items():
        for secret in forbidden():
            assert secret not in text, f"a secret leaked into {where}"
