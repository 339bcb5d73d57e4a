"""docs/architecture.md stays true: every package, file and dotted name it gives exists."""

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


SOURCE = ROOT / "src" / "sprintsync"
# a backticked Python name with at least one dot: `config.plan.load_plan`, `domain.Sink`
DOTTED = re.compile(r"`([a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")
FILE = re.compile(r"`([a-z0-9_/]+\.py)`")
PACKAGE = re.compile(r"`sprintsync((?:\.[a-z_]+)*)`")
NOT_PYTHON = (".py", ".json", ".toml", ".yaml", ".md", ".j2")  # file names, checked apart


def blocks(text: str) -> list[str]:
    """The map's paragraphs, list items and table rows, each with its continuation lines."""
    found: list[list[str]] = []
    for line in text.splitlines():
        starts = re.match(r"(- |\d+\. |\||#)", line) or not found or not found[-1]
        if not line.strip():
            found.append([])
        elif starts:
            found.append([line])
        else:
            found[-1].append(line)
    return [" ".join(block) for block in found if block]


def resolves(name: str) -> bool:
    """`sprintsync.<name>` exists: its longest importable prefix, then getattr for the rest."""
    parts = f"sprintsync.{name}".split(".")
    for cut in range(len(parts), 1, -1):
        module = ".".join(parts[:cut])
        try:
            if importlib.util.find_spec(module) is None:
                continue
        except ModuleNotFoundError:  # a parent of `module` is missing
            continue
        value: object = importlib.import_module(module)
        for attribute in parts[cut:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False


def logged_events() -> set[str]:
    """Every string literal in src that looks like an event name (`run.outcome`)."""
    text = "".join(path.read_text("utf-8") for path in SOURCE.rglob("*.py"))
    return set(re.findall(r"\"([a-z_]+(?:\.[a-z_]+)+)\"", text))


def test_every_dotted_name_in_the_map_exists():
    """`pkg.module.func` in the map names a real attribute under `sprintsync`, or an event."""
    events = logged_events()
    written = {
        name
        for name in DOTTED.findall(DOC)
        if not name.startswith("sprintsync.") and not name.endswith(NOT_PYTHON)
    }
    assert written, "the pattern found no dotted name: it is broken, not the map"
    stale = sorted(name for name in written if not resolves(name) and name not in events)
    assert stale == []


def test_every_file_the_map_names_exists():
    """A `name.py` is a file of the `sprintsync.x` package named before it in the same block."""
    checked = []
    missing = []
    for block in blocks(DOC):
        package = SOURCE
        for match in re.finditer(f"{PACKAGE.pattern}|{FILE.pattern}", block):
            dotted, file = match.groups()
            if file is None:
                named = SOURCE.joinpath(*dotted.split(".")[1:])
                package = named if named.is_dir() else package  # a module keeps the context
                continue
            checked.append(file)
            if not (package / file).is_file():
                missing.append(str((package / file).relative_to(ROOT)))
    assert checked, "the pattern found no file name: it is broken, not the map"
    assert missing == []
