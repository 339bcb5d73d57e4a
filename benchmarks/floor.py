"""The API's floor for one sprint: what any client must at least ask Jira Cloud, nothing parsed.

An id-only `search/jql` for the sprint and one for the removal candidates (at once), then
every `issue/bulkfetch` (100 ids) and `changelog/bulkfetch` (1,000 ids, tokens followed) at
once under `--in-flight` requests. Bodies are read, never decoded beyond the ids and tokens.
Usage: python benchmarks/floor.py URL [--in-flight 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json

import httpx

SPRINT_JQL = "sprint = 42"
REMOVED_JQL = 'updated >= "2026/11/09 09:30" AND (sprint != 42 OR sprint is EMPTY)'
FIELDS = [
    *("summary", "status", "issuetype", "assignee", "created", "updated", "description"),
    *("issuelinks", "parent", "labels", "customfield_10020", "customfield_10016"),
    "customfield_10021",
]


async def post(client: httpx.AsyncClient, gate: asyncio.Semaphore, path: str, body: dict) -> dict:
    """One POST under the in-flight limit; its JSON (`{}` for issue pages: never decoded)."""
    async with gate:
        response = await client.post(path, json=body)
    response.raise_for_status()
    if path.endswith("/issue/bulkfetch"):
        return {}
    return response.json()


async def ids(client: httpx.AsyncClient, gate: asyncio.Semaphore, jql: str) -> list[str]:
    """Every id of an id-only search, tokens followed."""
    body: dict = {"jql": jql, "fields": ["id"], "maxResults": 5000}
    found: list[str] = []
    while True:
        page = await post(client, gate, "/rest/api/3/search/jql", body)
        found += [issue["id"] for issue in page["issues"]]
        if page.get("isLast") or not page.get("nextPageToken"):
            return found
        body = {**body, "nextPageToken": page["nextPageToken"]}


async def changelogs(client: httpx.AsyncClient, gate: asyncio.Semaphore, chunk: list[str]) -> None:
    """Every changelog page of up to 1,000 ids."""
    # No `fieldIds`: a filter drops items without a fieldId (STYLE.md known trap 10).
    body: dict = {"issueIdsOrKeys": chunk, "maxResults": 1000}
    while True:
        page = await post(client, gate, "/rest/api/3/changelog/bulkfetch", body)
        if not page.get("nextPageToken"):
            return
        body = {**body, "nextPageToken": page["nextPageToken"]}


async def floor(url: str, in_flight: int) -> int:
    """Run the floor; the number of ids."""
    gate = asyncio.Semaphore(in_flight)
    auth = httpx.BasicAuth("bot@example.com", "api-token-123")
    async with httpx.AsyncClient(base_url=url, auth=auth, timeout=60) as client:
        current, candidates = await asyncio.gather(
            ids(client, gate, SPRINT_JQL), ids(client, gate, REMOVED_JQL)
        )
        every = current + candidates
        work = [
            post(
                client,
                gate,
                "/rest/api/3/issue/bulkfetch",
                {"issueIdsOrKeys": every[n : n + 100], "fields": FIELDS},
            )
            for n in range(0, len(every), 100)
        ]
        work += [changelogs(client, gate, every[n : n + 1000]) for n in range(0, len(every), 1000)]
        await asyncio.gather(*work)
    return len(every)


def main() -> None:
    """Parse the options and run the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--in-flight", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps({"issues": asyncio.run(floor(args.url, args.in_flight))}))


if __name__ == "__main__":
    main()
