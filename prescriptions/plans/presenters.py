"""What the patient's dose pages show, derived from loaded plans: the dose of the day, the month
calendar and the steps from today on. Pure functions over prefetched data (no queries)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from prescriptions.dosing import (
    NO_DOSE,
    amount_words,
    dose_changes,
    dose_on,
    fmt_amount,
    ml_per_dose,
    plan_in_effect_on,
)
from prescriptions.models import Formulation


@dataclass
class DoseToday:
    mg: Decimal | None
    ml: Decimal | None = None
    amount: str = ""
    dosing_time: str = "bedtime"
    next_change: tuple[dt.date, Decimal] | None = None
    starts_on: dt.date | None = None
    paused: str = ""  # "hold" or "stop" while the plan is held or stopped: no dose
    awaiting_arrival: bool = False  # the plan starts the day after the medicine arrives


def amount_for(dose: Decimal, plan, order) -> tuple[str, Decimal | None]:
    """The dose in the units of the patient's medication when an order tells us its strength."""
    if order is None or order.formulation != plan.formulation:
        return f"{fmt_amount(dose)} mg", None
    strength = order.capsule_strength_mg if order.is_capsule else order.concentration_mg_per_ml
    try:
        words = amount_words(dose, formulation=order.formulation, strength=strength)
        ml = ml_per_dose(dose, strength) if plan.formulation == Formulation.ORAL_LIQUID else None
    except ValidationError:
        return f"{fmt_amount(dose)} mg", None
    return words, ml


def dose_today(plans: list, today: dt.date, order=None, *, look_ahead_days: int = 60) -> DoseToday | None:
    """Tonight's dose (through ``dose_on``), the next change within ``look_ahead_days`` and, for a
    plan that has not started yet, its first day; while the plan is held or stopped, no dose and
    the kind of pause (and the day a resumed version starts, as the next change)."""
    if not plans:
        return None
    plan = plan_in_effect_on(plans, today)
    if plan is not None and plan.is_awaiting_arrival:
        return DoseToday(None, dosing_time=plan.dosing_time, awaiting_arrival=True)
    if plan is None:
        first = min(plans, key=lambda p: p.version)
        return DoseToday(None, dosing_time=first.dosing_time, starts_on=first.start_date)
    mg = dose_on(plan, today)
    if mg is None:  # held or stopped
        result = DoseToday(None, dosing_time=plan.dosing_time, paused=plan.pause_kind)
    else:
        amount, ml = amount_for(mg, plan, order)
        result = DoseToday(mg, ml, amount, plan.dosing_time)
    for offset in range(1, look_ahead_days + 1):
        day = today + dt.timedelta(days=offset)
        later_plan = plan_in_effect_on(plans, day)
        later = dose_on(later_plan, day)
        if later is not None and later != mg:
            result.next_change = (day, later)
            break
    return result


@dataclass
class CalendarDay:
    day: dt.date
    mg: Decimal | None
    amount: str
    is_today: bool
    changes: bool


@dataclass
class MonthCalendar:
    year: int
    month: int
    weeks: list[list[CalendarDay | None]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%B %Y")


def month_calendar(plans: list, year: int, month: int, *, today: dt.date, order=None) -> MonthCalendar:
    """A month of doses, one cell per day, weeks starting on Sunday; every dose from ``dose_on``."""
    result = MonthCalendar(year, month)
    previous_mg = None
    first = dt.date(year, month, 1)
    day_before = first - dt.timedelta(days=1)
    previous_plan = plan_in_effect_on(plans, day_before)
    previous_mg = dose_on(previous_plan, day_before)
    for week in calendar.Calendar(firstweekday=6).monthdatescalendar(year, month):
        row: list[CalendarDay | None] = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            plan = plan_in_effect_on(plans, day)
            mg = dose_on(plan, day)
            amount = amount_for(mg, plan, order)[0] if mg is not None else ""
            row.append(CalendarDay(day, mg, amount, day == today, mg is not None and mg != previous_mg))
            previous_mg = mg
        result.weeks.append(row)
    return result


EACH = {"bedtime": "each night", "morning": "each morning"}
PAUSE_WORDS = {"hold": "No dose: your plan is on hold", "stop": "No dose: your plan is stopped"}


@dataclass
class DoseStep:
    """Days of one dose, for the list of steps on phones: "Now – Sat Dec 12: 1.5 mg each night"."""

    start: dt.date
    end: dt.date | None  # the last day; None: from ``start`` on (the maintenance dose)
    mg: Decimal | None  # None: no dose (held or stopped)
    amount: str = ""  # "1.5 mg", "1.5 mL (1.5 mg)", "2 capsules (3.0 mg)"
    each: str = ""  # "each night", "each morning"
    pause: str = ""  # why there is no dose
    is_now: bool = False


def dose_steps(plans: list, today: dt.date, order=None, *, look_ahead_days: int = 366) -> list[DoseStep]:
    """The patient's doses from today on as steps, one per change of dose (``dose_changes``, so
    a hold or stop is a step without a dose); the step under way today first, then the next ones
    within ``look_ahead_days``. Amounts as everywhere else: in mL for an oral liquid once the
    pharmacy's order gives its strength."""
    changes = dose_changes(plans, until=today + dt.timedelta(days=look_ahead_days))
    steps: list[DoseStep] = []
    for index, (start, mg) in enumerate(changes):
        end = changes[index + 1][0] - dt.timedelta(days=1) if index + 1 < len(changes) else None
        if end is not None and end < today:
            continue
        plan = plan_in_effect_on(plans, start)
        step = DoseStep(start, end, None, each=EACH.get(plan.dosing_time, ""), is_now=start <= today)
        if mg == NO_DOSE:
            step.pause = PAUSE_WORDS.get(plan.pause_kind, "No dose")
        else:
            step.mg = mg
            step.amount = amount_for(mg, plan, order)[0]
        steps.append(step)
    return steps
