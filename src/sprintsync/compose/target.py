"""Where a GitHub comment goes: the configured repo and issue, else the Actions run's own."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from sprintsync.config import REPO_PATTERN, GitHubCommentSinkConfig
from sprintsync.errors import ConfigError

MAX_EVENT_BYTES = 10_000_000  # a webhook payload is at most 25 MB; ours carry a few kilobytes
# The Actions default variables: GITHUB_REPOSITORY is owner/name, GITHUB_EVENT_PATH the file
# holding the webhook payload that triggered the run (pull_request.number, or issue.number for
# issues and issue_comment events, a PR's conversation included).
# https://docs.github.com/actions/reference/workflows-and-actions/variables
REPOSITORY_VARIABLE = "GITHUB_REPOSITORY"
EVENT_VARIABLE = "GITHUB_EVENT_PATH"


def comment_target(
    sink: GitHubCommentSinkConfig, *, key: str, env: Mapping[str, str], where: str
) -> tuple[str, int]:
    """`(repo, issue)`: each from the config when set, else from the GitHub Actions run.

    `key` is the sink's config path (`teams[0].publish[1]`); every error names the key to set.
    """
    repo = sink.repo or _run_repository(env, key=f"{key}.repo", where=where)
    if sink.issue is not None:
        return repo, sink.issue
    running_in = env.get(REPOSITORY_VARIABLE, "")
    if sink.repo and running_in.lower() != sink.repo.lower():
        raise ConfigError(
            f"{where}: {key}.issue is not set and {key}.repo is {sink.repo!r}, not this run's "
            f"repository ({running_in or 'not on GitHub Actions'}): the event's pull request or "
            f"issue is not there; set {key}.issue"
        )
    return repo, _event_number(env, key=f"{key}.issue", where=where)


def _run_repository(env: Mapping[str, str], *, key: str, where: str) -> str:
    repo = env.get(REPOSITORY_VARIABLE, "")
    if not repo:
        raise ConfigError(
            f"{where}: {key} is not set and this is not a GitHub Actions run "
            f"({REPOSITORY_VARIABLE} is not set): set {key} to owner/name"
        )
    if not re.fullmatch(REPO_PATTERN, repo):
        raise ConfigError(
            f"{where}: {key} is not set and {REPOSITORY_VARIABLE} is {repo!r}, "
            f"not owner/name: set {key}"
        )
    return repo


def _event_number(env: Mapping[str, str], *, key: str, where: str) -> int:
    path = env.get(EVENT_VARIABLE, "")
    if not path:
        raise ConfigError(
            f"{where}: {key} is not set and this is not a GitHub Actions run "
            f"({EVENT_VARIABLE} is not set): set {key} to an issue or pull-request number"
        )
    event = _read_event(Path(path), key=key, where=where)
    for kind in ("pull_request", "issue"):
        found = event.get(kind)
        number = found.get("number") if isinstance(found, dict) else None
        if isinstance(number, int) and not isinstance(number, bool) and number > 0:
            return number
    name = env.get("GITHUB_EVENT_NAME") or "triggering"
    raise ConfigError(
        f"{where}: {key} is not set and the {name} event has no pull_request.number or "
        f"issue.number ({path}): set {key}, or run on a pull_request or issues event"
    )


def _read_event(path: Path, *, key: str, where: str) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_EVENT_BYTES + 1)
        event = json.loads(data) if len(data) <= MAX_EVENT_BYTES else None
    except (OSError, ValueError) as error:
        problem = getattr(error, "strerror", None) or "not JSON"
        raise ConfigError(
            f"{where}: {key} is not set and the event file {path} cannot be read "
            f"({problem}): set {key}"
        ) from None
    if not isinstance(event, dict):
        raise ConfigError(
            f"{where}: {key} is not set and the event file {path} is not a JSON object: set {key}"
        )
    return event
