import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """The path of a tool installed beside this Python (the project's venv)."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed; install the dev extra: pip install -e '.[dev]'"
    return found


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        ["lint-imports"],
    ],
    ids=["ruff", "ruff-format", "mypy-strict", "import-contracts"],
)
def test_code_quality_gate(command):
    """ruff, ruff format, mypy --strict and the import contracts (pure core) are clean."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(  # noqa: S603 - our own tools, fixed arguments
        [tool(command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(tree: ast.Module) -> set[str]:
    """Every module a file imports, at any depth (a function-level import counts too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from cli import test_cli_run_teams` imports a test module too
            names |= {f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"}
    return names


def test_no_test_module_imports_another_test_module():
    """Shared builders live in helper modules (`*_helpers.py`, `fakes/`, `faults/harness.py`…).

    A test module imported by another can be loaded twice (once under each import name) and
    ties two suites together; anything both need moves into a helper.
    """
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        names = imported_modules(tree)
        tests = {n for n in names if any(part.startswith("test_") for part in n.split("."))}
        # one line per test module: `faults.test_secrets`, not each name taken from it
        tests = {n for n in tests if not any(n.startswith(f"{o}.") for o in tests)}
        offenders += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(tests)]
    assert offenders == []
