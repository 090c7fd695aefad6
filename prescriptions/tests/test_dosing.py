"""The one dose-on-a-date function and the arithmetic built on it (pure: no database)."""

import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from prescriptions.dosing import (
    TEMPLATES,
    DoseSegment,
    Step,
    capsules_per_dose,
    dose_changes,
    dose_on,
    fmt_amount,
    ml_per_dose,
    patient_dose_on,
    plan_in_effect_on,
    quantity_for,
    sig_for,
    suggested_capsule_strength,
    supply_segments,
    validate_steps,
)

START = dt.date(2026, 3, 2)


class FakeSteps(list):
    def all(self):
        return self


def fake_plan(steps, *, start=START, version=1, formulation="oral_liquid", dosing_time="bedtime"):
    """A stand-in with the attributes dose_on reads, so the rules are tested without a database."""
    rows = FakeSteps(SimpleNamespace(dose_mg=s.dose_mg, days=s.days) for s in steps)
    plan = SimpleNamespace(
        start_date=start, version=version, formulation=formulation, dosing_time=dosing_time, steps=rows
    )
    plan.maintenance_starts_on = start + dt.timedelta(days=sum(s.days or 0 for s in steps[:-1]))
    return plan


STANDARD = TEMPLATES["standard"]
SENSITIVE = TEMPLATES["sensitive"]


def test_templates_are_the_ones_in_the_design():
    assert [(s.dose_mg, s.days) for s in STANDARD] == [(D("1.5"), 7), (D("3.0"), 7), (D("4.5"), None)]
    assert [(s.dose_mg, s.days) for s in SENSITIVE] == [
        (D("0.5"), 14),
        (D("1.0"), 14),
        (D("1.5"), 14),
        (D("3.0"), 14),
        (D("4.5"), None),
    ]


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-1, None), (0, D("1.5")), (6, D("1.5")), (7, D("3.0")), (13, D("3.0")), (14, D("4.5")), (400, D("4.5"))],
)
def test_dose_on_each_step_boundary_of_the_standard_template(offset, expected):
    assert dose_on(fake_plan(STANDARD), START + dt.timedelta(days=offset)) == expected


def test_dose_on_without_a_plan_is_none():
    assert dose_on(None, START) is None


def test_a_new_version_takes_over_from_its_start_date_and_old_days_keep_their_dose():
    v1 = fake_plan(STANDARD, version=1)
    v2 = fake_plan([Step(D("3.0"), None)], start=START + dt.timedelta(days=10), version=2, dosing_time="morning")
    plans = [v2, v1]
    assert plan_in_effect_on(plans, START - dt.timedelta(days=1)) is None
    assert plan_in_effect_on(plans, START + dt.timedelta(days=9)) is v1
    assert patient_dose_on(plans, START + dt.timedelta(days=9)) == D("3.0")
    assert plan_in_effect_on(plans, START + dt.timedelta(days=10)) is v2
    assert patient_dose_on(plans, START + dt.timedelta(days=30)) == D("3.0")  # v1 would be at 4.5


def test_dose_changes_draw_the_step_line_up_to_a_day():
    v1 = fake_plan(STANDARD, version=1)
    v2 = fake_plan([Step(D("3.0"), None)], start=START + dt.timedelta(days=20), version=2)
    changes = dose_changes([v1, v2], until=START + dt.timedelta(days=60))
    assert changes == [
        (START, D("1.5")),
        (START + dt.timedelta(days=7), D("3.0")),
        (START + dt.timedelta(days=14), D("4.5")),
        (START + dt.timedelta(days=20), D("3.0")),
    ]
    assert dose_changes([v1], until=START + dt.timedelta(days=8)) == changes[:2]


@pytest.mark.parametrize(
    ("steps", "reason", "message"),
    [
        ([Step(D("0.4"), None)], "", "lowest dose is 0.5 mg"),
        ([Step(D("9.5"), None)], "because", "above the 9.0 mg limit and is refused"),
        ([Step(D("5.0"), None)], "", "above 4.5 mg needs a recorded reason"),
        ([Step(D("1.5"), 6), Step(D("3.0"), None)], "", "lasts 7 to 21 days"),
        ([Step(D("1.5"), 22), Step(D("3.0"), None)], "", "lasts 7 to 21 days"),
        ([Step(D("1.5"), None), Step(D("3.0"), None)], "", "lasts 7 to 21 days"),
        ([Step(D("1.5"), 7), Step(D("3.0"), 7)], "", "maintenance step: leave its number of days empty"),
        ([], "", "at least one step"),
        ([Step(D("1.0"), 7)] * 8 + [Step(D("1.0"), None)], "", "at most 8 steps"),
    ],
)
def test_step_rules_refuse_with_a_message(steps, reason, message):
    with pytest.raises(ValidationError) as exc:
        validate_steps(steps, high_dose_reason=reason)
    assert any(message in m for m in exc.value.messages)


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([Step(D("0.5"), 7), Step(D("9.0"), None)], "Partial response at 4.5 mg for 3 months"),
        ([Step(D("1.5"), 21), Step(D("4.5"), None)], ""),
        ([Step(D("4.5"), None)], ""),
    ],
)
def test_step_rules_accept_the_limits(steps, reason):
    validate_steps(steps, high_dose_reason=reason)


