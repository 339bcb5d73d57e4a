"""The garbage collector's setting for one `sprintsync` process.

A run builds hundreds of thousands of long-lived values (issues, timelines, changes) that form
no reference cycles; CPython's automatic full collections scan all of them again and again as
they grow: 2.2 s of a 20,000-issue run, 14 % of it (benchmarks/README.md). A process keeps the
young collections, which free the short cycles asyncio and httpx make, and drops only the full
ones; whatever cycle lives longer is freed when the process ends, seconds later.
"""

from __future__ import annotations

import gc

NO_FULL_COLLECTION = 1_000_000_000  # young collections before a full one: never in one run


def keep_young_collections_only() -> None:
    """Collect the young generations as usual, never the whole heap by itself."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NO_FULL_COLLECTION)
