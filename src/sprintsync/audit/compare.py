"""Our ledger against Jira's Sprint Report, issue by issue and total by total (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sprintsync.audit.explain import (
    category_reason,
    estimate_entry,
    estimate_text,
    sprint_entry,
)
from sprintsync.audit.model import (
    ABSENT,
    EXCLUDED_SUBTASK,
    Difference,
    IssueRow,
    SprintAudit,
    TotalRow,
)
from sprintsync.domain import IssueLedger, Ledger, Outcome, SprintData, TrackedIssue
from sprintsync.domain.jira_report import JiraReportIssue, JiraSprintReport
from sprintsync.domain.points import total

# SEMANTICS §4, each total's rule as the table states it.
TOTAL_RULES = {
    "committed": "Σ initial_estimate of issues in S at t0 not Done at t0",
    "committed (incl. done at start)": "Σ initial_estimate of issues in S at t0",
    "completed": "Σ final_estimate of completed issues",
    "remaining": "Σ final_estimate of not_completed issues",
    "removed": "Σ removed_estimate of removed issues",
    "completed_outside": "Σ final_estimate of completed_outside issues",
    "scope": "completed + remaining",
}
LIST_OF_TOTAL = {
    "completed": Outcome.COMPLETED,
    "remaining": Outcome.NOT_COMPLETED,
    "removed": Outcome.REMOVED,
    "completed_outside": Outcome.COMPLETED_OUTSIDE,
}
ORDER_HINT = (
    " Jira evaluates completed before removed (API-NOTES A.5.5); SEMANTICS §3 puts removed first."
)


def same(ours: float | None, jira: float | None) -> bool:
    """Equal point values; unestimated counts as 0 (SEMANTICS §1)."""
    return total([ours or 0.0]) == total([jira or 0.0])


@dataclass(frozen=True)
class _Sides:
    ledger: Ledger
    tracked: dict[str, TrackedIssue]
    report: JiraSprintReport

    @property
    def sprint_id(self) -> str:
        return self.ledger.sprint.id


def compare(ledger: Ledger, data: SprintData, report: JiraSprintReport) -> SprintAudit:
    """Every issue and total of `ledger` (built from `data`) against Jira's `report`."""
    sides = _Sides(ledger=ledger, tracked={i.key: i for i in data.issues}, report=report)
    ours = {verdict.key: verdict for verdict in ledger.issues}
    jira: dict[str, JiraReportIssue] = {}
    for entry in report.issues:
        jira.setdefault(entry.key, entry)
    keys = list(dict.fromkeys([*ours, *jira]))
    rows: list[IssueRow] = []
    differences: list[Difference] = []
    for key in keys:
        row, found = _compare_issue(sides, key, ours.get(key), jira.get(key))
        rows.append(row)
        differences.extend(found)
    totals = _totals(sides, ours.values(), jira.values())
    differences.extend(_total_differences(totals, differences, jira.values()))
    return SprintAudit(
        sprint=ledger.sprint,
        rows=tuple(rows),
        totals=tuple(totals),
        differences=tuple(differences),
        notes=report.notes,
    )


def _ours_final(verdict: IssueLedger) -> float | None:
    if verdict.outcome is Outcome.REMOVED:
        return verdict.removed_estimate
    return None if verdict.unestimated else verdict.final_estimate


def _compare_issue(
    sides: _Sides, key: str, verdict: IssueLedger | None, entry: JiraReportIssue | None
) -> tuple[IssueRow, list[Difference]]:
    if verdict is None:
        return _only_in_jira(sides, key, entry)
    ours_added = verdict.added_after_start
    ours_final = _ours_final(verdict)
    if entry is None:
        row = IssueRow(
            key, verdict.outcome.value, ABSENT, ours_added, None,
            verdict.initial_estimate, None, ours_final, None, agrees=False,
        )  # fmt: skip
        return row, [_only_ours(sides, verdict)]
    jira_added = key in sides.report.added
    found = [
        *_category(sides, verdict, entry),
        *_added(sides, verdict, jira_added=jira_added),
        *_initial(sides, verdict, entry),
        *_final(sides, verdict, entry, ours_final),
    ]
    row = IssueRow(
        key, verdict.outcome.value, entry.category.value, ours_added, jira_added,
        verdict.initial_estimate, entry.initial_estimate, ours_final, entry.final_estimate,
        agrees=not found,
    )  # fmt: skip
    return row, found


