"""Clients for one service each: the retrying transport, proxies, JSON requests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from typing import Any

import httpx

from sprintsync import __version__
from sprintsync.domain import JSON
from sprintsync.http.budget import RunBudget
from sprintsync.http.errors import check_response, json_body, transport_error
from sprintsync.http.proxies import environment_proxies
from sprintsync.http.transport import RetryingTransport, may_resend

USER_AGENT = f"sprintsync/{__version__} (+https://github.com/sprintsync/sprintsync)"


def _proxy_mounts(service: str, budget: RunBudget) -> dict[str, httpx.AsyncBaseTransport | None]:
    # httpx ignores HTTP(S)_PROXY/NO_PROXY once a transport is passed in (trust_env applies to
    # its own default transport only), so mount a proxied transport per *_PROXY like httpx does.
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    for pattern, proxy in environment_proxies().items():
        inner = None if proxy is None else httpx.AsyncHTTPTransport(proxy=proxy, retries=0)
        mounts[pattern] = (
            None if inner is None else RetryingTransport(inner, service=service, budget=budget)
        )
    return mounts


def build_client(
    *,
    service: str,
    base_url: str,
    budget: RunBudget,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for one service, every request under the retry policy.

    TLS verification stays on and proxy variables are honoured; `transport` is the test seam.
    """
    policy = budget.policy
    timeout = httpx.Timeout(policy.timeout_seconds, connect=min(10.0, policy.timeout_seconds))
    mounts = _proxy_mounts(service, budget) if transport is None else {}
    inner = transport or httpx.AsyncHTTPTransport(retries=0)
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        auth=auth,
        timeout=timeout,
        transport=RetryingTransport(inner, service=service, budget=budget),
        mounts=mounts,
        follow_redirects=False,
    )


async def send_json(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    service: str,
    what: str,
    hints: Mapping[int, str] | None = None,
    **kwargs: Any,  # noqa: ANN401 - passed through to httpx
) -> JSON:
    """Send one request and return its JSON, every failure an `UpstreamError`."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TransportError as error:
        request = client.build_request(method, url, extensions=kwargs.get("extensions"))
        raise transport_error(
            error, service=service, what=what, resendable=may_resend(request)
        ) from None
    try:
        check_response(response, service=service, what=what, hints=hints)
        return json_body(response, service=service, what=what)
    finally:
        release(response)


def release(response: httpx.Response) -> None:
    """Break httpx's response <-> stream cycle once the body is read.

    `AsyncClient.send` wraps every response's stream in a `BoundAsyncStream` that refers back
    to the response, so an answer (its whole body) is freed only by a full garbage collection,
    which a run makes none of (`sprintsync.collector`). Without the cycle it goes when dropped.
    """
    response.stream = httpx.ByteStream(b"")


async def gather_all(*requests: Awaitable[Any]) -> list[Any]:
    """Await every request, then raise the first failure (none is left running, unlike gather).

    A bare `asyncio.gather` raises at the first failure while its siblings still run; the run
    then closes the client under them and their sockets are left for the garbage collector.
    """
    results = await asyncio.gather(*requests, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
