"""Answers too large to hold (issue 14 bad input): refused once decoded past the cap, unread."""

import gzip
import json
import zlib

import httpx
import pytest

from http_helpers import make_budget, make_client
from sprintsync.errors import UpstreamError
from sprintsync.http import send_json

CAP = 64 * 1024  # the tests' cap; the real one is 64 MiB
CHUNK = b" " * 4096


@pytest.fixture(autouse=True)
def small_cap(monkeypatch):
    """A cap small enough to pass in a test."""
    monkeypatch.setattr("sprintsync.http.transport.MAX_RESPONSE_BYTES", CAP)


class Stream:
    """A body four times the cap, counting the chunks the client pulled from it."""

    def __init__(self, *, encode=lambda chunk: chunk, chunks: int = 4 * CAP // len(CHUNK)):
        self.pulled = 0
        self.encode = encode
        self.chunks = chunks

    async def __aiter__(self):
        yield self.encode(b'{"issueChangeLogs": [')
        while self.pulled < self.chunks:
            self.pulled += 1
            yield self.encode(CHUNK)


async def fetch(response: httpx.Response):
    """GET through send_json as service Jira, the handler answering `response`."""
    budget, _ = make_budget()
    async with make_client(lambda _request: response, budget=budget) as client:
        return await send_json(
            client, "GET", "/rest/api/3/changelog", service="Jira", what="the changelogs"
        )


async def test_a_body_past_the_cap_is_refused_and_not_read_further():
    """The error names the service, what was asked and the cap; reading stopped at the cap."""
    stream = Stream()
    with pytest.raises(UpstreamError) as raised:
        await fetch(httpx.Response(200, content=stream))
    assert str(raised.value) == (
        "Jira answered the changelogs, but the answer grew past 0.0625 MiB, far more than any "
        "answer sprintsync reads, so it was not read further"
    )
    assert stream.pulled == CAP // len(CHUNK)  # the prefix and 16 chunks pass the cap


async def test_a_small_compressed_body_that_expands_past_the_cap_is_refused():
    """The cap counts decoded bytes: a few hundred compressed bytes expand past it."""
    compressor = zlib.compressobj(wbits=31)  # gzip framing
    compressed = []

    def encode(chunk: bytes) -> bytes:
        out = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
        compressed.append(len(out))
        return out

    stream = Stream(encode=encode)
    response = httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=stream)
    with pytest.raises(UpstreamError, match="Jira answered the changelogs, but the answer grew"):
        await fetch(response)
    assert sum(compressed) < CAP // 10  # what arrived was small; what it expands to was not
    assert stream.pulled == CAP // len(CHUNK)


async def test_a_compressed_body_under_the_cap_is_decoded_and_read():
    """Below the cap nothing changes: the JSON of a gzip answer, its headers kept."""
    document = {"issueChangeLogs": [], "nextPageToken": None, "padding": "x" * (CAP // 2)}
    body = gzip.compress(json.dumps(document).encode())
    response = httpx.Response(
        200, headers={"Content-Encoding": "gzip", "X-AREQUESTID": "r-1"}, content=body
    )
    assert await fetch(response) == document


async def test_a_body_of_exactly_the_cap_is_read():
    """The cap is inclusive: an answer of exactly CAP bytes is kept."""
    padding = CAP - len(b'{"a": ""}')
    body = b'{"a": "' + b"x" * padding + b'"}'
    assert len(body) == CAP
    assert await fetch(httpx.Response(200, content=body)) == {"a": "x" * padding}
