"""The indexed claim rule of `reconcile` against its plain definition (SEMANTICS §6)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sprintsync.domain import PlanItem, Timeline, TrackedIssue, WorkState
from sprintsync.reconcile import claim_issues

KEYS = ("A", "B", "C", "D", "E")
LABELS = ("x", "y", "z")
EPICS = ("E1", "E2")


def tracked(key: str, labels: tuple[str, ...], epic: str | None) -> TrackedIssue:
    """An issue with only the fields the claim rule reads."""
    return TrackedIssue(
        key=key,
        title=key,
        in_sprint=Timeline(initial=True),
        state=Timeline(WorkState.TODO),
        estimate=Timeline(1.0),
        labels=labels,
        epic=epic,
    )


def plain_claims(items, keys, issues):
    """§6 as written: the first item listing the key, else the first whose label/epic matches."""
    claims = {}
    for key in keys:
        listing = [item for item in items if key in item.issues]
        issue = issues.get(key)
        matching = [
            item
            for item in items
            if issue is not None
            and (
                any(label in issue.labels for label in item.labels)
                or (item.epic is not None and item.epic == issue.epic)
            )
        ]
        chosen = (listing or matching)[:1]
        if chosen:
            claims[key] = chosen[0].id
    return claims


subset = st.lists(st.sampled_from(KEYS), max_size=3, unique=True).map(tuple)
label_set = st.lists(st.sampled_from(LABELS), max_size=2, unique=True).map(tuple)
epic = st.none() | st.sampled_from(EPICS)
items = st.lists(st.tuples(subset, label_set, epic), max_size=6).map(
    lambda rows: [
        PlanItem(id=f"I{n}", title=f"I{n}", points=1.0, issues=listed, labels=tags, epic=e)
        for n, (listed, tags, e) in enumerate(rows)
    ]
)
issues = st.dictionaries(st.sampled_from(KEYS), st.tuples(label_set, epic)).map(
    lambda found: {key: tracked(key, *rest) for key, rest in found.items()}
)


@given(items=items, keys=subset, issues=issues)
def test_claims_equal_the_plain_first_match_rule(items, keys, issues):
    """Each key goes to the first item listing it, else the first sharing a label or epic."""
    assert claim_issues(items, keys, issues) == plain_claims(items, keys, issues)