def _only_in_jira(
    sides: _Sides, key: str, entry: JiraReportIssue | None
) -> tuple[IssueRow, list[Difference]]:
    assert entry is not None  # noqa: S101 - the key came from one of the two sides
    cutoff, sprint_id = sides.ledger.cutoff, sides.sprint_id
    issue = sides.tracked.get(key)
    if key in sides.ledger.excluded_subtasks:
        ours, rule = EXCLUDED_SUBTASK, "SEMANTICS §1"
        why = "sub-tasks are left out of every figure unless count_subtasks: true"
        change = None
    elif issue is not None:
        ours, rule = ABSENT, "SEMANTICS §2"
        why = f"sprint {sprint_id} was not in its Sprint field at any moment in [t0, T]"
        change = sprint_entry(issue, sprint_id, until=cutoff, into=True)
    else:
        ours, rule = ABSENT, "SEMANTICS §2"
        why = (
            f"the source returned no issue {key}: no Sprint history it read names sprint "
            f"{sprint_id} (searched: sprint = {sprint_id}, and the board's filter for removals)"
        )
        change = None
    difference = Difference(
        key, "category", ours, entry.category.value, rule, f"§{rule[-1]}: {why}", change
    )
    row = IssueRow(
        key, ours, entry.category.value, None, key in sides.report.added,
        None, entry.initial_estimate, None, entry.final_estimate, agrees=False,
    )  # fmt: skip
    return row, [difference]


def _only_ours(sides: _Sides, verdict: IssueLedger) -> Difference:
    issue = sides.tracked[verdict.key]
    return Difference(
        verdict.key,
        "category",
        verdict.outcome.value,
        ABSENT,
        "SEMANTICS §2",
        f"§2: sprint {sides.sprint_id} was in its Sprint field within [t0, T] "
        f"(it entered at {verdict.entered.isoformat()}), so it belongs to the report",
        sprint_entry(issue, sides.sprint_id, until=verdict.entered, into=True),
    )


def _category(sides: _Sides, verdict: IssueLedger, entry: JiraReportIssue) -> list[Difference]:
    if verdict.outcome is entry.category:
        return []
    issue = sides.tracked[verdict.key]
    why, change = category_reason(
        verdict, issue, sprint_id=sides.sprint_id, cutoff=sides.ledger.cutoff
    )
    pair = {verdict.outcome, entry.category}
    if pair == {Outcome.REMOVED, Outcome.COMPLETED}:
        why += ORDER_HINT
    return [
        Difference(
            verdict.key,
            "category",
            verdict.outcome.value,
            entry.category.value,
            "SEMANTICS §3",
            why,
            change,
        )
    ]


def _added(sides: _Sides, verdict: IssueLedger, *, jira_added: bool) -> list[Difference]:
    if verdict.added_after_start is jira_added:
        return []
    issue, start = sides.tracked[verdict.key], sides.ledger.sprint.start
    if verdict.added_after_start:
        why = f"§3 added_after_start: not in the sprint at t0 ({start.isoformat()}); entered later"
        change = sprint_entry(issue, sides.sprint_id, until=verdict.entered, into=True)
    else:
        why = f"§3 added_after_start: already in the sprint at t0 ({start.isoformat()})"
        change = sprint_entry(issue, sides.sprint_id, until=start, into=True)
    return [
        Difference(
            verdict.key,
            "added",
            _yes(verdict.added_after_start),
            _yes(jira_added),
            "SEMANTICS §3",
            why,
            change,
        )
    ]


def _initial(sides: _Sides, verdict: IssueLedger, entry: JiraReportIssue) -> list[Difference]:
    if same(verdict.initial_estimate, entry.initial_estimate):
        return []
    issue = sides.tracked[verdict.key]
    return [
        Difference(
            verdict.key,
            "initial_estimate",
            estimate_text(verdict.initial_estimate),
            estimate_text(entry.initial_estimate),
            "SEMANTICS §3",
            f"§3 initial_estimate = the estimate when it entered ({verdict.entered.isoformat()})",
            estimate_entry(issue, until=verdict.entered),
        )
    ]


