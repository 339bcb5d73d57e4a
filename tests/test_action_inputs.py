"""The composite action: inputs, outputs, the locked install, failure annotations."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from sprintsync.sinks.github.annotate import annotate, escape_data, failure_messages

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")


def _step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def _pins() -> dict[str, Version]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==([^ \\\n]+)", LOCK, re.MULTILINE)
    return {name.lower().replace("_", "-"): Version(version) for name, version in found}


def test_action_has_the_inputs_and_outputs_users_expect():
    """Separate tokens, dry-run and verbose in; report-url, report-path and status out."""
    assert {"github-token", "projects-token", "dry-run", "verbose"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    outputs = ACTION["outputs"]
    assert {"report-url", "report-path", "status", "exit-code"} <= set(outputs)
    for name, output in outputs.items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_inputs_win_over_token_variables_in_the_environment():
    """The run step sets the tokens from the inputs, after saying it ignores env ones."""
    script = _step("run")["run"]
    assert 'export SPRINTSYNC_GITHUB_TOKEN="$INPUT_GITHUB_TOKEN"' in script
    assert 'export SPRINTSYNC_GITHUB_PROJECTS_TOKEN="$INPUT_PROJECTS_TOKEN"' in script
    assert "unset GITHUB_TOKEN SPRINTSYNC_GITHUB_PROJECTS_TOKEN" in script
    assert script.index("is ignored") < script.index("export SPRINTSYNC_GITHUB_TOKEN")


def test_action_installs_only_hashed_pins():
    """Every pip install in the action is --require-hashes from requirements.lock."""
    installs = [
        line
        for s in ACTION["runs"]["steps"]
        for line in s.get("run", "").splitlines()
        if "pip install" in line
    ]
    assert installs
    assert all("--require-hashes" in line for line in installs)
    blocks = re.split(r"\n(?=\S)", LOCK.strip())
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)


def test_lock_pins_every_dependency_within_its_range():
    """requirements.lock pins each runtime dependency of pyproject.toml, inside its range."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _pins()
    for text in project["dependencies"]:
        requirement = Requirement(text)
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name]), (name, pins[name])


def test_failure_lines_become_error_annotations_and_a_summary(tmp_path):
    """Error lines and failed teams of the JSON logs are ::error:: lines and a summary section."""
    stderr = [
        '{"event": "team.failed", "team": "mobile", "error": "Jira answered 401"}',
        '{"event": "run.summary", "team": "web"}',
        "sprintsync: error: cfg.yml: teams[0].board: 50% wrong\nsecond line",
    ]
    summary = tmp_path / "summary.md"
    messages = failure_messages("\n".join(stderr).splitlines())
    assert messages == ["team mobile: Jira answered 401", "cfg.yml: teams[0].board: 50% wrong"]
    commands = annotate(messages, exit_code=3, summary=summary)
    assert (
        commands.splitlines()[1] == "::error title=sprintsync::cfg.yml: teams[0].board: 50%25 wrong"
    )
    assert summary.read_text(encoding="utf-8").startswith("## sprintsync failed (exit 3)\n")
    assert escape_data("a\nb\r") == "a%0Ab%0D"


def test_annotate_runs_as_a_module(tmp_path):
    """The action's `python -m sprintsync.sinks.github.annotate LOG CODE SUMMARY` exits CODE."""
    log = tmp_path / "stderr.log"
    log.write_text("sprintsync: error: boom\n", encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "sprintsync.sinks.github.annotate", str(log), "2", ""],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 2
    assert done.stdout == "::error title=sprintsync::boom\n"
