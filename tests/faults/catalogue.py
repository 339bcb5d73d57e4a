"""The faults each service can throw (API-NOTES §A.8, §B.1.5-6, §C.1-2), as injections."""

from __future__ import annotations

import base64
import copy
from urllib.parse import urlencode

from fakes.confluence import v1_error, v2_error
from fakes.github_graphql import to_cursor
from fakes.jira_sample import SPRINT_41
from fakes.server import FakeRequest, FakeResponse
from faults.harness import Fault
from faults.injector import Injection

HTML_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><p>corporate-proxy</p></body></html>"
)
HTML = {"Content-Type": "text/html; charset=iso-8859-1"}
JSON_TYPE = {"Content-Type": "application/json;charset=UTF-8"}
READ_TIMEOUT_HTTP = {"timeout_seconds": 0.3}
DOCS = "https://docs.github.com/rest/issues/comments"
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
SLOW = 1.0  # seconds the fake holds an answer back: well past READ_TIMEOUT_HTTP


def atlassian_429() -> FakeResponse:
    """Jira/Confluence burst limit, exactly as API-NOTES §A.8 shows it."""
    return FakeResponse(
        status=429,
        body={"errorMessages": ["Rate limit exceeded."], "errors": {}},
        headers={
            "Retry-After": "1",
            "X-RateLimit-Limit": "350",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2026-11-26T06:00:01Z",
            "RateLimit-Reason": "jira-burst-based",
        },
    )


def atlassian_503() -> FakeResponse:
    """Resource limits: 503 with Retry-After (§A.8)."""
    return FakeResponse(
        status=503,
        body={"errorMessages": ["Service Unavailable"], "errors": {}},
        headers={"Retry-After": "1"},
    )


def transient_faults(*, rate_limit: FakeResponse, unavailable: FakeResponse) -> list[Fault]:
    """Faults the run must survive: every endpoint's first request fails once."""
    once = {"first_per_endpoint": True}
    return [
        Fault(name="429", injection=Injection(response=rate_limit, **once), succeeds=True),
        Fault(name="503", injection=Injection(response=unavailable, **once), succeeds=True),
        Fault(
            name="reset",
            injection=Injection(response=FakeResponse(drop_connection=True), **once),
            succeeds=True,
        ),
        Fault(
            name="proxy_502_html",
            injection=Injection(response=FakeResponse(502, raw=HTML_PAGE, headers=HTML), **once),
            succeeds=True,
        ),
    ]


def body_faults(*, path: str, method: str = "GET") -> list[Fault]:
    """Answers that are not JSON at all: the run stops with one line naming what came back."""
    html = FakeResponse(200, raw=HTML_PAGE, headers=HTML)
    broken = FakeResponse(200, raw=b'{"results": [{"id": "1"', headers=JSON_TYPE)
    return [
        Fault(
            name="html_page",
            injection=Injection(response=html, method=method, path_prefix=path, times=None),
            succeeds=False,
            error_says=("not JSON", "text/html", "<html><head><title>502 Bad Gateway"),
        ),
        Fault(
            name="malformed_json",
            injection=Injection(response=broken, method=method, path_prefix=path, times=None),
            succeeds=False,
            error_says=("not JSON", "application/json", '{"results": [{"id": "1"'),
        ),
    ]


def jira_faults() -> list[Fault]:
    """Jira Cloud as the source."""
    search = "/rest/api/3/search/jql"
    unauthorised = FakeResponse(
        401, body={"errorMessages": ["Client must be authenticated to access this resource."]}
    )
    repeated = FakeResponse(body={"issues": [], "nextPageToken": "c2VhcmNoOjA", "isLast": False})
    return [
        *transient_faults(rate_limit=atlassian_429(), unavailable=atlassian_503()),
        Fault(
            name="read_timeout",
            injection=Injection(
                response=FakeResponse(), method="POST", path_prefix=search, delay=SLOW
            ),
            succeeds=True,
            http=READ_TIMEOUT_HTTP,
        ),
        *body_faults(path="/rest/agile/1.0/board/7/sprint"),
        Fault(
            name="401_mid_run",
            injection=Injection(response=unauthorised, after=3, times=None),
            succeeds=False,
            error_says=("Jira answered 401", "SPRINTSYNC_JIRA_TOKEN"),
        ),
        Fault(
            name="repeated_cursor",
            injection=Injection(response=repeated, method="POST", path_prefix=search, times=None),
            succeeds=False,
            error_says=("same nextPageToken twice",),
        ),
        repeated_sprint_page(),
        Fault(
            name="404_board",
            injection=Injection(
                response=FakeResponse(
                    404,
                    body={
                        "errorMessages": [
                            "Board does not exist or you do not have permission to see it."
                        ],
                        "errors": {},
                    },
                ),
                path_prefix="/rest/agile/1.0/board/7/sprint",
                times=None,
            ),
            succeeds=False,
            error_says=("Jira answered 404", "board 7"),
        ),
    ]


