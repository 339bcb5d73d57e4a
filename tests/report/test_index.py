from datetime import date

from sprintsync.report.index import IndexRow, render_index


def test_rows_escape_tracker_text_and_keep_one_cell_each():
    """Names pass md_text (a "|" stays in its cell); web links are kept, others made inert."""
    text = render_index(
        (
            IndexRow(team="web|ops", sprint="S *1*", percent_complete=50.0, blockers=0),
            IndexRow(
                team="api",
                sprint="S2",
                percent_complete=12.5,
                blockers=2,
                link="https://x.example/p?a=1",
            ),
            IndexRow(
                team="app", sprint="S3", percent_complete=0.0, blockers=0, link="../r/app one.md"
            ),
            IndexRow(team="bad", error="board 9: not found"),
            IndexRow(team="evil", sprint="S", link="javascript:alert(1)"),
        ),
        as_of=date(2026, 11, 20),
    )
    assert text.splitlines()[4:] == [
        "| web\\|ops | S \\*1\\* | 50% | 0 |  |",
        "| api | S2 | 12.5% | 2 | [report](https://x.example/p?a=1) |",
        "| app | S3 | 0% | 0 | [report](../r/app%20one.md) |",
        "| bad | failed: board 9: not found | | | |",
        "| evil | S |  |  | [report](javascript%3Aalert%281%29) |",
    ]
