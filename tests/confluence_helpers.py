"""Shared helpers for the Confluence sink tests: clients for the fake, small reports."""

from __future__ import annotations

from datetime import date

import httpx

from fakes.confluence import FakeConfluence
from report import sprint5_data as s5
from sprintsync.domain import RenderedReport
from sprintsync.http import RetryPolicy, RunBudget, build_client
from sprintsync.report.view import ReportView, build_report_view
from sprintsync.sinks.confluence import ConfluenceSink

DAY1 = date(2025, 1, 24)
DAY2 = date(2025, 1, 25)
TITLE = "Sprint 5 Daily Status Report"
NOTES_PLACEHOLDER = "<p><em>Team notes go here.</em></p>"
EVIL = '<script>alert(1)</script> & "Q&A"'


def make_client(
    fake: FakeConfluence, base_url: str, *, good_auth: bool = True
) -> httpx.AsyncClient:
    """A client like the CLI builds (retry policy with zero waits), auth for the fake's flavour."""
    budget = RunBudget(policy=RetryPolicy(max_wait_seconds=0, base_wait_seconds=0))
    if fake.flavor == "cloud":
        token = "cloud-token" if good_auth else "wrong-token"
        auth = httpx.BasicAuth("bot@acme.test", token)
        return build_client(service="confluence", base_url=base_url, budget=budget, auth=auth)
    pat = "dc-pat" if good_auth else "wrong-pat"
    return build_client(
        service="confluence",
        base_url=base_url,
        budget=budget,
        headers={"Authorization": f"Bearer {pat}"},
    )


def make_sink(
    client: httpx.AsyncClient, *, space: str = "ENG", deployment: str | None = None
) -> ConfluenceSink:
    """The sink as the CLI wires it."""
    return ConfluenceSink(
        client,
        space=space,
        title="{sprint} Daily Status Report",
        parent="111111",
        deployment=deployment,  # type: ignore[arg-type]
    )


def storage_for(days: list[str]) -> str:
    """A small storage body: one section per day, a status macro, the team notes placeholder."""
    sections = "".join(f"<h2>Day {n}</h2><p>{text}</p>" for n, text in enumerate(days, 1))
    lozenge = (
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green'
        '</ac:parameter><ac:parameter ac:name="title">On track</ac:parameter>'
        "</ac:structured-macro>"
    )
    return f"<p>{lozenge}</p>{sections}<h2>Team notes</h2>{NOTES_PLACEHOLDER}"


def report_for(days: list[str], as_of: date, *, storage: str | None = None) -> RenderedReport:
    """A rendered report for Sprint 5 as of `as_of`."""
    return RenderedReport(
        team="platform",
        sprint_id="42",
        sprint_name="Sprint 5",
        as_of=as_of,
        markdown="# unused",
        json_text="{}",
        storage=storage if storage is not None else storage_for(days),
    )


def sprint5_view() -> ReportView:
    """The Sprint 5 demo view as of January 25 2025."""
    return build_report_view(
        ledger=s5.ledger(),
        data=s5.sprint_data(),
        plan=s5.PLAN,
        reconciliation=s5.RECONCILIATION,
        team="platform",
        as_of=s5.AS_OF,
        working_days=s5.MON_TO_SAT,
    )
