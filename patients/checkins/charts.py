"""The PEG-over-time chart, drawn as inline SVG (no script, no CDN): its geometry is computed here,
its markup is a template.

It shows each check-in's PEG score, the baseline, the lines a 30 % and a 50 % improvement would
reach, and, when a dose history is given, the dose as a step line on a second axis."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    """A drawing size. The SVG scales to its box, so each size keeps its text at ``font`` px or
    more where it is shown: the wide one from 576 px up (the chart column is 480 px or more), the
    narrow one on phones (a 375 px screen leaves about 320 px)."""

    key: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int
    score_ticks: tuple[int, ...]


WIDE = Frame("wide", 560, 300, 48, 60, 20, 52, font=14, score_ticks=(0, 2, 4, 6, 8, 10))
# Fewer score labels on a phone; the same font size in a smaller drawing.
NARROW = Frame("narrow", 340, 290, 46, 58, 18, 52, font=14, score_ticks=(0, 5, 10))


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


def _x_scale(start: dt.date, end: dt.date, frame: Frame):
    span = max((end - start).days, 1)
    inner = frame.width - frame.left - frame.right

    def x(day: dt.date) -> float:
        return round(frame.left + (day - start).days / span * inner, 1)

    return x


def _y_peg(score: float, frame: Frame) -> float:
    inner = frame.height - frame.top - frame.bottom
    return round(frame.top + (10 - score) / 10 * inner, 1)


@dataclass(frozen=True)
class PlottedPoint:
    x: float
    y: float
    day: dt.date
    score: float
    dose_mg: float | None = None  # the dose on that day, when a dose history is given

    @property
    def dose_text(self) -> str:
        """The dose as the table writes it: 0.75, 1.5, 3 ("" before the first dose)."""
        return "" if self.dose_mg is None else f"{self.dose_mg:g}"


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
        return round(self.y + 5, 1)


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
    frame: Frame = WIDE

    @property
    def key(self) -> str:
        return self.frame.key

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    @property
    def left(self) -> int:
        return self.frame.left

    @property
    def top(self) -> int:
        return self.frame.top

    @property
    def font(self) -> int:
        return self.frame.font

    @property
    def plot_width(self) -> int:
        return self.frame.width - self.frame.left - self.frame.right

    @property
    def plot_height(self) -> int:
        return self.frame.height - self.frame.top - self.frame.bottom

    @property
    def plot_right(self) -> int:
        return self.frame.width - self.frame.right

    @property
    def x_label_y(self) -> int:
        return self.frame.height - self.frame.bottom + self.frame.font + 6

    @property
    def legend_y(self) -> int:
        return self.frame.height - 8

    @property
    def middle_y(self) -> float:
        return (self.frame.height - self.frame.bottom + self.frame.top) / 2

    @property
    def axis_title_x(self) -> int:
        return self.frame.font

    @property
    def score_label_x(self) -> int:
        return self.frame.left - 6

    @property
    def reference_label_x(self) -> int:
        return self.frame.left + 6

    @property
    def dose_label_x(self) -> int:
        return self.frame.width - self.frame.right + 6

    @property
    def legend_dose_x(self) -> int:
        """Where the legend's dose entry starts: after "PEG score" at the chart's font size."""
        return 24 + 6 * self.frame.font

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


REFERENCES = (
    (1.0, "baseline", "#6c757d", "6 4"),
    (0.7, "30 % better", "#198754", "3 3"),
    (0.5, "50 % better", "#0f5132", "1 3"),
)


def _dose_on(dose_steps: list[tuple[dt.date, float]] | None, day: dt.date) -> float | None:
    """The dose of the last change on or before ``day`` (None before the first, or without a history)."""
    earlier = [mg for changed_on, mg in sorted(dose_steps or []) if changed_on <= day]
    return earlier[-1] if earlier else None


def peg_chart(
    points: list[ChartPoint],
    *,
    baseline: float | None,
    dose_steps: list[tuple[dt.date, float]] | None = None,
    max_dose: float = 9.0,
    frame: Frame = WIDE,
) -> PegChart | None:
    """The chart of ``points`` (None without any): PEG line, baseline and the 30 % and 50 %
    improvement lines, and the dose as a step line on a second axis when ``dose_steps`` is given,
    drawn in ``frame`` (:data:`WIDE` or :data:`NARROW`)."""
    if not points:
        return None
    days = [p.day for p in points] + [d for d, _ in dose_steps or []]
    start, end = min(days), max(days)
    if start == end:
        end = start + dt.timedelta(days=7)
    x = _x_scale(start, end, frame)
    inner = frame.height - frame.top - frame.bottom

    def y_dose(mg: float) -> float:
        return round(frame.top + (1 - mg / max_dose) * inner, 1)

    dose_path, dose_labels = "", []
    if dose_steps:
        path, previous = [], None
        for day, mg in sorted(dose_steps):
            if previous is None:
                path.append(f"M{x(day)},{y_dose(mg)}")
            else:
                path.append(f"L{x(day)},{y_dose(previous)} L{x(day)},{y_dose(mg)}")
            previous = mg
        path.append(f"L{frame.width - frame.right},{y_dose(previous)}")
        dose_path = " ".join(path)
        dose_labels = [AxisTick(mg, y_dose(mg)) for mg in (0, max_dose / 2, max_dose)]
    references = [
        ReferenceLine(label, _y_peg(baseline * fraction, frame), colour, dash)
        for fraction, label, colour, dash in (REFERENCES if baseline is not None else ())
    ]
    return PegChart(
        start=start,
        end=end,
        points=[
            PlottedPoint(x(p.day), _y_peg(p.score, frame), p.day, p.score, _dose_on(dose_steps, p.day)) for p in points
        ],
        grid=[AxisTick(score, _y_peg(score, frame)) for score in frame.score_ticks],
        references=references,
        dose_path=dose_path,
        dose_labels=dose_labels,
        frame=frame,
    )
