"""An answer is freed as soon as it is parsed, with no garbage collection (sprintsync.collector)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import httpx
import pytest

from http_helpers import make_budget, make_client
from sprintsync.errors import UpstreamError
from sprintsync.http import send_json


@pytest.fixture
def no_collection() -> Iterator[None]:
    """The collector off: only reference counting may free the answer."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def answered(status: int, body: bytes) -> tuple[list[weakref.ref[httpx.Response]], object]:
    """send_json against one answer; weak references to the responses the client returned."""
    seen: list[weakref.ref[httpx.Response]] = []

    async def keep(response: httpx.Response) -> None:
        seen.append(weakref.ref(response))

    budget, _ = make_budget()
    handler = lambda _request: httpx.Response(status, content=body)  # noqa: E731
    async with make_client(handler, budget=budget) as client:
        client.event_hooks["response"] = [keep]
        try:
            result: object = await send_json(
                client, "GET", "/rest/api/3/myself", service="Jira", what="the credential check"
            )
        except UpstreamError as error:
            result = f"UpstreamError: {error}"  # its text: the error's frames hold the answer
    return seen, result


@pytest.mark.usefixtures("no_collection")
async def test_a_parsed_answer_is_freed_without_the_collector() -> None:
    """The response <-> stream cycle httpx makes is broken once the JSON is read."""
    seen, result = await answered(200, b'{"accountId": "a1", "padding": "' + b"x" * 100_000 + b'"}')
    assert isinstance(result, dict)
    assert result["accountId"] == "a1"
    assert len(seen) == 1
    assert seen[0]() is None


@pytest.mark.usefixtures("no_collection")
async def test_a_refused_answer_is_freed_too() -> None:
    """An error answer goes the same way; the error keeps only its text."""
    seen, result = await answered(500, b'{"errorMessages": ["boom"]}')
    assert isinstance(result, str)
    assert result.startswith("UpstreamError: ")
    assert len(seen) == 1
    assert seen[0]() is None
