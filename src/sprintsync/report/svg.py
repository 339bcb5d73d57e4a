"""The burndown as a standalone SVG image, hand-written from the view's burndown points (pure).

Three lines over the burndown's points (the "Start" point, then each shown day): the ideal
line (dashed), the points remaining and the scope (completed + remaining). Every point is a
circle carrying `data-series`, `data-date` and `data-value` (the exact figure, as in the JSON)
and a `<title>` tooltip; the y axis runs from 0 to the view's `y_max`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from sprintsync.report.model import BurndownPoint, ReportView
from sprintsync.report.storage import xml_chars
from sprintsync.report.text import format_points

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 40, 56
TICKS = 5
MAX_X_LABELS = 16
# (series name, legend text, colour, dash pattern or "", value of a point)
SERIES: tuple[tuple[str, str, str, str, Callable[[BurndownPoint], float]], ...] = (
    ("ideal", "Ideal", "#8c8c8c", "6 4", lambda p: p.ideal),
    ("remaining", "Remaining", "#1f6feb", "", lambda p: p.remaining),
    ("scope", "Scope", "#d1242f", "2 3", lambda p: p.scope),
)


def _text(value: object) -> str:
    return escape(str(xml_chars(str(value))))


def x_of(index: int, count: int) -> float:
    """The x coordinate of point `index` of `count` (one point sits in the middle)."""
    width = WIDTH - LEFT - RIGHT
    if count <= 1:
        return LEFT + width / 2
    return round(LEFT + index * width / (count - 1), 2)


def y_of(value: float, y_max: int) -> float:
    """The y coordinate of `value` on an axis from 0 (bottom) to `y_max` (top)."""
    height = HEIGHT - TOP - BOTTOM
    return round(TOP + height * (1 - value / max(y_max, 1)), 2)


def render_svg(view: ReportView) -> str:
    """The burndown chart as an SVG 1.1 document with a trailing newline."""
    points = view.burndown.points
    y_max = view.burndown.y_max
    title = f"{view.sprint.name} burndown (story points)"
    label = quoteattr(str(xml_chars(title)))
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={label} '
            'font-family="sans-serif" font-size="12">'
        ),
        f"<title>{_text(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="{TOP - 16}" font-size="15" font-weight="bold">{_text(title)}</text>',
        *_axes(points, y_max),
    ]
    for series in SERIES:
        parts += _series(points, y_max, series)
    parts += _legend()
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _axes(points: Sequence[BurndownPoint], y_max: int) -> list[str]:
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    found = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#333333"/>',
        f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333333"/>',
        (
            f'<text x="14" y="{TOP + (bottom - TOP) / 2}" text-anchor="middle" '
            f'transform="rotate(-90 14 {TOP + (bottom - TOP) / 2})">Story points</text>'
        ),
    ]
    for tick in range(TICKS + 1):
        value = y_max * tick / TICKS
        y = y_of(value, y_max)
        found.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#e5e5e5"/>'
            f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end">'
            f"{format_points(round(value, 1))}</text>"
        )
    step = max(1, -(-len(points) // MAX_X_LABELS))  # every point's label, at most 16 of them
    for index, point in enumerate(points):
        if index % step == 0 or index == len(points) - 1:
            x = x_of(index, len(points))
            found.append(
                f'<text x="{x}" y="{bottom + 18}" text-anchor="middle">{_text(point.label)}</text>'
            )
    return found


def _series(
    points: Sequence[BurndownPoint],
    y_max: int,
    series: tuple[str, str, str, str, Callable[[BurndownPoint], float]],
) -> list[str]:
    name, legend, colour, dash, value_of = series
    coords = [(x_of(i, len(points)), y_of(value_of(p), y_max)) for i, p in enumerate(points)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    line = " ".join(f"{x},{y}" for x, y in coords)
    found = [
        (
            f'<polyline data-series="{name}" points="{line}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
    ]
    for (x, y), point in zip(coords, points, strict=True):
        value = format_points(value_of(point))
        found.append(
            f'<circle data-series="{name}" data-date="{point.date.isoformat()}" '
            f'data-value="{value}" cx="{x}" cy="{y}" r="3" fill="{colour}">'
            f"<title>{_text(point.day_label)}: {legend} {value}</title></circle>"
        )
    return found


def _legend() -> list[str]:
    x = WIDTH - RIGHT + 20
    found = []
    for row, (_, legend, colour, dash, _value) in enumerate(SERIES):
        y = TOP + 10 + row * 22
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        found.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/><text x="{x + 30}" y="{y + 4}">{legend}</text>'
        )
    return found
