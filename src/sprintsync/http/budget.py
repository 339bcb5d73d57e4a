"""The retry policy and the run's shared time budget (one `RunBudget` per run, every host)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx

# The request counter of the work running now (one team's run), inherited by its tasks.
_counter: ContextVar[list[int] | None] = ContextVar("sprintsync_request_counter", default=None)


class BudgetSpent(httpx.TimeoutException):
    """The run's time budget ran out before a request could be sent: it was not sent."""


# No answer sprintsync reads comes near this (a page of 100 issues, 1,000 changelogs, a
# Confluence page, 100 comments: a few MB); a larger one is refused before it fills memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class ResponseTooLarge(httpx.TransportError):
    """An answer whose body, once decoded, grew past `MAX_RESPONSE_BYTES`: it was not kept."""


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry; `max_wait_seconds: 0` makes every wait zero (tests)."""

    max_attempts: int = 5
    base_wait_seconds: float = 2.0
    max_wait_seconds: float = 60.0
    budget_seconds: float = 300.0
    timeout_seconds: float = 30.0
    max_in_flight_per_host: int = 8


@dataclass(kw_only=True)
class RunBudget:
    """The run's shared time budget, request counter and per-host limits (one per run)."""

    policy: RetryPolicy
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[float, float], float] = random.uniform
    waited_seconds: float = 0.0
    requests: int = 0
    retries: int = 0
    waits: list[float] = field(default_factory=list)
    per_host: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    started: float | None = None

    def __post_init__(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def count_request(self) -> None:
        """Count one request for the run and for the work counting it (`counting`)."""
        self.requests += 1
        counter = _counter.get()
        if counter is not None:
            counter[0] += 1

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        """Count the requests of the block and the tasks it starts: `[n]` when it ends."""
        counter = [0]
        token = _counter.set(counter)
        try:
            yield counter
        finally:
            _counter.reset(token)

    def semaphore(self, host: str) -> asyncio.Semaphore:
        """The in-flight limit for one host."""
        if host not in self.per_host:
            self.per_host[host] = asyncio.Semaphore(self.policy.max_in_flight_per_host)
        return self.per_host[host]

    def remaining_seconds(self) -> float:
        """Time left in the run's budget: waits taken, or wall time if that is more."""
        elapsed = self.clock() - (self.started or 0.0)
        return self.policy.budget_seconds - max(self.waited_seconds, elapsed)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter after failed attempt `attempt` (1-based)."""
        base = self.policy.base_wait_seconds
        return float(base * 2.0 ** (attempt - 1) + self.jitter(0.0, base))

    async def wait(self, seconds: float) -> None:
        """Take a wait out of the budget (the injected `sleep` does the waiting)."""
        self.waited_seconds += seconds
        self.retries += 1
        self.waits.append(seconds)
        await self.sleep(seconds)
