"""A first plan starts when the medicine arrives: day 1 is the day after the patient taps "My
medication arrived" or the pharmacy marks the order delivered, whichever comes first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from patients.models import FollowUp, Intake
from portal.tests.signin import sign_in
from prescriptions.dosing import dose_on
from prescriptions.models import PlanEvent, TitrationPlan
from prescriptions.plans import services as plan_services
from prescriptions.tests.factories import advance, make_draft, make_plan, sign


@pytest.fixture
def waiting(approved_patient, physician):
    return make_plan(approved_patient, physician, template="standard", start_on_arrival=True)


def current(patient):
    return TitrationPlan.objects.get(patient=patient, superseded_at__isnull=True)


@pytest.mark.django_db
def test_until_the_medicine_arrives_there_is_no_dose_no_follow_up_and_the_patient_is_told_to_wait(
    client, approved_patient, waiting
):
    today = approved_patient.today()
    assert all(dose_on(waiting, today + dt.timedelta(days=n)) is None for n in range(40))
    assert not FollowUp.objects.filter(patient=approved_patient).exists()
    sign_in(client, approved_patient.user)
    home = client.get("/patient/").content.decode()
    assert "Your medication is on its way — don't start yet." in home and "My medication arrived" in home
    assert "Tonight's dose" not in home


@pytest.mark.django_db
def test_the_patient_says_it_arrived_and_day_one_is_tomorrow_with_the_follow_up_from_it(
    client, approved_patient, waiting
):
    sign_in(client, approved_patient.user)
    response = client.post("/patient/medication-arrived/", follow=True)
    tomorrow = approved_patient.today() + dt.timedelta(days=1)
    assert f"Take your first dose on {tomorrow:%A, %B %-d}" in response.content.decode()
    plan = current(approved_patient)
    assert (plan.start_date, plan.arrived_on) == (tomorrow, approved_patient.today())
    assert dose_on(plan, tomorrow) == 1.5 and dose_on(plan, approved_patient.today()) is None
    assert PlanEvent.objects.get(plan=plan, kind="start").effective_on == tomorrow
    followup = FollowUp.objects.get(patient=approved_patient, status="pending")
    assert followup.due_on == tomorrow + dt.timedelta(days=14)


@pytest.mark.django_db
def test_the_pharmacy_marking_it_delivered_starts_the_plan_if_the_patient_did_not(
    approved_patient, physician, waiting, tx_pharmacy, pharmacy_user
):
    order = sign(make_draft(waiting, physician), physician)
    advance(order, pharmacy_user, "received", "in_review", "compounding", "shipped", "delivered")
    plan = current(approved_patient)
    assert plan.start_date == approved_patient.today() + dt.timedelta(days=1)
    # the patient's tap later changes nothing
    assert plan_services.plan_mark_arrived(patient=approved_patient, arrived_on=approved_patient.today()) is None


@pytest.mark.django_db
def test_an_order_for_a_waiting_plan_covers_the_schedule_from_its_first_day(approved_patient, physician, waiting):
    order = make_draft(waiting, physician, days_supply=30)
    # 7 × 1.5 + 7 × 3.0 + 16 × 4.5 = 103.5 mg, at 1 mg/mL rounded up to 104 mL
    assert [seg["dose_mg"] for seg in order.dose_segments] == ["1.5", "3.0", "4.5"]
    assert order.quantity == 104


@pytest.mark.django_db
def test_the_washout_moves_day_one_when_the_medicine_arrives_early(approved_patient, physician, waiting):
    until = approved_patient.today() + dt.timedelta(days=5)
    Intake.objects.filter(patient=approved_patient).update(deferred_until=until)
    plan = plan_services.plan_mark_arrived(patient=approved_patient, arrived_on=approved_patient.today())
    assert plan.start_date == until


@pytest.mark.django_db
def test_only_a_first_plan_starts_on_arrival(approved_patient, physician):
    make_plan(approved_patient, physician)
    with pytest.raises(ValidationError, match="Only a first plan starts when the medicine arrives"):
        make_plan(approved_patient, physician, start_on_arrival=True)


@pytest.mark.django_db
def test_the_plan_form_defaults_to_on_arrival_for_a_first_plan_and_saves_it(client, physician, approved_patient):
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{approved_patient.pk}/plan/new/")
    assert page.context["form"].initial["start_mode"] == "arrival"
    data = {
        "template": "standard", "formulation": "oral_liquid", "dosing_time": "bedtime", "start_mode": "arrival",
        "start_date": "", "followup_due_in_days": 14, "steps-TOTAL_FORMS": 8, "steps-INITIAL_FORMS": 0,
    }  # fmt: skip
    assert client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data).status_code == 302
    assert current(approved_patient).is_awaiting_arrival
    data["start_mode"] = "date"
    page = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data).content.decode()
    assert "Give the first day" in page
