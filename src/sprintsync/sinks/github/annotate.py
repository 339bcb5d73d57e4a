"""A failed run on GitHub Actions: `::error::` annotations and a job-summary section (pure I/O).

`python -m sprintsync.sinks.github.annotate STDERR_FILE EXIT_CODE [SUMMARY_FILE]` is what the
composite action runs when sprintsync failed; it reads the captured stderr only (no settings,
no environment: the action passes `$GITHUB_STEP_SUMMARY`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

ERROR_PREFIXES = ("sprintsync: error: ", "sprintsync: unexpected error: ")
FAILED_EVENTS = {"team.failed"}


def failure_messages(lines: Iterable[str]) -> list[str]:
    """The error lines of a run: `sprintsync: error:` lines and failed teams of the JSON logs."""
    found: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith(ERROR_PREFIXES):
            found.append(line.split(": ", 2)[-1])
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("event") in FAILED_EVENTS:
            found.append(f"team {event.get('team')}: {event.get('error')}")
    return found


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped as GitHub documents."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotate(messages: list[str], *, exit_code: int, summary: Path | None) -> str:
    """The `::error::` lines (returned) and the summary section (appended to the summary file)."""
    if not messages:
        messages = [f"sprintsync exited with status {exit_code}; see the step's log"]
    commands = "".join(f"::error title=sprintsync::{escape_data(m)}\n" for m in messages)
    if summary is not None:
        bullets = "".join(f"- {m}\n" for m in messages)
        section = f"## sprintsync failed (exit {exit_code})\n\n{bullets}\n"
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(section)
    return commands


def main(argv: list[str]) -> int:
    """Annotate the failure described by a captured stderr file; returns the exit code given."""
    stderr_file, exit_code = Path(argv[0]), int(argv[1])
    summary = Path(argv[2]) if len(argv) > 2 and argv[2] else None
    try:
        text = stderr_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    messages = failure_messages(text.splitlines())
    sys.stdout.write(annotate(messages, exit_code=exit_code, summary=summary))
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
