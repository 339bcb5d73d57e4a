"""Builders for http-policy tests: a client over httpx.MockTransport with a recording budget."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from sprintsync.http import RetryPolicy, RunBudget, build_client

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


@dataclass
class Recorder:
    """An injected sleep that records each wait instead of sleeping."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        """Record the wait."""
        self.waits.append(seconds)


def make_budget(**policy: float) -> tuple[RunBudget, Recorder]:
    """A budget with a recording sleep, a frozen clock and jitter fixed at its upper bound."""
    recorder = Recorder()
    budget = RunBudget(
        policy=RetryPolicy(**policy),  # type: ignore[arg-type]
        sleep=recorder,
        clock=lambda: 0.0,
        jitter=lambda _low, high: high,
    )
    return budget, recorder


def make_client(
    handler: Handler, *, budget: RunBudget, base_url: str = "https://jira.test"
) -> httpx.AsyncClient:
    """A client for service 'Jira' whose inner transport is `handler`."""
    return build_client(
        service="Jira",
        base_url=base_url,
        budget=budget,
        transport=httpx.MockTransport(handler),
    )


def sequence(*responses: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering `responses` in order (the last one repeats) and the requests seen."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]

    return handler, seen
