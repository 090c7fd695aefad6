"""The dose on a date, and everything computed from it (docs/domain.md "Titration").

:func:`dose_on` is the one answer to "how much on day D?". The patient's tonight, the schedule
calendar, order quantities and sigs, and the chart's dose line all go through it, so they can
never disagree. Everything here is pure: no database access beyond a plan's prefetched steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError

# docs/domain.md "Titration": doses 0.5–9.0 mg, above 4.5 mg only with a recorded reason; steps 7–21 days.
MIN_DOSE_MG = Decimal("0.5")
HIGH_DOSE_MG = Decimal("4.5")
MAX_DOSE_MG = Decimal("9.0")
MIN_STEP_DAYS, MAX_STEP_DAYS = 7, 21
MAX_STEPS = 8


@dataclass(frozen=True)
class Step:
    dose_mg: Decimal
    days: int | None  # None: the maintenance step, open-ended


TEMPLATES: dict[str, list[Step]] = {
    "standard": [Step(Decimal("1.5"), 7), Step(Decimal("3.0"), 7), Step(Decimal("4.5"), None)],
    "sensitive": [
        Step(Decimal("0.5"), 14),
        Step(Decimal("1.0"), 14),
        Step(Decimal("1.5"), 14),
        Step(Decimal("3.0"), 14),
        Step(Decimal("4.5"), None),
    ],
    # After more than 7 days off LDN the patient starts low again, as at the first start.
    "restart": [Step(Decimal("1.5"), 7), Step(Decimal("3.0"), 7), Step(Decimal("4.5"), None)],
}

# docs/domain.md "Hold, stop and restart": after a stop of more than 7 days, the first step is at
# most 1.5 mg (the protocol starts low, 0.5–1.5 mg).
RESTART_AFTER_DAYS_OFF = 7
RESTART_MAX_FIRST_DOSE_MG = Decimal("1.5")


def fmt_amount(value: Decimal | float | int | None) -> str:
    """1.5 → "1.5", 3 → "3.0", 0.75 → "0.75": one decimal at least, two at most."""
    if value is None:
        return ""
    text = f"{Decimal(value):.2f}"
    return text[:-1] if text.endswith("0") else text


def steps_of(plan) -> list[Step]:
    return [Step(Decimal(s.dose_mg), s.days) for s in plan.steps.all()]


def validate_steps(steps: Sequence[Step], *, high_dose_reason: str = "") -> None:
    """Every rule a plan's steps must meet; all problems are reported together."""
    errors: list[str] = []
    if not steps:
        raise ValidationError("Add at least one step: the maintenance dose.")
    if len(steps) > MAX_STEPS:
        errors.append(f"A plan has at most {MAX_STEPS} steps.")
    for number, step in enumerate(steps, start=1):
        last = number == len(steps)
        if step.dose_mg > MAX_DOSE_MG:
            errors.append(f"Step {number}: {fmt_amount(step.dose_mg)} mg is above the 9.0 mg limit and is refused.")
        elif step.dose_mg < MIN_DOSE_MG:
            errors.append(f"Step {number}: the lowest dose is 0.5 mg.")
        if last and step.days is not None:
            errors.append(f"Step {number} is the maintenance step: leave its number of days empty.")
        if not last and (step.days is None or not MIN_STEP_DAYS <= step.days <= MAX_STEP_DAYS):
            errors.append(f"Step {number}: a titration step lasts {MIN_STEP_DAYS} to {MAX_STEP_DAYS} days.")
    if any(s.dose_mg > HIGH_DOSE_MG for s in steps) and not high_dose_reason.strip():
        errors.append("A dose above 4.5 mg needs a recorded reason.")
    if errors:
        raise ValidationError(errors)


def awaiting_arrival(plan) -> bool:
    """A plan that starts the day after the medicine arrives, which has not arrived yet: it has no
    dose on any day until then (``start_date`` is only a placeholder)."""
    return bool(getattr(plan, "starts_on_arrival", False)) and getattr(plan, "arrived_on", None) is None


def step_dose(plan, offset: int) -> Decimal | None:
    """The dose on day ``offset`` (0 = the first day) of the plan's steps."""
    for step in steps_of(plan):
        if step.days is None or offset < step.days:
            return step.dose_mg
        offset -= step.days
    return None


def dose_on(plan, day: dt.date) -> Decimal | None:
    """The dose (mg) ``plan`` prescribes on ``day``; None before it starts (or while it waits for
    the medicine to arrive), from the day it is put on hold or stopped (``paused_on``), or without
    a plan."""
    if plan is None or awaiting_arrival(plan) or day < plan.start_date:
        return None
    paused_on = getattr(plan, "paused_on", None)
    if paused_on is not None and day >= paused_on:
        return None
    return step_dose(plan, (day - plan.start_date).days)


