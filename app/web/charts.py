"""Charts as inline SVG, drawn on the server: no chart library, nothing to download, works without JS.

Every chart is an ``<svg role="img">`` with a ``<title>``; pages put the numbers in a table next to it
for screen readers. Colours come from CSS classes (``static/css/app.css``), so they follow the theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

PAD_LEFT, PAD_BOTTOM, PAD_TOP = 34, 20, 8


@dataclass(frozen=True)
class Series:
    """One row of values; ``css`` names its colour class; None values are gaps."""

    label: str
    values: Sequence[float | None]
    css: str


def _open(chart_id: str, title: str, width: int, height: int, css: str = "") -> str:
    return (
        f'<svg class="chart {css}" id="{chart_id}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    )


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def _axis(width: int, height: int, top_value: float, percent: bool) -> list[str]:
    label = f"{top_value:.0%}" if percent else f"{top_value:g}"
    base = height - PAD_BOTTOM
    return [
        f'<line class="axis" x1="{PAD_LEFT}" y1="{base}" x2="{width}" y2="{base}"/>',
        f'<line class="grid" x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{width}" y2="{PAD_TOP}"/>',
        f'<text class="tick" x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end">{label}</text>',
        f'<text class="tick" x="{PAD_LEFT - 4}" y="{base}" text-anchor="end">0</text>',
    ]


def _x_labels(labels: Sequence[str], x_of: list[float], height: int) -> list[str]:
    """Every label of a short axis; first, middle and last of a long one (readable at 375 px)."""
    if not labels:
        return []
    short = len(labels) <= 8
    picks = range(len(labels)) if short else sorted({0, len(labels) // 2, len(labels) - 1})
    anchors = {} if short else {0: "start", len(labels) - 1: "end"}
    return [
        f'<text class="tick" x="{x_of[i]:.1f}" y="{height - 4}" text-anchor="{anchors.get(i, "middle")}">'
        f"{escape(labels[i])}</text>"
        for i in picks
    ]


def bar_chart(
    chart_id: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 640,
    height: int = 180,
) -> Markup:
    """Stacked vertical bars, one per label."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    slot = (width - PAD_LEFT) / max(len(labels), 1)
    scale = (height - PAD_BOTTOM - PAD_TOP) / top
    parts = [_open(chart_id, title, width, height, "bars"), *_axis(width, height, top, False)]
    for i, label in enumerate(labels):
        y = float(height - PAD_BOTTOM)
        for s in series:
            value = s.values[i] or 0
            if value <= 0:
                continue
            h = value * scale
            y -= h
            parts.append(
                f'<rect class="{s.css}" x="{PAD_LEFT + i * slot + slot * 0.12:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.76:.1f}" height="{h:.1f}"><title>{escape(label)}: '
                f"{escape(s.label)} {value:g}</title></rect>"
            )
    centres = [PAD_LEFT + (i + 0.5) * slot for i in range(len(labels))]
    parts += _x_labels(labels, centres, height)
    return Markup("".join(parts) + "</svg>")


def line_chart(
    chart_id: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 640,
    height: int = 180,
) -> Markup:
    """Lines of shares in [0, 1] (e.g. retention); gaps where a value is None, a dot per point."""
    slot = (width - PAD_LEFT) / max(len(labels), 1)
    span = height - PAD_BOTTOM - PAD_TOP
    parts = [_open(chart_id, title, width, height, "lines"), *_axis(width, height, 1.0, True)]
    centres = [PAD_LEFT + (i + 0.5) * slot for i in range(len(labels))]
    for s in series:
        points = [
            (centres[i], PAD_TOP + (1 - v) * span, labels[i], v)
            for i, v in enumerate(s.values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(f'<polyline class="{s.css}" points="{path}"/>')
        parts += [
            f'<circle class="{s.css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
            f"<title>{escape(label)}: {v:.0%}</title></circle>"
            for x, y, label, v in points
        ]
    parts += _x_labels(labels, centres, height)
    return Markup("".join(parts) + "</svg>")


def proportions(chart_id: str, parts: Sequence[tuple[str, float, str]], *, title: str) -> Markup:
    """One bar split into (label, value, css) segments, e.g. card states."""
    total = sum(v for _, v, _ in parts) or 1
    x, rects = 0.0, []
    for label, value, css in parts:
        w = value / total * 100
        if w > 0:
            rects.append(
                f'<rect class="{css}" x="{x:.2f}" width="{w:.2f}" height="10">'
                f"<title>{escape(label)}: {value:g}</title></rect>"
            )
        x += w
    return Markup(
        f'<svg class="chart proportions" id="{chart_id}" viewBox="0 0 100 10" preserveAspectRatio="none" '
        f'role="img" aria-labelledby="{chart_id}-title"><title id="{chart_id}-title">{escape(title)}</title>'
        + "".join(rects)
        + "</svg>"
    )


def heat_level(count: int, top: int) -> int:
    """Colour level 0–4 of a day: 0 for none, then quarters of the busiest day (which gets 4)."""
    if count <= 0 or top <= 0:
        return 0
    return min(4, -(-4 * count // top))


def heatmap(
    chart_id: str,
    counts: dict[date, int],
    *,
    title: str,
    month_names: Sequence[str],
    day_names: Sequence[str] = (),
    cell: int = 11,
) -> Markup:
    """A calendar of days (columns are weeks starting Monday), coloured by number of reviews;
    ``day_names`` (Monday first) label every other row."""
    if not counts:
        return Markup("")
    first, last = min(counts), max(counts)
    start = first - timedelta(days=first.weekday())
    weeks = (last - start).days // 7 + 1
    step = cell + 2
    width, height = 28 + weeks * step, 16 + 7 * step
    top = max(counts.values())
    parts = [_open(chart_id, title, width, height, "heatmap")]
    parts += [
        f'<text class="tick" x="0" y="{16 + row * step + cell - 2}">{escape(day_names[row])}</text>'
        for row in (0, 2, 4)
        if row < len(day_names)
    ]
    for day, count in counts.items():
        week, weekday = (day - start).days // 7, day.weekday()
        parts.append(
            f'<rect class="h{heat_level(count, top)}" x="{28 + week * step}" y="{16 + weekday * step}" '
            f'width="{cell}" height="{cell}" rx="2"><title>{day.isoformat()}: {count}</title></rect>'
        )
        if day.day == 1 or day == first:
            parts.append(
                f'<text class="tick" x="{28 + week * step}" y="11">'
                f"{escape(month_names[day.month - 1])}</text>"
            )
    return Markup("".join(parts) + "</svg>")
