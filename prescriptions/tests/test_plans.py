"""Titration plan services: every rule and refusal, versions, events, follow-ups and phases."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from patients.models import FollowUp, Patient, TreatmentPhase
from patients.tests.factories import PatientFactory, complete_intake
from portal.tests.factories import state
from prescriptions.dosing import Step, dose_on
from prescriptions.models import PlanEvent, TitrationPlan
from prescriptions.tasks import refresh_treatment_phases
from prescriptions.tests.factories import approve_intake, make_plan


def today_of(patient):
    return patient.today()


@pytest.mark.django_db
def test_starting_a_plan_records_the_event_schedules_the_follow_up_and_sets_titration(approved_patient, physician):
    start = today_of(approved_patient)
    plan = make_plan(approved_patient, physician, followup_due_in_days=10)
    assert (plan.version, plan.is_current, plan.template) == (1, True, "standard")
    assert [(s.dose_mg, s.days) for s in plan.steps.all()] == [(D("1.5"), 7), (D("3.0"), 7), (D("4.5"), None)]
    event = PlanEvent.objects.get(plan=plan)
    assert (event.kind, event.effective_on, event.dose_mg, event.actor) == ("start", start, D("1.5"), physician)
    followup = FollowUp.objects.get(patient=approved_patient, status="pending")
    assert (followup.reason, followup.due_on) == ("start", start + dt.timedelta(days=10))
    assert Patient.objects.get(pk=approved_patient.pk).treatment_phase == TreatmentPhase.TITRATION


@pytest.mark.django_db
def test_a_dose_change_makes_a_new_version_and_the_old_one_stays_readable(approved_patient, physician):
    v1 = make_plan(approved_patient, physician)
    change_on = today_of(approved_patient) + dt.timedelta(days=3)
    v2 = make_plan(
        approved_patient,
        physician,
        template="custom",
        steps=[Step(D("1.0"), 14), Step(D("3.0"), None)],
        start_date=change_on,
        note="Headache at 1.5 mg",
    )
    v1.refresh_from_db()
    assert (v1.is_current, v2.version, v2.is_current) == (False, 2, True)
    assert [s.dose_mg for s in v1.steps.all()] == [D("1.5"), D("3.0"), D("4.5")]  # unchanged
    event = PlanEvent.objects.get(plan=v2)
    assert (event.kind, event.previous_dose_mg, event.dose_mg) == ("dose_decrease", D("1.5"), D("1.0"))
    # The start has not been followed by a visit yet: its due date (the earlier one) still stands.
    followup = FollowUp.objects.get(patient=approved_patient)
    assert (followup.reason, followup.status) == ("start", "pending")
    assert followup.due_on == today_of(approved_patient) + dt.timedelta(days=14)


@pytest.mark.django_db
def test_increase_and_switch_to_morning_are_recorded_as_such(approved_patient, physician):
    make_plan(approved_patient, physician)
    day = today_of(approved_patient)
    up = make_plan(approved_patient, physician, template="custom", steps=[Step(D("3.0"), None)], start_date=day)
    assert PlanEvent.objects.get(plan=up).kind == "dose_increase"
    morning = make_plan(
        approved_patient,
        physician,
        template="custom",
        steps=[Step(D("3.0"), None)],
        start_date=day,
        dosing_time="morning",
        note="Vivid dreams",
    )
    assert PlanEvent.objects.get(plan=morning).kind == "timing_change"
    assert TitrationPlan.objects.filter(patient=approved_patient).count() == 3
    assert TitrationPlan.objects.filter(patient=approved_patient, superseded_at__isnull=True).get() == morning


@pytest.mark.django_db
def test_a_plan_that_starts_on_its_maintenance_dose_makes_the_patient_stable(approved_patient, physician):
    make_plan(approved_patient, physician, template="custom", steps=[Step(D("4.5"), None)])
    assert Patient.objects.get(pk=approved_patient.pk).treatment_phase == TreatmentPhase.STABLE


@pytest.mark.django_db
def test_a_dose_above_four_and_a_half_mg_needs_a_reason_and_above_nine_is_refused(approved_patient, physician):
    high = [Step(D("4.5"), 14), Step(D("6.0"), None)]
    with pytest.raises(ValidationError, match="needs a recorded reason"):
        make_plan(approved_patient, physician, template="custom", steps=high)
    plan = make_plan(approved_patient, physician, template="custom", steps=high, high_dose_reason="Partial response")
    assert plan.high_dose_reason == "Partial response"
    with pytest.raises(ValidationError, match="above the 9.0 mg limit"):
        make_plan(approved_patient, physician, template="custom", steps=[Step(D("9.5"), None)], high_dose_reason="x")
    assert TitrationPlan.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("days", [6, 22])
def test_titration_steps_last_seven_to_twenty_one_days(approved_patient, physician, days):
    with pytest.raises(ValidationError, match="7 to 21 days"):
        make_plan(approved_patient, physician, template="custom", steps=[Step(D("1.5"), days), Step(D("3.0"), None)])
    assert not TitrationPlan.objects.exists()
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_the_intake_must_be_approved_first(patient, physician):
    with pytest.raises(ValidationError, match="approve this patient's intake"):
        make_plan(patient, physician)
    complete_intake(patient)
    with pytest.raises(ValidationError, match="approve this patient's intake"):
        make_plan(patient, physician)
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_the_washout_holds_at_the_start_date_even_with_an_approval_override(patient, physician):
    # Tramadol yesterday: screening defers treatment 14 days after the last dose.
    last_dose = today_of(patient) - dt.timedelta(days=1)
    medications = {"takes_opioids": True, "opioid_names": "Tramadol", "opioid_last_dose": last_dose}
    approve_intake(patient, physician, medications=medications, override_reason="Stopped tramadol; taper done")
    deferred_until = patient.intake.deferred_until
    assert deferred_until == last_dose + dt.timedelta(days=14)
    with pytest.raises(ValidationError) as exc:
        make_plan(patient, physician, start_date=deferred_until - dt.timedelta(days=1))
    message = exc.value.message_dict["start_date"][0]
    assert f"{deferred_until:%B %-d, %Y}" in message and "even with an approval override" in message
    assert not TitrationPlan.objects.exists()
    assert make_plan(patient, physician, start_date=deferred_until).start_date == deferred_until


@pytest.mark.django_db
def test_a_deferral_extended_by_staff_moves_the_earliest_start(patient, physician):
    approve_intake(patient, physician)
    patient.intake.deferred_until = today_of(patient) + dt.timedelta(days=5)
    patient.intake.screening_outcome = "deferred"
    patient.intake.save()
    with pytest.raises(ValidationError, match="washout lasts until"):
        make_plan(patient, physician, override_reason="Last opioid dose confirmed 16 days ago")
    assert make_plan(patient, physician, start_date=today_of(patient) + dt.timedelta(days=5)).pk


@pytest.mark.django_db
def test_a_new_version_while_on_ldn_is_not_held_by_an_old_deferral(approved_patient, physician):
    make_plan(approved_patient, physician)
    approved_patient.intake.deferred_until = today_of(approved_patient) + dt.timedelta(days=10)
    approved_patient.intake.save()
    raised = make_plan(approved_patient, physician, start_date=today_of(approved_patient) + dt.timedelta(days=2),
                       template="custom", steps=[Step(D("3.0"), None)])  # fmt: skip
    assert raised.version == 2


@pytest.mark.django_db
def test_a_not_eligible_screening_needs_a_recorded_override(patient, physician):
    approve_intake(patient, physician)
    patient.intake.screening_outcome = "not_eligible"
    patient.intake.save()
    with pytest.raises(ValidationError, match="not eligible"):
        make_plan(patient, physician)
    assert make_plan(patient, physician, override_reason="Transplant team agrees").pk


@pytest.mark.django_db
def test_a_physician_without_a_license_in_the_patients_state_is_refused(approved_patient, outsider_physician):
    with pytest.raises(PermissionDenied):
        make_plan(approved_patient, outsider_physician)
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_start_date_and_follow_up_bounds(approved_patient, physician):
    today = today_of(approved_patient)
    with pytest.raises(ValidationError, match="Start between"):
        make_plan(approved_patient, physician, start_date=today - dt.timedelta(days=15))
    with pytest.raises(ValidationError, match="Start between"):
        make_plan(approved_patient, physician, start_date=today + dt.timedelta(days=91))
    for days in (6, 29):
        with pytest.raises(ValidationError, match="follow-up 7 to 28 days"):
            make_plan(approved_patient, physician, followup_due_in_days=days)
    make_plan(approved_patient, physician, start_date=today + dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="cannot start before the current one"):
        make_plan(approved_patient, physician, start_date=today)
    assert TitrationPlan.objects.count() == 1


@pytest.mark.django_db
def test_refresh_treatment_phases_marks_patients_who_reached_maintenance_as_stable(approved_patient, physician):
    plan = make_plan(approved_patient, physician)  # maintenance from day 14
    other = PatientFactory(state=state("TX"))
    approve_intake(other, physician)
    make_plan(other, physician, template="sensitive")  # maintenance from day 56
    start = plan.start_date
    with time_machine.travel(dt.datetime.combine(start + dt.timedelta(days=13), dt.time(12)), tick=False):
        assert refresh_treatment_phases() == 0
    with time_machine.travel(dt.datetime.combine(start + dt.timedelta(days=14), dt.time(18)), tick=False):
        assert refresh_treatment_phases.delay().get() == 1
        assert refresh_treatment_phases() == 0  # idempotent
    assert Patient.objects.get(pk=approved_patient.pk).treatment_phase == TreatmentPhase.STABLE
    assert Patient.objects.get(pk=other.pk).treatment_phase == TreatmentPhase.TITRATION
    event = PlanEvent.objects.get(kind="maintenance_reached")
    assert (event.plan, event.effective_on, event.dose_mg, event.actor) == (
        plan,
        start + dt.timedelta(days=14),
        D("4.5"),
        None,
    )


def test_the_phase_refresh_runs_daily_on_beat():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].startswith("prescriptions.tasks.")]
    assert entries == [{"task": "prescriptions.tasks.refresh_treatment_phases", "schedule": dt.timedelta(days=1)}]


@pytest.mark.django_db
def test_dose_on_reads_a_saved_plan(plan):
    plan = TitrationPlan.objects.prefetch_related("steps").get(pk=plan.pk)
    assert dose_on(plan, plan.start_date + dt.timedelta(days=7)) == D("3.0")
    assert plan.maintenance_starts_on == plan.start_date + dt.timedelta(days=14)


@pytest.mark.django_db
def test_no_new_plan_starts_in_a_state_no_longer_served(approved_patient, physician):
    approved_patient.state.active = False
    approved_patient.state.save()
    with pytest.raises(ValidationError, match="no longer serves"):
        make_plan(approved_patient, physician)
