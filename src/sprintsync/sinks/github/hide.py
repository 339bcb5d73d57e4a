"""Our earlier daily comments minimised as outdated (GraphQL `minimizeComment`), best effort."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import structlog

from sprintsync.errors import SprintsyncError, UpstreamError
from sprintsync.http import IDEMPOTENT, check_response, json_body
from sprintsync.sinks.github.writes import GITHUB_HEADERS, SERVICE, Comment

log = structlog.get_logger("sprintsync.sinks.github.comment")

# REST comments carry no minimised state, only their GraphQL `node_id` (API-NOTES §C.2):
# `Minimizable.isMinimized` tells which are hidden already (github-schema.graphql).
MINIMIZED_STATE = """query MinimizedState($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Minimizable { isMinimized } ... on Node { id } }
}"""
MINIMIZE_OUTDATED = """mutation MinimizeOutdated($id: ID!) {
  minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) {
    minimizedComment { isMinimized }
  }
}"""
ALL_DOCUMENTS = {"MinimizedState": MINIMIZED_STATE, "MinimizeOutdated": MINIMIZE_OUTDATED}
MAX_IDS = 100  # `nodes(ids:)` takes at most 100 ids per call


async def hide_outdated(
    client: httpx.AsyncClient, *, graphql_url: str, comments: Sequence[Comment]
) -> int:
    """Minimise each of `comments` not minimised yet; the number hidden.

    Never raises: the report is published already, so a refusal (a token that may not
    minimise, a rate limit) is a warning, and the next day's run tries again.
    """
    ids = [str(c["node_id"]) for c in comments if isinstance(c.get("node_id"), str)]
    hidden = 0
    try:
        for start in range(0, len(ids), MAX_IDS):
            for node_id in await _not_minimized(client, graphql_url, ids[start : start + MAX_IDS]):
                await _send(client, graphql_url, MINIMIZE_OUTDATED, {"id": node_id}, write=True)
                hidden += 1
    except (SprintsyncError, httpx.HTTPError) as error:
        log.warning(
            "github_comment.hide_failed",
            error=str(error) or type(error).__name__,
            hidden=hidden,
            reason="the report is published; earlier comments stay visible",
        )
    else:
        if hidden:
            log.info("github_comment.hidden", count=hidden, classifier="OUTDATED")
    return hidden


async def _not_minimized(client: httpx.AsyncClient, url: str, ids: list[str]) -> list[str]:
    data = await _send(client, url, MINIMIZED_STATE, {"ids": ids}, write=False)
    nodes = data.get("nodes")
    shown = {
        n.get("id") for n in nodes or () if isinstance(n, dict) and n.get("isMinimized") is False
    }
    return [node_id for node_id in ids if node_id in shown]


async def _send(
    client: httpx.AsyncClient, url: str, document: str, variables: dict[str, Any], *, write: bool
) -> dict[str, Any]:
    what = "minimising an earlier comment" if write else "asking which comments are minimised"
    response = await client.post(
        url,
        json={"query": document, "variables": variables},
        headers=GITHUB_HEADERS,
        extensions={} if write else IDEMPOTENT,  # a mutation missed is retried the next day
    )
    check_response(response, service=SERVICE, what=what)
    body = json_body(response, service=SERVICE, what=what)
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        message = "; ".join(str(e.get("message", e)) for e in errors or () if isinstance(e, dict))
        raise UpstreamError(
            f"GitHub GraphQL refused {what}: {message or 'no data'}", service=SERVICE
        )
    data: dict[str, Any] = body["data"]
    return data
