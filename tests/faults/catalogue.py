"""The faults each service can throw (API-NOTES §A.8, §B.1.5-6, §C.1-2), as injections."""

from __future__ import annotations

from fakes.server import FakeResponse
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
