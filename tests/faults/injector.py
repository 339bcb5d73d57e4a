"""A fault layer in front of any fake's handler: answers chosen requests with a fault instead."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from fakes.server import FakeRequest, FakeResponse

Handler = Callable[[FakeRequest], FakeResponse]


@dataclass(frozen=True, kw_only=True)
class Injection:
    """Which requests get the fault, and how.

    `first_per_endpoint` faults the first request to every (method, path) once; otherwise
    matching requests are faulted `times` times (None: for ever) after letting `after` pass.
    `act_first` lets the fake handle the request before the fault replaces the answer (an
    answer lost after the server acted). `delay` holds the answer back (a read timeout).
    `transform` rewrites the fake's own answer instead of replacing it (a repeated cursor).
    `hold` keeps the picked request waiting until the event is set (a run caught mid-way).
    """

    response: FakeResponse
    method: str | None = None
    path_prefix: str = ""
    first_per_endpoint: bool = False
    per_body: bool = False  # with first_per_endpoint: each distinct body counts as an endpoint
    after: int = 0
    times: int | None = 1
    act_first: bool = False
    delay: float = 0.0
    transform: Callable[[FakeRequest, FakeResponse], FakeResponse] | None = None
    hold: threading.Event | None = None  # the picked request waits for this, then is answered


@dataclass
class FaultyHandler:
    """Wraps a fake's handler with one `Injection`; counts what it injected."""

    handler: Handler
    injection: Injection
    injected: Counter[tuple[str, str]] = field(default_factory=Counter)
    _matched: int = 0
    _seen: set[tuple[str, str]] = field(default_factory=set)
    arrived: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: FakeRequest) -> FakeResponse:
        """Answer with the fault when the injection picks this request, else the fake's answer."""
        if not self._picks(request):
            return self.handler(request)
        self.arrived.set()
        if self.injection.hold is not None:
            self.injection.hold.wait(timeout=30)
            return self.handler(request)
        if self.injection.transform is not None:
            return self.injection.transform(request, self.handler(request))
        if self.injection.act_first:
            self.handler(request)
        if self.injection.delay:
            time.sleep(self.injection.delay)  # the fake is slow; the client's timeout fires first
            return FakeResponse(drop_connection=True)
        return self.injection.response

    def _picks(self, request: FakeRequest) -> bool:
        rule = self.injection
        if rule.method not in (None, request.method) or not request.path.startswith(
            rule.path_prefix
        ):
            return False
        endpoint = (request.method, request.path)
        if rule.per_body:
            endpoint = (request.method, f"{request.path} {request.body.decode(errors='replace')}")
        with self._lock:
            if rule.first_per_endpoint:
                if endpoint in self._seen:
                    return False
                self._seen.add(endpoint)
            else:
                self._matched += 1
                if self._matched <= rule.after:
                    return False
                if rule.times is not None and self._matched > rule.after + rule.times:
                    return False
            self.injected[endpoint] += 1
            return True
