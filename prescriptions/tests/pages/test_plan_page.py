"""The physician's plan page: templates, steps by hand, refusals, and a change prefilled from the
current plan."""

from decimal import Decimal as D

import pytest

from portal.models import AccessLog
from portal.tests.signin import sign_in
from prescriptions.models import TitrationPlan
from prescriptions.orders import refills as refills


def standard_plan_form(patient, **changes) -> dict:
    """The plan form as posted for a standard capsule plan starting today."""
    return {
        "template": "standard",
        "formulation": "capsule",
        "dosing_time": "bedtime",
        "start_date": patient.today().isoformat(),
        "followup_due_in_days": 14,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
        **changes,
    }


@pytest.mark.django_db
def test_physician_starts_a_standard_plan_from_the_chart(client, physician, approved_patient):
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{approved_patient.pk}/plan/new/")
    assert b"Start a titration plan" in page.content and b"1.5 mg \xc3\x97 7 d" in page.content
    data = standard_plan_form(approved_patient, followup_due_in_days=21)
    response = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data)
    assert response.status_code == 302 and response["Location"] == f"/clinic/patients/{approved_patient.pk}/"
    plan = TitrationPlan.objects.get()
    assert (plan.formulation, plan.followup_due_in_days) == ("capsule", 21)
    assert AccessLog.objects.filter(action="plan.new", actor=physician).count() == 2


@pytest.mark.django_db
def test_a_hand_written_plan_with_a_bad_step_shows_the_error_and_saves_nothing(client, physician, approved_patient):
    sign_in(client, physician)
    data = {
        "template": "custom",
        "formulation": "oral_liquid",
        "dosing_time": "morning",
        "start_date": approved_patient.today().isoformat(),
        "followup_due_in_days": 14,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
        "steps-0-dose_mg": "1.0",
        "steps-0-days": "5",
        "steps-1-dose_mg": "9.5",
    }
    response = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data)
    assert response.status_code == 200
    assert "lasts 7 to 21 days" in response.content.decode()
    assert "above the 9.0 mg limit and is refused" in response.content.decode()
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_a_plan_for_an_unapproved_intake_is_refused_on_the_page(client, physician, patient):
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{patient.pk}/plan/new/")
    assert b"has not been approved yet" in page.content
    data = {
        "template": "standard",
        "formulation": "capsule",
        "dosing_time": "bedtime",
        "start_date": patient.today().isoformat(),
        "followup_due_in_days": 14,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
    }
    response = client.post(f"/clinic/patients/{patient.pk}/plan/new/", data)
    assert b"review and approve this patient&#x27;s intake" in response.content
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_the_change_form_is_prefilled_with_the_current_plan(client, physician, plan, approved_patient):
    sign_in(client, physician)
    response = client.get(f"/clinic/patients/{approved_patient.pk}/plan/new/")
    assert b"Saving makes version 2" in response.content
    initial = response.context["formset"].initial
    assert [row["dose_mg"] for row in initial] == [D("1.5"), D("3.0"), D("4.5")]


@pytest.mark.django_db
def test_a_start_before_the_washout_ends_is_refused_on_the_page_with_the_date(client, physician, approved_patient):
    import datetime as dt

    until = approved_patient.today() + dt.timedelta(days=4)
    approved_patient.intake.deferred_until = until
    approved_patient.intake.save()
    sign_in(client, physician)
    data = standard_plan_form(approved_patient)
    response = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data)
    assert response.status_code == 200
    assert f"The opioid washout lasts until {until:%B %-d, %Y}" in response.content.decode()
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_restarting_after_a_stop_is_refused_on_the_page_until_the_re_screen_then_until_a_low_step(
    client, physician, approved_patient
):
    import datetime as dt

    from patients.checkins.services import checkin_record
    from prescriptions.plans import services as plan_services
    from prescriptions.tests.factories import make_plan

    make_plan(approved_patient, physician, start_date=approved_patient.today() - dt.timedelta(days=12))
    plan_services.plan_pause(patient=approved_patient, kind="stop", reason="Wants a break", by=physician)
    sign_in(client, physician)
    later = (approved_patient.today() + dt.timedelta(days=9)).isoformat()
    data = standard_plan_form(approved_patient, template="custom", start_date=later, **{
        "steps-0-dose_mg": "4.5", "steps-0-days": ""})  # fmt: skip
    page = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data).content.decode()
    assert "must answer the opioid question again" in page
    checkin_record(patient=approved_patient, pain=4, enjoyment=4, activity=4, side_effects=[],
                   side_effect_severity="none", opioid_use=False)  # fmt: skip
    page = client.post(f"/clinic/patients/{approved_patient.pk}/plan/new/", data).content.decode()
    assert "starts low again" in page
    assert TitrationPlan.objects.filter(patient=approved_patient).count() == 1
