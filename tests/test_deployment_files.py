from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION_FILES = [ROOT / "action.yml"]
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
# Any attempt to reach the network fails fast: the linters must work offline.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}


def tool(name: str) -> str:
    """The path of a dev-extra console script: beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is missing: install the dev extra (pip install -e '.[dev]')"
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a linter from the repository root, offline, and capture what it says."""
    env = os.environ | OFFLINE | {"NO_COLOR": "1"}
    return subprocess.run(  # noqa: S603 - our own argument list
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_dockerfile_passes_hadolint():
    """The Dockerfile passes hadolint with no finding."""
    result = run(tool("hadolint"), "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_workflows_match_github_workflow_schema():
    """Every workflow validates against check-jsonschema's vendored GitHub workflow schema."""
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "daily-report.yml"}
    paths = [str(p) for p in WORKFLOWS]
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_matches_github_action_schema():
    """action.yml validates against check-jsonschema's vendored GitHub action schema."""
    paths = [str(p) for p in ACTION_FILES]
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_offline():
    """The workflows and action have no zizmor finding offline (ignores in zizmor.yml)."""
    result = run(tool("zizmor"), "--offline", "--config", "zizmor.yml", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def uses_of(document: object) -> list[str]:
    """Every `uses:` value anywhere in a workflow or action."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "uses" and isinstance(value, str):
                found.append(value)
            else:
                found += uses_of(value)
    elif isinstance(document, list):
        for item in document:
            found += uses_of(item)
    return found


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTION_FILES], ids=lambda p: p.name)
def test_remote_actions_are_pinned_by_commit_sha_with_a_version_comment(path):
    """Each remote action is pinned by a 40-hex commit SHA followed by a `# vX.Y.Z` comment."""
    text = path.read_text(encoding="utf-8")
    remote = [u for u in uses_of(yaml.safe_load(text)) if not u.startswith("./")]
    for uses in remote:
        assert SHA_PIN.match(uses), uses
        assert re.search(re.escape(uses) + r" # v\d+\.\d+\.\d+", text), uses


def test_daily_report_is_least_privilege_and_off_the_hour():
    """The daily workflow grants nothing by default and runs at a non-zero, non-round minute."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/daily-report.yml").read_text())
    assert workflow["permissions"] == {}
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "workflow_dispatch" in triggers
    minute = int(triggers["schedule"][0]["cron"].split()[0])
    assert minute % 5 != 0
    report = workflow["jobs"]["report"]
    assert report["permissions"] == {
        "contents": "read",
        "issues": "write",
        "pull-requests": "write",
    }
    assert "sprintsync teams --config" in str(workflow["jobs"]["teams"]["steps"])
    assert report["strategy"]["matrix"]["team"].startswith("${{ fromJSON(")


def test_kubernetes_cronjob_runs_as_non_root_without_overlap():
    """The CronJob forbids concurrent runs, runs as non-root and takes secrets from a Secret."""
    cronjob = yaml.safe_load((ROOT / "deploy/kubernetes/cronjob.yaml").read_text())
    assert cronjob["kind"] == "CronJob"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = pod["containers"][0]
    assert container["envFrom"] == [{"secretRef": {"name": "sprintsync-credentials"}}]
    assert "SPRINTSYNC" not in str(container.get("env", [])).replace("SPRINTSYNC_STATE__PATH", "")


def test_kubernetes_state_claim_is_shipped_and_is_the_one_the_cronjob_mounts():
    """deploy/kubernetes/pvc.yaml defines the claim the CronJob's state volume names."""
    claim = yaml.safe_load((ROOT / "deploy/kubernetes/pvc.yaml").read_text())
    cronjob = yaml.safe_load((ROOT / "deploy/kubernetes/cronjob.yaml").read_text())
    volumes = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
    state = next(v for v in volumes if v["name"] == "state")
    assert claim["kind"] == "PersistentVolumeClaim"
    assert state["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]


def test_cron_env_file_example_has_no_inline_comment():
    """The env file example has no inline comment (docker --env-file would keep it)."""
    doc = (ROOT / "docs/run-from-cron.md").read_text(encoding="utf-8")
    block = doc.split("# /etc/sprintsync/env", 1)[1].split("```", 1)[0]
    assignments = [line for line in block.splitlines() if "=" in line and not line.startswith("#")]
    assert assignments
    assert all("#" not in line and " " not in line for line in assignments)