def is_maintenance_on(plan, day: dt.date) -> bool:
    return plan is not None and day >= plan.maintenance_starts_on


def plan_in_effect_on(plans: Iterable, day: dt.date):
    """Of a patient's plan versions, the one that applies on ``day``: the newest version that has
    started by then. Versions never start before their predecessor (the service enforces it)."""
    in_effect = None
    for plan in sorted(plans, key=lambda p: p.version):
        if plan.start_date <= day:
            in_effect = plan
    return in_effect


def patient_dose_on(plans: Iterable, day: dt.date) -> Decimal | None:
    plans = list(plans)
    return dose_on(plan_in_effect_on(plans, day), day)


def step_start_dates(plan) -> list[dt.date]:
    days, current = [], plan.start_date
    for step in steps_of(plan):
        days.append(current)
        if step.days is not None:
            current += dt.timedelta(days=step.days)
    return days


NO_DOSE = Decimal("0")


def dose_changes(plans: Iterable, *, until: dt.date) -> list[tuple[dt.date, Decimal]]:
    """(day, mg) wherever the patient's dose changes, up to ``until``: the chart's step line and
    the follow-up schedule. A hold or stop is a change to :data:`NO_DOSE` (0 mg), so taking LDN
    again afterwards is a change even at the same dose."""
    plans = list(plans)
    days = {d for plan in plans for d in step_start_dates(plan)}
    days |= {plan.paused_on for plan in plans if getattr(plan, "paused_on", None)}
    changes, previous = [], None
    for day in sorted(d for d in days if d <= until):
        mg = patient_dose_on(plans, day)
        if mg is None:
            if previous not in (None, NO_DOSE):
                changes.append((day, NO_DOSE))
                previous = NO_DOSE
        elif mg != previous:
            changes.append((day, mg))
            previous = mg
    return changes


@dataclass(frozen=True)
class DoseSegment:
    """Consecutive days of one dose within a supply."""

    start: dt.date
    days: int
    dose_mg: Decimal
    is_maintenance: bool

    def as_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "days": self.days,
            "dose_mg": fmt_amount(self.dose_mg),
            "maintenance": self.is_maintenance,
        }

    @classmethod
    def from_json(cls, data: dict) -> DoseSegment:
        return cls(dt.date.fromisoformat(data["start"]), data["days"], Decimal(data["dose_mg"]), data["maintenance"])


def supply_segments(plan, *, start: dt.date, days: int) -> list[DoseSegment]:
    """The plan's doses day by day over a supply, grouped into runs of the same dose. A plan that
    waits for the medicine to arrive is counted from the supply's first day: the supply covers the
    schedule from its real start, whenever that is."""
    first_day = start if awaiting_arrival(plan) else plan.start_date
    if start < first_day:
        raise ValidationError({"supply_start": "The supply cannot start before the plan does."})
    maintenance_offset = sum(s.days or 0 for s in steps_of(plan)[:-1])
    segments: list[DoseSegment] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        mg = step_dose(plan, (day - first_day).days) if awaiting_arrival(plan) else dose_on(plan, day)
        maintenance = (day - first_day).days >= maintenance_offset
        last = segments[-1] if segments else None
        if last and last.dose_mg == mg and last.is_maintenance == maintenance:
            segments[-1] = DoseSegment(last.start, last.days + 1, mg, maintenance)
        else:
            segments.append(DoseSegment(day, 1, mg, maintenance))
    return segments


# --- per-dose amounts ------------------------------------------------------------------------

CENTI = Decimal("0.01")
MAX_CAPSULES_PER_DOSE = 6


def capsules_per_dose(dose_mg: Decimal, strength_mg: Decimal) -> int:
    """Whole capsules for a dose; a dose that is not a whole number of capsules is refused, since a
    patient cannot split a compounded capsule accurately."""
    units = Decimal(dose_mg) / Decimal(strength_mg)
    if units != units.to_integral_value():
        raise ValidationError(
            {
                "capsule_strength_mg": f"{fmt_amount(dose_mg)} mg is not a whole number of "
                f"{fmt_amount(strength_mg)} mg capsules. Choose a strength that divides every dose, or a liquid."
            }
        )
    if units > MAX_CAPSULES_PER_DOSE:
        raise ValidationError(
            {
                "capsule_strength_mg": f"{fmt_amount(dose_mg)} mg would be {int(units)} capsules at once; "
                f"choose a stronger capsule (at most {MAX_CAPSULES_PER_DOSE} a dose)."
            }
        )
    return int(units)