def github_error(status: int, message: str, **headers: str) -> FakeResponse:
    """GitHub's error envelope: `status` is a string (API-NOTES §C.2)."""
    body = {"message": message, "documentation_url": DOCS, "status": str(status)}
    return FakeResponse(status=status, body=body, headers=headers)


def github_secondary_429() -> FakeResponse:
    """A secondary rate limit answered as 429 with retry-after (API-NOTES §C.1 Limits)."""
    return github_error(429, SECONDARY, **{"retry-after": "1", "x-ratelimit-remaining": "4999"})


def github_comment_faults() -> list[Fault]:
    """The GitHub REST comment sink (list, create, update)."""
    comments = "/repos/acme/web/issues/42/comments"
    create = {"method": "POST", "path_prefix": comments}
    repeated = FakeResponse(body=[], headers={"Link": f'<{comments}?page=2>; rel="next"'})
    return [
        Fault(
            name="429",
            injection=Injection(response=github_secondary_429(), first_per_endpoint=True),
            succeeds=True,
        ),
        Fault(
            name="403_secondary",
            injection=Injection(
                response=github_error(403, SECONDARY, **{"retry-after": "1"}),
                first_per_endpoint=True,
            ),
            succeeds=True,
        ),
        Fault(
            name="503",
            injection=Injection(
                response=github_error(503, "Service Unavailable"), first_per_endpoint=True
            ),
            succeeds=True,
        ),
        Fault(
            name="reset_on_list",
            injection=Injection(response=FakeResponse(drop_connection=True), method="GET"),
            succeeds=True,
        ),
        # The transport does not resend the POST; the sink lists again, finds no marker (or
        # its own comment, when the create did land) and writes once.
        Fault(
            name="reset_on_create",
            injection=Injection(response=FakeResponse(drop_connection=True), **create),
            succeeds=True,
        ),
        Fault(
            name="answer_lost_after_create",
            injection=Injection(
                response=FakeResponse(drop_connection=True), act_first=True, **create
            ),
            succeeds=True,
        ),
        Fault(
            name="read_timeout_on_create",
            injection=Injection(response=FakeResponse(), delay=SLOW, **create),
            succeeds=True,
            http=READ_TIMEOUT_HTTP,
        ),
        Fault(
            name="read_timeout_after_create",
            injection=Injection(response=FakeResponse(), delay=SLOW, act_first=True, **create),
            succeeds=True,
            http=READ_TIMEOUT_HTTP,
        ),
        Fault(
            name="proxy_502_html_on_create",
            injection=Injection(response=FakeResponse(502, raw=HTML_PAGE, headers=HTML), **create),
            succeeds=False,
            error_says=("GitHub answered 502", "text/html"),
        ),
        *body_faults(path=comments),
        Fault(
            name="401_mid_run",
            injection=Injection(response=github_error(401, "Bad credentials"), after=1, times=None),
            succeeds=False,
            error_says=("GitHub answered 401", "SPRINTSYNC_GITHUB_TOKEN"),
        ),
        Fault(
            name="repeated_cursor",
            injection=Injection(response=repeated, method="GET", times=None),
            succeeds=False,
            error_says=("GitHub repeated a comments page",),
        ),
    ]


