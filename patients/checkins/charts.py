"""The PEG-over-time chart, drawn as inline SVG by our own code (no script, no CDN).

It shows each check-in's PEG score, the baseline, the lines a 30 % and a 50 % improvement would
reach, and, when a dose history is given, the dose as a step line on a second axis."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 48, 56, 20, 44


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    score: float


def chart_points(checkins, zone_name: str) -> list[ChartPoint]:
    """One point per check-in on the day it was recorded in ``zone_name`` (the patient's zone: the
    dose steps beside them are the patient's days too). The UTC date would put an evening
    check-in in Texas on the next day."""
    zone = zoneinfo.ZoneInfo(zone_name)
    return [ChartPoint(c.recorded_at.astimezone(zone).date(), c.score) for c in checkins]


def _x_scale(start: dt.date, end: dt.date):
    span = max((end - start).days, 1)
    inner = WIDTH - LEFT - RIGHT

    def x(day: dt.date) -> float:
        return round(LEFT + (day - start).days / span * inner, 1)

    return x


def _y_peg(score: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return round(TOP + (10 - score) / 10 * inner, 1)


def peg_chart_svg(
    points: list[ChartPoint],
    *,
    baseline: float | None,
    dose_steps: list[tuple[dt.date, float]] | None = None,
    max_dose: float = 9.0,
) -> str:
    """Return SVG markup. Every value drawn is a number or a date formatted here; nothing that a
    user typed reaches the markup."""
    if not points:
        return ""
    days = [p.day for p in points] + [d for d, _ in dose_steps or []]
    start, end = min(days), max(days)
    if start == end:
        end = start + dt.timedelta(days=7)
    x = _x_scale(start, end)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="peg-chart-title peg-chart-desc" class="peg-chart">',
        '<title id="peg-chart-title">PEG pain score over time</title>',
        f'<desc id="peg-chart-desc">{len(points)} check-ins from {start:%b %-d, %Y} to {end:%b %-d, %Y}; '
        "lower is better. The table below lists the same values.</desc>",
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{HEIGHT - TOP - BOTTOM}" '
        'fill="#fff" stroke="#adb5bd"/>',
    ]
    for score in range(0, 11, 2):
        y = _y_peg(score)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#e9ecef"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4}" font-size="12" text-anchor="end">{score}</text>')
    parts.append(
        f'<text x="14" y="{HEIGHT / 2}" font-size="12" transform="rotate(-90 14 {HEIGHT / 2})" '
        'text-anchor="middle">PEG score (0–10)</text>'
    )
    for day, anchor in ((start, "start"), (end, "end")):
        label_y = HEIGHT - BOTTOM + 18
        parts.append(f'<text x="{x(day)}" y="{label_y}" font-size="12" text-anchor="{anchor}">{day:%b %-d, %Y}</text>')
    if baseline is not None:
        for fraction, label, colour, dash in (
            (1.0, "baseline", "#6c757d", "6 4"),
            (0.7, "30 % better", "#198754", "3 3"),
            (0.5, "50 % better", "#0f5132", "1 3"),
        ):
            y = _y_peg(baseline * fraction)
            parts.append(
                f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{colour}" '
                f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
            )
            parts.append(f'<text x="{LEFT + 6}" y="{y - 4}" font-size="11" fill="{colour}">{escape(label)}</text>')
    if dose_steps:
        inner = HEIGHT - TOP - BOTTOM

        def y_dose(mg: float) -> float:
            return round(TOP + (1 - mg / max_dose) * inner, 1)

        path, previous = [], None
        for day, mg in sorted(dose_steps):
            if previous is None:
                path.append(f"M{x(day)},{y_dose(mg)}")
            else:
                path.append(f"L{x(day)},{y_dose(previous)} L{x(day)},{y_dose(mg)}")
            previous = mg
        path.append(f"L{WIDTH - RIGHT},{y_dose(previous)}")
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="#6f42c1" stroke-width="2"/>')
        for mg in (0, max_dose / 2, max_dose):
            parts.append(
                f'<text x="{WIDTH - RIGHT + 6}" y="{y_dose(mg) + 4}" font-size="11" fill="#6f42c1">{mg:g} mg</text>'
            )
    line = " ".join(f"{x(p.day)},{_y_peg(p.score)}" for p in points)
    parts.append(f'<polyline points="{line}" fill="none" stroke="#0d6efd" stroke-width="2.5"/>')
    for p in points:
        parts.append(
            f'<circle cx="{x(p.day)}" cy="{_y_peg(p.score)}" r="4" fill="#0d6efd">'
            f"<title>{p.day:%b %-d, %Y}: PEG {p.score:g}</title></circle>"
        )
    parts.append(
        f'<g font-size="12" transform="translate({LEFT},{HEIGHT - 8})">'
        '<line x1="0" y1="-4" x2="18" y2="-4" stroke="#0d6efd" stroke-width="2.5"/>'
        '<text x="24" y="0">PEG score</text>'
        + (
            '<line x1="110" y1="-4" x2="128" y2="-4" stroke="#6f42c1" stroke-width="2"/>'
            '<text x="134" y="0">dose (mg)</text>'
            if dose_steps
            else ""
        )
        + "</g>"
    )
    parts.append("</svg>")
    return "".join(parts)
