"""docs/architecture.md stays true: what it names exists, and it names every package."""

import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text("utf-8")
NAMED = set(re.findall(r"`(sprintsync(?:\.[a-z_]+)*)`", DOC))


def test_every_package_the_map_names_exists():
    """Each `sprintsync.x` in the map is an importable module or package."""
    missing = sorted(name for name in NAMED if importlib.util.find_spec(name) is None)
    assert missing == []


def test_the_map_names_every_top_level_module_and_package():
    """A new top-level module or package must be placed on the map."""
    source = ROOT / "src" / "sprintsync"
    found = {f"sprintsync.{p.stem}" for p in source.glob("*.py") if not p.stem.startswith("_")}
    found |= {f"sprintsync.{p.name}" for p in source.iterdir() if (p / "__init__.py").exists()}
    assert sorted(found - NAMED) == []


def test_the_layer_table_is_the_checked_contract():
    """The doc's layer table lists the same layers, in the same order, as lint-imports checks."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    layers = next(c["layers"] for c in contracts["contracts"] if c["type"] == "layers")
    checked = [sorted(part.strip() for part in layer.split("|")) for layer in layers]
    rows = re.findall(r"^\| \d+\. [^|]+\| (.+) \|$", DOC, re.MULTILINE)
    documented = [sorted(re.findall(r"`(sprintsync[a-z_.]*)`", row)) for row in rows]
    assert documented == checked