def _same_next_page(request: FakeRequest, response: FakeResponse) -> FakeResponse:
    """An empty list page whose `next` link points back at the first page for ever."""
    query = {k: v[0] for k, v in request.query.items() if k not in {"cursor", "start"}}
    if request.path.endswith("/api/v2/pages"):
        query["cursor"] = base64.urlsafe_b64encode(b"offset:0").decode()
    else:
        query["start"] = "0"
    again = f"{request.path}?{urlencode(query)}"
    body = {**response.body, "results": []}
    body["_links"] = {**body.get("_links", {}), "next": again}
    headers = {**response.headers, "Link": f'<{again}>; rel="next"'}
    return FakeResponse(response.status, body, headers=headers)


def confluence_faults(flavor: str) -> list[Fault]:
    """A Confluence page update: Cloud REST v2 or Data Center REST v1."""
    cloud = flavor == "cloud"
    listing = "/wiki/api/v2/pages" if cloud else "/rest/api/content"
    page = "/wiki/api/v2/pages/" if cloud else "/rest/api/content/"
    update = {"method": "PUT", "path_prefix": page}
    stale = (
        v2_error(
            409,
            "Version must be incremented when updating a page. Current Version: [1]. "
            "Provided version: [1]",
            "CONFLICT",
        )
        if cloud
        else v1_error(409, "Version must be incremented on update. Current version is: 1")
    )
    unauthorised = (
        v2_error(401, "Unauthorized", "UNAUTHORIZED")
        if cloud
        else v1_error(401, "Authentication credentials are invalid")
    )
    variable = "SPRINTSYNC_CONFLUENCE_TOKEN" if cloud else "SPRINTSYNC_CONFLUENCE_PAT"
    once = {"first_per_endpoint": True}
    return [
        Fault(name="429", injection=Injection(response=atlassian_429(), **once), succeeds=True),
        Fault(name="503", injection=Injection(response=atlassian_503(), **once), succeeds=True),
        Fault(
            name="reset",
            injection=Injection(response=FakeResponse(drop_connection=True), **once),
            succeeds=True,
        ),
        Fault(
            name="answer_lost_after_update",
            injection=Injection(
                response=FakeResponse(drop_connection=True), act_first=True, **update
            ),
            succeeds=True,
        ),
        Fault(
            name="read_timeout_on_update",
            injection=Injection(response=FakeResponse(), delay=SLOW, **update),
            succeeds=True,
            http=READ_TIMEOUT_HTTP,
        ),
        Fault(
            name="proxy_502_html_on_reads",
            injection=Injection(
                response=FakeResponse(502, raw=HTML_PAGE, headers=HTML), method="GET", **once
            ),
            succeeds=True,
        ),
        # A gateway error on the write may hide an applied update: not resent, the run stops.
        Fault(
            name="proxy_502_html_on_update",
            injection=Injection(response=FakeResponse(502, raw=HTML_PAGE, headers=HTML), **update),
            succeeds=False,
            error_says=("answered 502 to the update of page", "text/html"),
        ),
        Fault(name="409_once", injection=Injection(response=stale, **update), succeeds=True),
        Fault(
            name="409_always",
            injection=Injection(response=stale, times=None, **update),
            succeeds=False,
            error_says=("version conflict", "not overwritten"),
        ),
        *body_faults(path=listing),
        Fault(
            name="401_mid_run",
            injection=Injection(response=unauthorised, after=1, times=None),
            succeeds=False,
            error_says=("confluence answered 401", variable),
        ),
        Fault(
            name="repeated_cursor",
            injection=Injection(
                response=FakeResponse(),
                method="GET",
                path_prefix=listing,
                times=50,
                transform=_same_next_page,
            ),
            succeeds=False,
            error_says=("confluence", "repeated"),
        ),
    ]


def _repeat_items_cursor(_request: FakeRequest, response: FakeResponse) -> FakeResponse:
    """The items page, claiming a next page behind the same cursor every time."""

    def rewrite(node: object) -> None:
        if isinstance(node, dict):
            items = node.get("items")
            if isinstance(items, dict) and "pageInfo" in items:
                items["pageInfo"] = {"hasNextPage": True, "endCursor": to_cursor(0)}
            for value in node.values():
                rewrite(value)

    body = copy.deepcopy(response.body)
    rewrite(body)
    return FakeResponse(response.status, body, headers=dict(response.headers))


