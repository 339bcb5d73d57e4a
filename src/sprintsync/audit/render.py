"""An audit as a plain-text table for people, and as JSON for machines (pure)."""

from __future__ import annotations

from typing import Any

from sprintsync.audit.explain import estimate_text
from sprintsync.audit.model import NO_AUTHOR, ChangeEntry, Difference, SprintAudit

AUDIT_JSON_VERSION = 1
HEADER = ("issue", "category (ours / Jira)", "added", "initial", "final", "")


def render_text(audit: SprintAudit) -> str:
    """The table of agreements, the totals, then every difference explained."""
    sprint = audit.sprint
    verdict = "agrees" if audit.agrees else f"{len(audit.differences)} difference(s)"
    lines = [f"Sprint {sprint.name} (id {sprint.id}, {sprint.state}): {verdict}", ""]
    table: list[tuple[str, ...]] = [HEADER]
    table += [
        (
            row.key,
            f"{row.ours_category} / {row.jira_category}",
            f"{_flag(row.ours_added)} / {_flag(row.jira_added)}",
            f"{estimate_text(row.ours_initial)} / {estimate_text(row.jira_initial)}",
            f"{estimate_text(row.ours_final)} / {estimate_text(row.jira_final)}",
            "ok" if row.agrees else "DIFFERS",
        )
        for row in audit.rows
    ]
    table += [
        (
            f"total {t.name}",
            t.basis,
            "",
            "",
            f"{t.ours:g} / {estimate_text(t.jira)}",
            "ok" if t.agrees else "DIFFERS",
        )
        for t in audit.totals
    ]
    lines += _columns(table)
    if audit.differences:
        lines += ["", "Differences (ours vs Jira):"]
        lines += [_difference_text(d) for d in audit.differences]
    lines += [f"Note: {note}" for note in audit.notes]
    return "\n".join(lines) + "\n"


def _flag(value: bool | None) -> str:  # noqa: FBT001 - a row's value
    return "-" if value is None else ("yes" if value else "no")


def _columns(table: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]


def _difference_text(difference: Difference) -> str:
    subject = difference.key or "total"
    text = (
        f"- {subject} {difference.aspect}: ours {difference.ours}, Jira {difference.jira}. "
        f"{difference.rule}: {difference.explanation}"
    )
    if difference.entry is not None:
        text += f"\n  changelog: {_entry_text(difference.entry)}"
    return text


def _entry_text(entry: ChangeEntry) -> str:
    if entry.time is None:
        return f"{entry.field} was {entry.after} from the start of its history (no change)"
    author = entry.author or NO_AUTHOR
    return (
        f"{entry.time.isoformat()} {entry.field}: {entry.before} -> {entry.after}; author {author}"
    )


def to_json(audit: SprintAudit) -> dict[str, Any]:
    """The audit as the `--json` document's entry for one sprint (docs/semantics.md)."""
    sprint = audit.sprint
    return {
        "sprint": {"id": sprint.id, "name": sprint.name, "state": sprint.state},
        "status": "agree" if audit.agrees else "differ",
        "issues": [
            {
                "key": r.key,
                "category": {"ours": r.ours_category, "jira": r.jira_category},
                "added": {"ours": r.ours_added, "jira": r.jira_added},
                "initial_estimate": {"ours": r.ours_initial, "jira": r.jira_initial},
                "final_estimate": {"ours": r.ours_final, "jira": r.jira_final},
                "agrees": r.agrees,
            }
            for r in audit.rows
        ],
        "totals": [
            {"name": t.name, "ours": t.ours, "jira": t.jira, "basis": t.basis, "agrees": t.agrees}
            for t in audit.totals
        ],
        "differences": [_difference_json(d) for d in audit.differences],
        "notes": list(audit.notes),
    }


def _difference_json(difference: Difference) -> dict[str, Any]:
    entry = difference.entry
    return {
        "issue": difference.key,
        "aspect": difference.aspect,
        "ours": difference.ours,
        "jira": difference.jira,
        "rule": difference.rule,
        "explanation": difference.explanation,
        "changelog": None
        if entry is None
        else {
            "time": None if entry.time is None else entry.time.isoformat(),
            "field": entry.field,
            "from": entry.before,
            "to": entry.after,
            "author": entry.author,
        },
    }
