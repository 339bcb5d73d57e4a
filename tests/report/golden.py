"""Golden-file comparison: exact match, rewritten only with `pytest --update-golden`."""

from __future__ import annotations

from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: str, *, update: bool) -> None:
    """Compare `actual` with golden/<name> exactly, or rewrite it when `update` is set."""
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8", newline="")
        return
    assert path.exists(), f"golden file {path} is missing: run pytest --update-golden"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file; review, then --update-golden"
