import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "example-github-projects.yml"
DOC = ROOT / "docs" / "github-actions-state.md"


def workflow():
    """The example workflow, parsed (PyYAML reads the `on` key as True)."""
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps():
    """The report job's steps."""
    return workflow()["jobs"]["report"]["steps"]


def step_using(prefix):
    """The one step whose `uses` starts with `prefix`."""
    (found,) = [s for s in steps() if s.get("uses", "").startswith(prefix)]
    return found


def test_workflow_runs_on_a_schedule_and_by_hand_with_least_privilege():
    """The example has schedule + workflow_dispatch, contents: read only, one run at a time."""
    data = workflow()
    triggers = data[True]
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert triggers["schedule"][0]["cron"]
    assert data["permissions"] == {"contents": "read"}
    assert data["concurrency"]["cancel-in-progress"] is False


def test_every_action_is_pinned_to_a_full_sha_with_its_version():
    """Each `uses:` names a 40-hex commit and a version comment."""
    lines = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert len(lines) == 5
    for line in lines:
        assert re.search(r"uses: [\w-]+/[\w/-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_state_is_restored_by_prefix_and_saved_under_a_unique_key():
    """Restore uses restore-keys (a prefix of the key); save uses the same unique key and path."""
    restore = step_using("actions/cache/restore@")["with"]
    save_step = step_using("actions/cache/save@")
    save = save_step["with"]
    assert restore["path"] == save["path"] == ".sprintsync/"
    prefixes = restore["restore-keys"].split()
    assert prefixes == ["sprintsync-state-"]
    assert restore["key"] == save["key"]
    assert restore["key"].startswith(prefixes[0])
    assert "github.run_id" in save["key"]
    assert save_step["if"] == "always()"


def test_restore_comes_before_the_run_and_save_after():
    """The order is restore, run sprintsync, save."""
    names = [s.get("uses", s.get("run", "")) for s in steps()]
    restore = next(i for i, n in enumerate(names) if n.startswith("actions/cache/restore@"))
    run = next(i for i, n in enumerate(names) if n.startswith("python -m sprintsync run"))
    save = next(i for i, n in enumerate(names) if n.startswith("actions/cache/save@"))
    assert restore < run < save


def test_the_token_comes_from_an_app_not_github_token():
    """The run gets a token that can read projects, never the repository GITHUB_TOKEN."""
    run = next(s for s in steps() if s.get("run", "").startswith("python -m sprintsync run"))
    assert run["env"]["SPRINTSYNC_GITHUB_PROJECTS_TOKEN"] == "${{ steps.app-token.outputs.token }}"
    assert "SPRINTSYNC_GITHUB_TOKEN" not in run["env"]
    app = step_using("actions/create-github-app-token@")["with"]
    assert app["permission-organization-projects"] == "read"


def test_doc_describes_the_cache_keys_and_path_the_workflow_uses():
    """The state doc names the same path, prefix and unique key as the workflow."""
    text = DOC.read_text(encoding="utf-8")
    for needle in ("path: .sprintsync/", "restore-keys: sprintsync-state-", "github.run_id"):
        assert needle in text
