"""render_svg: a valid SVG burndown whose points are the JSON's figures; the .svg file sink."""

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from ledger_helpers import DONE, done_at, issue
from report.sections_helpers import utc, view_of
from report.sprint5_data import seed_view
from sprintsync.compose import formats_needed
from sprintsync.config import FileSinkConfig
from sprintsync.domain import RenderedReport
from sprintsync.report.json_report import render_json
from sprintsync.report.markdown import render_markdown
from sprintsync.report.sections import SectionOptions
from sprintsync.report.svg import render_svg, y_of
from sprintsync.sinks.file import FileSink

SVG = "{http://www.w3.org/2000/svg}"
OFF = SectionOptions()


def parse(text):
    """The SVG's root element (xml.etree refuses anything that is not well-formed)."""
    return ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own output


def series(root, name):
    """(date, value) of each point of one series."""
    return [
        (c.get("data-date"), float(c.get("data-value")))
        for c in root.iter(f"{SVG}circle")
        if c.get("data-series") == name
    ]


def scope_change_view():
    """Eight working days (ideal steps of 75/8), a completion, an add and a re-estimate."""
    issues = (
        issue("A", points=25.0, moves=done_at(utc(27))),
        issue("B", points=25.0, repoints=((utc(28), 30.0),)),
        issue("C", points=25.0),
        issue("D", member=False, joins=((utc(29), True),), points=5.0),
    )
    return view_of(*issues, as_of=date(2025, 1, 30), options=OFF)


def test_svg_parses_and_its_points_are_the_json_figures():
    """Start at the commitment, then each reported day's ideal, remaining and scope (JSON)."""
    view = scope_change_view()
    root = parse(render_svg(view))
    assert root.tag == f"{SVG}svg"
    days = [d for d in json.loads(render_json(view))["days"] if d["reported"]]
    committed = json.loads(render_json(view))["totals"]["committed"]
    start = view.sprint.start.isoformat()
    assert series(root, "remaining") == [(start, committed)] + [
        (d["date"], d["remaining"]) for d in days
    ]
    assert series(root, "scope") == [(start, committed)] + [(d["date"], d["scope"]) for d in days]
    ideal = series(root, "ideal")
    assert [day for day, _ in ideal] == [start] + [d["date"] for d in days]
    assert [round(v, 4) for _, v in ideal[1:]] == [round(d["ideal_remaining"], 4) for d in days]


def test_svg_polylines_run_through_the_circles():
    """Each series' polyline has one vertex per point, at the y of its value."""
    view = scope_change_view()
    root = parse(render_svg(view))
    y_max = view.burndown.y_max
    for line in root.iter(f"{SVG}polyline"):
        name = line.get("data-series")
        vertices = [tuple(map(float, v.split(","))) for v in line.get("points").split()]
        values = [value for _, value in series(root, name)]
        assert [y for _, y in vertices] == [pytest.approx(y_of(v, y_max), abs=0.01) for v in values]
        xs = [x for x, _ in vertices]
        assert xs == sorted(xs)
    assert {line.get("data-series") for line in root.iter(f"{SVG}polyline")} == {
        "ideal",
        "remaining",
        "scope",
    }


def test_svg_escapes_the_sprint_name():
    """A sprint name with markup stays text in the SVG."""
    view = seed_view()
    named = replace(view, sprint=replace(view.sprint, name='<script>"x" & y</script>'))
    text = render_svg(named)
    root = parse(text)
    assert root.find(f"{SVG}title").text == '<script>"x" & y</script> burndown (story points)'
    assert "<script>" not in text


def test_ideal_labels_are_rounded_and_one_point_is_singular():
    """75 points over 8 working days: the ideal shows "65.6", not "65.625"; "(1 point)"."""
    view = scope_change_view()
    assert [p.ideal_text for p in view.burndown.points] == [
        "75",
        "65.6",
        "56.3",
        "46.9",
        "37.5",
        "28.1",
    ]
    done = issue("ONE", points=1.0, moves=((utc(27), DONE),))
    text = render_markdown(view_of(done, issue("B"), as_of=date(2025, 1, 27), options=OFF))
    assert "Title of ONE (1 point)" in text
    assert "(1 points)" not in text


async def test_an_svg_file_destination_writes_the_chart(tmp_path):
    """A `.svg` file destination asks for the SVG and the file sink writes it, once."""
    config = FileSinkConfig(type="file", path="out/sprint-5.svg")
    assert formats_needed([config], on_actions=False)["needs_svg"]
    svg = render_svg(seed_view())
    report = RenderedReport(
        team="t",
        sprint_id="5",
        sprint_name="Sprint 5",
        as_of=date(2025, 1, 25),
        markdown="",
        json_text="",
        svg=svg,
    )
    sink = FileSink(path=tmp_path / "sprint-5.svg")
    assert (await sink.publish(report)).changed
    assert not (await sink.publish(report)).changed
    assert (tmp_path / "sprint-5.svg").read_text(encoding="utf-8") == svg