def _final(
    sides: _Sides, verdict: IssueLedger, entry: JiraReportIssue, ours: float | None
) -> list[Difference]:
    if same(ours, entry.final_estimate):
        return []
    issue, cutoff = sides.tracked[verdict.key], sides.ledger.cutoff
    if verdict.outcome is Outcome.REMOVED:
        left = sprint_entry(issue, sides.sprint_id, until=cutoff, into=False).time or cutoff
        why = f"§3 removed_estimate = the estimate when it left the sprint ({left.isoformat()})"
        change = estimate_entry(issue, until=left)
    else:
        why = f"§3 final_estimate = the estimate at T ({cutoff.isoformat()})"
        change = estimate_entry(issue, until=cutoff)
    return [
        Difference(
            verdict.key,
            "final_estimate",
            estimate_text(ours),
            estimate_text(entry.final_estimate),
            "SEMANTICS §3",
            why,
            change,
        )
    ]


def _yes(flag: bool) -> str:  # noqa: FBT001 - a plain value
    return "yes" if flag else "no"


def _totals(
    sides: _Sides, ours: Iterable[IssueLedger], jira: Iterable[JiraReportIssue]
) -> list[TotalRow]:
    verdicts, entries = list(ours), list(jira)
    report, figures = sides.report, sides.ledger.totals
    rows: list[TotalRow] = []
    if report.velocity_estimated is not None:
        rows.append(_row("committed", figures.committed, report.velocity_estimated, "velocity"))
    else:
        mine = total(v.initial_estimate for v in verdicts if not v.added_after_start)
        theirs = total(e.initial_estimate or 0.0 for e in entries if e.key not in report.added)
        basis = "Sprint Report: Σ initial of issues not added (velocity does not list the sprint)"
        rows.append(_row("committed (incl. done at start)", mine, theirs, basis))
    ours_sums = {
        "completed": figures.completed,
        "remaining": figures.remaining,
        "removed": figures.removed,
        "completed_outside": figures.completed_outside,
    }
    for name, value in ours_sums.items():
        if name in report.sums:
            rows.append(_row(name, value, report.sums[name] or 0.0, "Sprint Report sum"))
    if "completed" in report.sums and "remaining" in report.sums:
        scope = total([report.sums["completed"] or 0.0, report.sums["remaining"] or 0.0])
        rows.append(_row("scope", figures.scope, scope, "Sprint Report: completed + not completed"))
    if report.velocity_completed is not None:
        rows.append(_row("completed", figures.completed, report.velocity_completed, "velocity"))
    return rows


def _row(name: str, ours: float, jira: float, basis: str) -> TotalRow:
    return TotalRow(name=name, ours=ours, jira=jira, basis=basis, agrees=same(ours, jira))


def _total_differences(
    totals: list[TotalRow], issue_differences: list[Difference], jira: Iterable[JiraReportIssue]
) -> list[Difference]:
    entries = list(jira)
    keys = sorted({d.key for d in issue_differences if d.key is not None})
    found = []
    for row in totals:
        if row.agrees:
            continue
        why = f"§4 {row.name} = {TOTAL_RULES[row.name]} (compared with {row.basis})."
        outcome = LIST_OF_TOTAL.get(row.name)
        listed = (
            total(e.final_estimate or 0.0 for e in entries if e.category is outcome)
            if outcome is not None and row.basis == "Sprint Report sum"
            else None
        )
        if listed is not None and not same(listed, row.jira):
            why += f" Jira's own list adds up to {listed:g}: its sum disagrees with its list."
        elif keys:
            why += f" It follows from the issue differences above: {', '.join(keys)}."
        else:
            why += " No issue-level difference explains it."
        found.append(
            Difference(
                None,
                row.name,
                f"{row.ours:g}",
                estimate_text(row.jira),
                "SEMANTICS §4",
                why,
            )
        )
    return found