def graphql_rate_limited() -> FakeResponse:
    """The primary GraphQL quota exhausted: 200, a RATE_LIMITED error, remaining 0."""
    body = {
        "errors": [
            {"type": "RATE_LIMITED", "message": "API rate limit already exceeded for user ID 1."}
        ]
    }
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}
    return FakeResponse(200, body=body, headers=headers)


def github_projects_faults() -> list[Fault]:
    """The GitHub Projects (v2) GraphQL source: every query is a POST to /graphql."""
    each_query = {"first_per_endpoint": True, "per_body": True}
    graphql = {"method": "POST", "path_prefix": "/graphql"}
    return [
        Fault(
            name="429",
            injection=Injection(response=github_secondary_429(), **each_query),
            succeeds=True,
        ),
        Fault(
            name="403_secondary",
            injection=Injection(
                response=github_error(403, SECONDARY, **{"retry-after": "1"}), **each_query
            ),
            succeeds=True,
        ),
        Fault(
            name="503",
            injection=Injection(response=github_error(503, "Service Unavailable"), **each_query),
            succeeds=True,
        ),
        Fault(
            name="reset",
            injection=Injection(response=FakeResponse(drop_connection=True), **each_query),
            succeeds=True,
        ),
        Fault(
            name="read_timeout",
            injection=Injection(response=FakeResponse(), delay=SLOW, **graphql),
            succeeds=True,
            http=READ_TIMEOUT_HTTP,
        ),
        Fault(
            name="proxy_502_html",
            injection=Injection(
                response=FakeResponse(502, raw=HTML_PAGE, headers=HTML), **each_query
            ),
            succeeds=True,
        ),
        # GitHub's primary quota: HTTP 200 with a RATE_LIMITED error (API-NOTES §C.1).
        Fault(
            name="200_rate_limited",
            injection=Injection(response=graphql_rate_limited(), **each_query),
            succeeds=True,
        ),
        Fault(
            name="200_rate_limited_always",
            injection=Injection(response=graphql_rate_limited(), times=None, **graphql),
            succeeds=False,
            error_says=("rate limit",),
        ),
        *body_faults(path="/graphql", method="POST"),
        Fault(
            name="401_mid_run",
            injection=Injection(
                response=github_error(401, "Bad credentials"), after=1, times=None, **graphql
            ),
            succeeds=False,
            error_says=("GitHub answered 401", "GITHUB_TOKEN"),
        ),
        Fault(
            name="repeated_cursor",
            injection=Injection(
                response=FakeResponse(), times=50, transform=_repeat_items_cursor, **graphql
            ),
            succeeds=False,
            error_says=("repeated the items cursor",),
        ),
    ]


def repeated_sprint_page() -> Fault:
    """A sprint page that ignores startAt: the same sprints again and again (A.5.1)."""
    page = {"maxResults": 50, "startAt": 0, "isLast": False, "values": [SPRINT_41]}
    return Fault(
        name="repeated_sprint_page",
        injection=Injection(
            response=FakeResponse(body=page),
            method="GET",
            path_prefix="/rest/agile/1.0/board/7/sprint",
            times=50,
        ),
        succeeds=False,
        error_says=("the same sprints twice for board 7",),
    )


def jira_dc_faults() -> list[Fault]:
    """Jira Data Center as the source (REST v2 search by startAt, PAT)."""
    unauthorised = FakeResponse(
        401, body={"errorMessages": ["You are not authenticated."], "errors": {}}
    )
    return [
        *transient_faults(rate_limit=atlassian_429(), unavailable=atlassian_503()),
        Fault(
            name="read_timeout",
            injection=Injection(
                response=FakeResponse(), path_prefix="/rest/api/2/search", delay=SLOW
            ),
            succeeds=True,
            http=READ_TIMEOUT_HTTP,
        ),
        *body_faults(path="/rest/agile/1.0/board/7/sprint"),
        Fault(
            name="401_mid_run",
            injection=Injection(response=unauthorised, after=3, times=None),
            succeeds=False,
            error_says=("Jira answered 401", "SPRINTSYNC_JIRA_PAT"),
        ),
        repeated_sprint_page(),
    ]
