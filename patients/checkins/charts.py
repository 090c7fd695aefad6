"""The PEG-over-time chart, drawn as inline SVG (no script, no CDN): its geometry is computed here,
its markup is a template.

It shows each check-in's PEG score, the baseline, the lines a 30 % and a 50 % improvement would
reach, and, when a dose history is given, the dose as a step line on a second axis."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

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


@dataclass(frozen=True)
class PlottedPoint:
    x: float
    y: float
    day: dt.date
    score: float


@dataclass(frozen=True)
class ReferenceLine:
    label: str
    y: float
    colour: str
    dash: str

    @property
    def text_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class AxisTick:
    value: float
    y: float

    @property
    def text_y(self) -> float:
        return round(self.y + 4, 1)


@dataclass(frozen=True)
class PegChart:
    """The chart's geometry: every coordinate the template
    (templates/patients/checkins/_peg_chart.html) draws, computed from the check-ins."""

    start: dt.date
    end: dt.date
    points: list[PlottedPoint]
    grid: list[AxisTick]  # PEG scores
    references: list[ReferenceLine]
    dose_path: str  # an SVG path of numbers only; empty without a dose history
    dose_labels: list[AxisTick]  # mg
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_width: int = WIDTH - LEFT - RIGHT
    plot_height: int = HEIGHT - TOP - BOTTOM
    plot_right: int = WIDTH - RIGHT
    x_label_y: int = HEIGHT - BOTTOM + 18
    legend_y: int = HEIGHT - 8
    middle_y: float = HEIGHT / 2
    score_label_x: int = LEFT - 8
    reference_label_x: int = LEFT + 6
    dose_label_x: int = WIDTH - RIGHT + 6

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


REFERENCES = (
    (1.0, "baseline", "#6c757d", "6 4"),
    (0.7, "30 % better", "#198754", "3 3"),
    (0.5, "50 % better", "#0f5132", "1 3"),
)


def peg_chart(
    points: list[ChartPoint],
    *,
    baseline: float | None,
    dose_steps: list[tuple[dt.date, float]] | None = None,
    max_dose: float = 9.0,
) -> PegChart | None:
    """The chart of ``points`` (None without any): PEG line, baseline and the 30 % and 50 %
    improvement lines, and the dose as a step line on a second axis when ``dose_steps`` is given."""
    if not points:
        return None
    days = [p.day for p in points] + [d for d, _ in dose_steps or []]
    start, end = min(days), max(days)
    if start == end:
        end = start + dt.timedelta(days=7)
    x = _x_scale(start, end)
    inner = HEIGHT - TOP - BOTTOM

    def y_dose(mg: float) -> float:
        return round(TOP + (1 - mg / max_dose) * inner, 1)

    dose_path, dose_labels = "", []
    if dose_steps:
        path, previous = [], None
        for day, mg in sorted(dose_steps):
            if previous is None:
                path.append(f"M{x(day)},{y_dose(mg)}")
            else:
                path.append(f"L{x(day)},{y_dose(previous)} L{x(day)},{y_dose(mg)}")
            previous = mg
        path.append(f"L{WIDTH - RIGHT},{y_dose(previous)}")
        dose_path = " ".join(path)
        dose_labels = [AxisTick(mg, y_dose(mg)) for mg in (0, max_dose / 2, max_dose)]
    references = [
        ReferenceLine(label, _y_peg(baseline * fraction), colour, dash)
        for fraction, label, colour, dash in (REFERENCES if baseline is not None else ())
    ]
    return PegChart(
        start=start,
        end=end,
        points=[PlottedPoint(x(p.day), _y_peg(p.score), p.day, p.score) for p in points],
        grid=[AxisTick(score, _y_peg(score)) for score in range(0, 11, 2)],
        references=references,
        dose_path=dose_path,
        dose_labels=dose_labels,
    )