def test_supply_segments_group_days_of_one_dose_and_mark_maintenance():
    segments = supply_segments(fake_plan(STANDARD), start=START, days=30)
    assert segments == [
        DoseSegment(START, 7, D("1.5"), False),
        DoseSegment(START + dt.timedelta(days=7), 7, D("3.0"), False),
        DoseSegment(START + dt.timedelta(days=14), 16, D("4.5"), True),
    ]
    later = supply_segments(fake_plan(STANDARD), start=START + dt.timedelta(days=10), days=10)
    assert [(s.days, s.dose_mg) for s in later] == [(4, D("3.0")), (6, D("4.5"))]
    with pytest.raises(ValidationError):
        supply_segments(fake_plan(STANDARD), start=START - dt.timedelta(days=1), days=10)


def test_liquid_quantity_sig_and_arithmetic_for_the_standard_template():
    segments = supply_segments(fake_plan(STANDARD), start=START, days=30)
    quantity = quantity_for(segments, formulation="oral_liquid", strength=D("1.0"))
    # 7 × 1.5 + 7 × 3.0 + 16 × 4.5 = 10.5 + 21 + 72 = 103.5 mL, dispensed as 104 mL
    assert (quantity.exact_total, quantity.total, quantity.unit) == (D("103.5"), D("104"), "mL")
    assert quantity.explanation() == [
        "7 days × 1.5 mL (1.5 mg) = 10.5 mL",
        "7 days × 3.0 mL (3.0 mg) = 21.0 mL",
        "16 days × 4.5 mL (4.5 mg) = 72.0 mL",
        "Total: 103.5 mL, rounded up to 104 mL to dispense",
    ]
    assert sig_for(segments, formulation="oral_liquid", strength=D("1.0"), dosing_time="bedtime") == (
        "Take 1.5 mL (1.5 mg) by mouth at bedtime for 7 days, "
        "then take 3.0 mL (3.0 mg) by mouth at bedtime for 7 days, "
        "then take 4.5 mL (4.5 mg) by mouth at bedtime every day."
    )


def test_liquid_at_another_concentration_converts_mg_to_ml():
    segments = supply_segments(fake_plan(STANDARD), start=START, days=14)
    quantity = quantity_for(segments, formulation="oral_liquid", strength=D("1.5"))
    # 7 × 1.0 mL + 7 × 2.0 mL = 21 mL exactly: no rounding
    assert (quantity.total, quantity.rounded_up) == (D("21"), False)
    assert sig_for(segments, formulation="oral_liquid", strength=D("1.5"), dosing_time="morning") == (
        "Take 1.0 mL (1.5 mg) by mouth in the morning for 7 days, "
        "then take 2.0 mL (3.0 mg) by mouth in the morning for 7 days."
    )


def test_capsule_quantity_sig_and_arithmetic_for_the_standard_template():
    segments = supply_segments(fake_plan(STANDARD), start=START, days=30)
    quantity = quantity_for(segments, formulation="capsule", strength=D("1.5"))
    # 7 × 1 + 7 × 2 + 16 × 3 = 69 capsules
    assert (quantity.total, quantity.unit, quantity.rounded_up) == (D("69"), "capsules", False)
    assert quantity.explanation() == [
        "7 days × 1 capsule (1.5 mg) = 7 capsules",
        "7 days × 2 capsules (3.0 mg) = 14 capsules",
        "16 days × 3 capsules (4.5 mg) = 48 capsules",
        "Total: 69 capsules",
    ]
    assert sig_for(segments, formulation="capsule", strength=D("1.5"), dosing_time="bedtime") == (
        "Take 1 capsule (1.5 mg) by mouth at bedtime for 7 days, "
        "then take 2 capsules (3.0 mg) by mouth at bedtime for 7 days, "
        "then take 3 capsules (4.5 mg) by mouth at bedtime every day."
    )


def test_a_maintenance_only_supply_reads_every_day():
    segments = supply_segments(fake_plan([Step(D("4.5"), None)]), start=START, days=30)
    assert sig_for(segments, formulation="capsule", strength=D("4.5"), dosing_time="morning") == (
        "Take 1 capsule (4.5 mg) by mouth in the morning every day."
    )
    assert quantity_for(segments, formulation="capsule", strength=D("4.5")).total == 30


def test_a_dose_that_is_not_whole_capsules_is_refused():
    with pytest.raises(ValidationError, match="not a whole number of 2.0 mg capsules"):
        capsules_per_dose(D("3.0"), D("2.0"))
    with pytest.raises(ValidationError, match="at most 6 a dose"):
        capsules_per_dose(D("4.5"), D("0.5"))
    assert capsules_per_dose(D("4.5"), D("1.5")) == 3


def test_a_volume_a_syringe_cannot_measure_is_refused():
    with pytest.raises(ValidationError, match="not a measurable volume"):
        ml_per_dose(D("1.0"), D("3.0"))
    assert ml_per_dose(D("4.5"), D("2.0")) == D("2.25")


def test_suggested_capsule_strength_divides_every_dose_or_says_liquid():
    assert suggested_capsule_strength([D("1.5"), D("3.0"), D("4.5")]) == D("1.5")
    assert suggested_capsule_strength([D("4.5")]) == D("4.5")
    assert suggested_capsule_strength([s.dose_mg for s in SENSITIVE]) is None  # 4.5 mg = 9 × 0.5 mg


@pytest.mark.parametrize(("value", "text"), [(D("1.5"), "1.5"), (D("3"), "3.0"), (D("0.75"), "0.75"), (4, "4.0")])
def test_amounts_are_written_with_one_or_two_decimals(value, text):
    assert fmt_amount(value) == text