def ml_per_dose(dose_mg: Decimal, concentration_mg_per_ml: Decimal) -> Decimal:
    """Millilitres for a dose; refused unless an oral syringe can measure it (0.01 mL)."""
    volume = Decimal(dose_mg) / Decimal(concentration_mg_per_ml)
    if volume != volume.quantize(CENTI):
        raise ValidationError(
            {
                "concentration_mg_per_ml": f"{fmt_amount(dose_mg)} mg at {fmt_amount(concentration_mg_per_ml)} mg/mL "
                "is not a measurable volume. Choose a concentration that divides every dose (1 mg/mL always does)."
            }
        )
    return volume.quantize(CENTI)


def amount_words(dose_mg: Decimal, *, formulation: str, strength: Decimal) -> str:
    """ "2 capsules (3.0 mg)" or "1.5 mL (1.5 mg)"."""
    if formulation == "capsule":
        count = capsules_per_dose(dose_mg, strength)
        return f"{count} capsule{'s' if count != 1 else ''} ({fmt_amount(dose_mg)} mg)"
    return f"{fmt_amount(ml_per_dose(dose_mg, strength))} mL ({fmt_amount(dose_mg)} mg)"


WHEN_WORDS = {"bedtime": "at bedtime", "morning": "in the morning"}


def sig_for(segments: Sequence[DoseSegment], *, formulation: str, strength: Decimal, dosing_time: str) -> str:
    """Directions in plain words, e.g. "Take 1.5 mL (1.5 mg) by mouth at bedtime for 7 days, then
    take 3.0 mL (3.0 mg) by mouth at bedtime every day." The maintenance dose reads "every day"."""
    when = WHEN_WORDS[dosing_time]
    parts = []
    for index, segment in enumerate(segments):
        verb = "Take" if index == 0 else "then take"
        amount = amount_words(segment.dose_mg, formulation=formulation, strength=strength)
        if segment.is_maintenance and index == len(segments) - 1:
            length = "every day"
        else:
            length = f"for {segment.days} day{'s' if segment.days != 1 else ''}"
        parts.append(f"{verb} {amount} by mouth {when} {length}")
    return ", ".join(parts) + "."


@dataclass(frozen=True)
class QuantityLine:
    days: int
    per_dose: Decimal
    dose_mg: Decimal
    subtotal: Decimal


@dataclass(frozen=True)
class Quantity:
    lines: list[QuantityLine]
    exact_total: Decimal
    total: Decimal
    unit: str  # "capsules" or "mL"

    @property
    def rounded_up(self) -> bool:
        return self.total != self.exact_total

    def explanation(self) -> list[str]:
        """The arithmetic shown to physician and pharmacist, one line per dose."""
        unit_singular = "capsule" if self.unit == "capsules" else "mL"
        rows = []
        for line in self.lines:
            per = fmt_amount(line.per_dose) if self.unit == "mL" else str(int(line.per_dose))
            per_unit = unit_singular if self.unit == "mL" or line.per_dose == 1 else "capsules"
            total = fmt_amount(line.subtotal) if self.unit == "mL" else str(int(line.subtotal))
            rows.append(
                f"{line.days} day{'s' if line.days != 1 else ''} × {per} {per_unit} "
                f"({fmt_amount(line.dose_mg)} mg) = {total} {self.unit}"
            )
        exact = fmt_amount(self.exact_total) if self.unit == "mL" else str(int(self.exact_total))
        summary = f"Total: {exact} {self.unit}"
        if self.rounded_up:
            summary += f", rounded up to {int(self.total)} {self.unit} to dispense"
        rows.append(summary)
        return rows


def quantity_for(segments: Sequence[DoseSegment], *, formulation: str, strength: Decimal) -> Quantity:
    lines = []
    for segment in segments:
        if formulation == "capsule":
            per = Decimal(capsules_per_dose(segment.dose_mg, strength))
        else:
            per = ml_per_dose(segment.dose_mg, strength)
        lines.append(QuantityLine(segment.days, per, segment.dose_mg, per * segment.days))
    exact = sum((line.subtotal for line in lines), Decimal(0))
    # A liquid is dispensed in whole millilitres; rounding up keeps the patient from running short.
    total = exact if formulation == "capsule" else exact.to_integral_value(rounding=ROUND_CEILING)
    return Quantity(lines, exact, total, "capsules" if formulation == "capsule" else "mL")


def suggested_capsule_strength(doses: Iterable[Decimal]) -> Decimal | None:
    """The largest capsule strength that makes every dose a whole number of capsules (at most
    six), or None when only a liquid can give these doses."""
    doses = sorted({Decimal(d) for d in doses})
    if not doses:
        return None
    for strength in sorted({*doses, Decimal("1.0"), Decimal("0.5"), Decimal("0.25")}, reverse=True):
        try:
            for dose in doses:
                capsules_per_dose(dose, strength)
        except ValidationError:
            continue
        return strength
    return None
