"""HTTP answers and failures as one-line `UpstreamError`s a user can act on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import accumulate

import httpx

from sprintsync.domain import JSON
from sprintsync.domain.text import SURROGATE_ESCAPE, clean_strings
from sprintsync.errors import UpstreamError
from sprintsync.http.budget import BudgetSpent, ResponseTooLarge
from sprintsync.logs import clip

REQUEST_ID_HEADERS = ("X-AREQUESTID", "X-GitHub-Request-Id", "X-Request-Id", "atl-traceid")
# Set by the retrying transport on the answer it gave up on: why it stopped retrying.
GAVE_UP = "sprintsync_gave_up"

# Deeper than any API answer we read (ADF descriptions nest ~10); json.loads recurses once per
# level and fails near 1,000 with a RecursionError, so deeper bodies are refused before it.
MAX_JSON_DEPTH = 200
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
PROXY_HINT = "; a proxy or login page may stand in front of the service"
DEFAULT_HINTS = {
    401: "the credentials were refused",
    403: "the credentials lack a permission this needs",
    404: "not found, or not visible to these credentials",
    410: "the server no longer serves this API",
    429: "rate limited, and the retries or the run's time budget ran out",
    502: "a gateway failed, and the retries ran out",
    503: "the service is unavailable, and the retries ran out",
    504: "a gateway timed out, and the retries ran out",
}


def request_id(response: httpx.Response) -> str | None:
    """The server's id for a request, to quote in an error."""
    for header in REQUEST_ID_HEADERS:
        if header in response.headers:
            return response.headers[header]
    return None


# How much of a body is read to quote its start: redaction needs the whole of any secret
# that begins before the cut, so read well past it (a secret is far shorter than this).
QUOTE_WINDOW = 4096


def first_bytes(response: httpx.Response, limit: int = 120) -> str:
    """The start of a body on one line (an HTML error page, a broken JSON document).

    Redacted before it is cut, and a secret's start left at the cut is redacted too.
    """
    content = response.content
    text = content[:QUOTE_WINDOW].decode("utf-8", errors="replace")
    return clip(" ".join(text.split()), limit, cut=len(content) > QUOTE_WINDOW)


def _not_json(response: httpx.Response) -> str:
    content_type = response.headers.get("Content-Type") or "missing"
    return f"Content-Type {content_type!r}, starts with {first_bytes(response)!r}"


class TooDeepError(ValueError):
    """A JSON document nested deeper than `MAX_JSON_DEPTH`."""


def json_depth(document: bytes) -> int:
    """How deep a UTF-8 JSON document's arrays and objects nest (brackets in strings ignored).

    C-speed bytes operations and `accumulate` do the work: no recursion, linear time. Escaped
    backslashes and quotes go first; then every other piece between quotes is a string.
    """
    unescaped = document.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.split(b'"')[::2]).translate(None, _NOT_BRACKET)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def load_json(content: bytes) -> JSON:
    """`json.loads` of a body (UTF-8/16/32), refusing one nested deeper than `MAX_JSON_DEPTH`."""
    encoding = json.detect_encoding(content)
    decoded = content.decode(encoding)
    utf8 = content if encoding == "utf-8" else decoded.encode("utf-8", "surrogatepass")
    if json_depth(utf8) > MAX_JSON_DEPTH:
        raise TooDeepError(MAX_JSON_DEPTH)
    value = json.loads(decoded)
    return clean_strings(value) if SURROGATE_ESCAPE.search(decoded) else value


def describe_error_body(response: httpx.Response) -> str:
    """The server's own error text, short: Atlassian and GitHub envelopes understood."""
    if not response.content:
        return ""
    try:
        body = load_json(response.content)
    except (ValueError, UnicodeDecodeError):
        return f"a body that is not JSON: {_not_json(response)}"
    messages: list[str] = []
    if isinstance(body, dict):
        messages += [str(m) for m in body.get("errorMessages") or []]
        errors = body.get("errors")
        if isinstance(errors, dict):
            messages += [f"{k}: {v}" for k, v in errors.items()]
        elif isinstance(errors, list):
            messages += [_error_item(e) for e in errors if e]
        if not messages and body.get("message"):
            messages.append(str(body["message"]))
    return clip(" ".join("; ".join(messages).split()), 300)


def _error_item(item: object) -> str:
    if isinstance(item, dict):
        return str(item.get("title") or item.get("message") or item)
    return str(item)


def check_response(
    response: httpx.Response,
    *,
    service: str,
    what: str,
    hints: Mapping[int, str] | None = None,
) -> None:
    """Raise an `UpstreamError` naming the service, status and a hint unless the status is 2xx."""
    if response.is_success:
        return
    status = response.status_code
    gave_up = response.extensions.get(GAVE_UP)
    if gave_up and status == 403:
        hint = DEFAULT_HINTS[429]  # a rate-limit 403 that outlasted the retries, not a permission
    else:
        hint = (hints or {}).get(status) or DEFAULT_HINTS.get(status, "")
    message = f"{service} answered {status} to {what}"
    if hint:
        message += f": {hint}"
    if gave_up:
        message += f" ({gave_up})"
    detail = describe_error_body(response)
    if detail:
        message += f" (server said: {detail})"
    rid = request_id(response)
    if rid:
        message += f" [request id {rid}]"
    raise UpstreamError(message, service=service, status=status, request_id=rid)


def json_body(response: httpx.Response, *, service: str, what: str) -> JSON:
    """The response's JSON, or an `UpstreamError` quoting the content type and the first bytes."""
    try:
        return load_json(response.content)
    except TooDeepError:
        raise UpstreamError(
            f"{service} answered {what} with JSON nested deeper than {MAX_JSON_DEPTH} levels "
            f"(status {response.status_code}); no API answer sprintsync reads is that deep",
            service=service,
            status=response.status_code,
            request_id=request_id(response),
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        content_type = response.headers.get("Content-Type") or ""
        suffix = "" if "json" in content_type else PROXY_HINT
        raise UpstreamError(
            f"{service} answered {what} with a body that is not JSON "
            f"(status {response.status_code}, {_not_json(response)}){suffix}",
            service=service,
            status=response.status_code,
            request_id=request_id(response),
        ) from None


def transport_error(
    error: httpx.TransportError, *, service: str, what: str, resendable: bool
) -> UpstreamError:
    """A request that got no answer, as one line; says when a write was left unrepeated."""
    kind = type(error).__name__
    if isinstance(error, BudgetSpent):  # never sent
        return UpstreamError(f"{service}: {error}, so {what} was not sent", service=service)
    if isinstance(error, ResponseTooLarge):
        return UpstreamError(f"{service} answered {what}, but {error}", service=service)
    if isinstance(error, httpx.TimeoutException):
        message = f"{service} did not answer {what} in time ({kind})"
    else:
        reason = " ".join(str(error).split()) or "no details"
        message = f"{service} could not be reached{_at_host(error)} for {what} ({kind}: {reason})"
    if not resendable and not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        message += "; the request may have reached the server, so it was not repeated"
    return UpstreamError(message, service=service)


def _at_host(error: httpx.TransportError) -> str:
    """` at HOST:PORT` of the request that got no answer (the port a scheme implies too)."""
    try:
        url = error.request.url
    except RuntimeError:  # an error raised without its request
        return ""
    port = url.port or {"https": 443, "http": 80}.get(url.scheme)
    return f" at {url.host}:{port}" if url.host else ""
