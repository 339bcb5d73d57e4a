"""GitHub Actions integration: the job summary and step outputs, from an env mapping."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from sprintsync.domain import PublishResult, RenderedReport
from sprintsync.errors import PublishError

# A step's summary may hold at most 1024 KiB; larger uploads are dropped (API-NOTES §C.3).
SUMMARY_LIMIT_BYTES = 1024 * 1024
TRUNCATION_NOTE = "\n\n> **Report truncated**: the job summary holds at most 1024 KiB.{where}\n"


def on_github_actions(env: Mapping[str, str]) -> bool:
    """Whether we run inside a GitHub Actions job."""
    return env.get("GITHUB_ACTIONS") == "true"


def report_to_actions(
    report: RenderedReport, results: Sequence[PublishResult], *, env: Mapping[str, str]
) -> bool:
    """Job summary and step outputs for one team's report; False (nothing done) off Actions."""
    if not on_github_actions(env):
        return False
    url = next((r.url for r in results if r.url and not r.url.startswith("file:")), None)
    append_step_summary(report.github_markdown or report.markdown, env=env, url=url)
    write_outputs(build_outputs(report, results), env=env)
    return True


def build_outputs(report: RenderedReport, results: Sequence[PublishResult]) -> dict[str, str]:
    """The step outputs: report-url (web), report-path (a file), status (JSON), the figures."""
    web = [r.url for r in results if r.url and r.url.startswith(("https://", "http://"))]
    files = [r.url for r in results if r.url and r.url.startswith("file:")]
    outputs = {
        "report-url": web[0] if web else "",
        "report-path": str(Path(url2pathname(urlsplit(files[0]).path))) if files else "",
        "status": json.dumps(json.loads(report.json_text), separators=(",", ":")),
    }
    totals = report.totals
    if totals is not None:
        outputs["completed"] = _number(totals.completed)
        outputs["scope"] = _number(totals.scope)
        outputs["percent-complete"] = f"{totals.percent_complete:.1f}"
    return outputs


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def fit_summary(markdown: str, *, room: int, url: str | None = None) -> str:
    """`markdown` cut at a line boundary to `room` UTF-8 bytes, with a note if it was cut."""
    data = markdown.encode("utf-8")
    if len(data) <= room:
        return markdown
    note = TRUNCATION_NOTE.format(where=f" Full report: {url}" if url else "")
    budget = max(room - len(note.encode("utf-8")), 0)
    head = data[:budget].decode("utf-8", errors="ignore")
    if "\n" in head:
        head = head[: head.rindex("\n")]
    return head + note if budget else ""


def append_step_summary(
    markdown: str, *, env: Mapping[str, str], url: str | None = None
) -> Path | None:
    """Append the report to `$GITHUB_STEP_SUMMARY`, within 1024 KiB; None if not on Actions."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not on_github_actions(env) or not target:
        return None
    path = Path(target)
    used = path.stat().st_size if path.exists() else 0
    text = fit_summary(markdown.rstrip("\n") + "\n", room=SUMMARY_LIMIT_BYTES - used, url=url)
    _append(path, text, what="GITHUB_STEP_SUMMARY")
    return path


def write_outputs(outputs: Mapping[str, str], *, env: Mapping[str, str]) -> Path | None:
    """Append `name=value` lines to `$GITHUB_OUTPUT` (heredoc form for multi-line values)."""
    target = env.get("GITHUB_OUTPUT")
    if not on_github_actions(env) or not target:
        return None
    path = Path(target)
    _append(
        path,
        "".join(format_output(name, value) for name, value in outputs.items()),
        what="GITHUB_OUTPUT",
    )
    return path


def format_output(name: str, value: str) -> str:
    """One output in the file-command syntax; a random delimiter never found in the value."""
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
    while delimiter in value:  # pragma: no cover - 64 random bits
        delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def _append(path: Path, text: str, *, what: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise PublishError(
            f"{path}: cannot append to ${what} ({error.strerror})", service="GitHub Actions"
        ) from None
