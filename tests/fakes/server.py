"""A tiny threaded HTTP server on 127.0.0.1 that hands every request to a Python handler."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter `name`."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class FakeResponse:
    """What the fake answers: status, headers, body (bytes, or JSON-able)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # exact bytes (HTML error pages, broken JSON)
    drop_connection: bool = False  # close the socket without answering (connection reset)


Handler = Callable[[FakeRequest], FakeResponse]


@dataclass
class RunningServer:
    """A running fake: its base URL and every request it received."""

    url: str
    requests: list[FakeRequest]

    def calls(self, method: str, path_prefix: str = "") -> list[FakeRequest]:
        """The requests with this method whose path starts with `path_prefix`."""
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]


@contextmanager
def serve(handler: Handler) -> Iterator[RunningServer]:
    """Serve `handler` on 127.0.0.1 on a free port for the duration of the block."""
    received: list[FakeRequest] = []

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave as two writes: no 40 ms stall

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = FakeRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            received.append(request)
            response = handler(request)
            if response.drop_connection:
                self.close_connection = True
                self.connection.close()
                return
            payload = response.raw
            headers = dict(response.headers)
            if payload is None:
                payload = b"" if response.body is None else json.dumps(response.body).encode()
                if response.body is not None:
                    headers.setdefault("Content-Type", "application/json;charset=UTF-8")
            # A client that gave up on the request (a cancelled task) has nobody to answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(response.status, headers, payload)

        def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            # One request per connection: no idle keep-alive socket outlives a test's event loop.
            headers.setdefault("Connection", "close")
            self.close_connection = True
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield RunningServer(url=f"http://127.0.0.1:{server.server_address[1]}", requests=received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
