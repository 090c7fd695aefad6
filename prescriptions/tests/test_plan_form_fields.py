"""The plan form shows only the fields that apply, and the server ignores a posted value of a field
that does not apply to the choices made (the page works without its script: every field shows)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from portal.tests.signin import sign_in
from prescriptions.models import TitrationPlan
from prescriptions.plans.forms import PlanForm, high_dose_reason_applies, steps_apply
from prescriptions.tests.factories import approve_intake, make_plan


def plan_form(patient, **changes) -> dict:
    """The plan form as posted for a standard liquid plan starting today."""
    return {
        "template": "standard",
        "formulation": "oral_liquid",
        "dosing_time": "bedtime",
        "start_mode": "date",
        "start_date": patient.today().isoformat(),
        "followup_due_in_days": 14,
        "steps-TOTAL_FORMS": 8,
        "steps-INITIAL_FORMS": 0,
        **changes,
    }


def url(patient) -> str:
    return f"/clinic/patients/{patient.pk}/plan/new/"


@pytest.mark.django_db
def test_the_page_groups_the_fields_and_marks_which_choice_each_group_depends_on(client, physician, approved_patient):
    sign_in(client, physician)
    content = client.get(url(approved_patient)).content.decode()
    for group in ("Schedule and medicine", "Start and follow-up", "Steps written by hand", "Reasons and notes"):
        assert f'<legend class="h5">{group}' in content
    assert 'data-applies-field="template" data-applies-value="custom"' in content
    assert 'data-applies-field="start_mode" data-applies-value="date"' in content
    assert "js/plan-form.js" in content and "defer" in content
    # Without script every field is in the page: nothing starts hidden.
    plan_form_markup = content.split('<form method="post" novalidate>', 1)[1].split("</form>", 1)[0]
    assert " hidden" not in plan_form_markup


@pytest.mark.django_db
def test_step_rows_are_ignored_when_a_template_is_chosen(client, physician, approved_patient):
    sign_in(client, physician)
    data = plan_form(approved_patient, **{"steps-0-dose_mg": "not a dose", "steps-0-days": "99"})
    response = client.post(url(approved_patient), data)
    assert response.status_code == 302
    plan = TitrationPlan.objects.get()
    assert [s.dose_mg for s in plan.step_list] == [D("1.5"), D("3.0"), D("4.5")]


@pytest.mark.django_db
def test_step_rows_are_checked_when_written_by_hand(client, physician, approved_patient):
    sign_in(client, physician)
    data = plan_form(approved_patient, template="custom", **{"steps-0-dose_mg": "not a dose"})
    response = client.post(url(approved_patient), data)
    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_a_high_dose_reason_is_not_kept_for_a_template_at_or_below_4_5_mg(client, physician, approved_patient):
    sign_in(client, physician)
    response = client.post(url(approved_patient), plan_form(approved_patient, high_dose_reason="Severe CRPS"))
    assert response.status_code == 302
    assert TitrationPlan.objects.get().high_dose_reason == ""


@pytest.mark.django_db
def test_a_high_dose_reason_is_kept_with_hand_written_steps_above_4_5_mg(client, physician, approved_patient):
    sign_in(client, physician)
    data = plan_form(
        approved_patient,
        template="custom",
        high_dose_reason="Severe CRPS; 4.5 mg helped partly.",
        **{"steps-0-dose_mg": "4.5", "steps-0-days": "14", "steps-1-dose_mg": "6.0"},
    )
    response = client.post(url(approved_patient), data)
    assert response.status_code == 302
    assert TitrationPlan.objects.get().high_dose_reason == "Severe CRPS; 4.5 mg helped partly."


@pytest.mark.django_db
def test_a_date_posted_with_a_start_on_arrival_is_ignored(client, physician, approved_patient):
    sign_in(client, physician)
    later = (approved_patient.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(url(approved_patient), plan_form(approved_patient, start_mode="arrival", start_date=later))
    assert response.status_code == 302
    plan = TitrationPlan.objects.get()
    assert plan.starts_on_arrival and plan.start_date == approved_patient.today()


@pytest.mark.django_db
def test_a_start_on_a_date_without_the_date_is_refused_with_a_clear_error(client, physician, approved_patient):
    sign_in(client, physician)
    response = client.post(url(approved_patient), plan_form(approved_patient, start_date=""))
    assert response.status_code == 200
    assert "Give the first day of the plan, or choose to start when the medicine arrives." in response.content.decode()
    assert not TitrationPlan.objects.exists()


@pytest.mark.django_db
def test_a_new_version_has_no_start_on_arrival_and_a_posted_one_is_ignored(client, physician, approved_patient):
    make_plan(approved_patient, physician)
    sign_in(client, physician)
    page = client.get(url(approved_patient)).content.decode()
    assert 'name="start_mode"' not in page and "First day of this version" in page
    data = plan_form(approved_patient, template="custom", start_mode="arrival", **{"steps-0-dose_mg": "4.5"})
    response = client.post(url(approved_patient), data)
    assert response.status_code == 302
    new = TitrationPlan.objects.get(superseded_at__isnull=True)
    assert new.version == 2 and not new.starts_on_arrival


@pytest.mark.django_db
def test_a_new_version_without_its_first_day_is_refused(client, physician, approved_patient):
    make_plan(approved_patient, physician)
    sign_in(client, physician)
    data = plan_form(approved_patient, template="custom", start_date="", **{"steps-0-dose_mg": "4.5"})
    response = client.post(url(approved_patient), data)
    assert response.status_code == 200
    assert "Give the first day of this version." in response.content.decode()
    assert TitrationPlan.objects.count() == 1


@pytest.mark.django_db
def test_a_clear_screening_has_no_override_field_and_a_posted_override_is_ignored(client, physician, approved_patient):
    sign_in(client, physician)
    assert 'name="override_reason"' not in client.get(url(approved_patient)).content.decode()
    response = client.post(url(approved_patient), plan_form(approved_patient, override_reason="No reason needed"))
    assert response.status_code == 302
    assert TitrationPlan.objects.get().screening_override_reason == ""


@pytest.mark.django_db
def test_a_not_eligible_screening_shows_the_override_field(client, physician, patient):
    approve_intake(
        patient,
        physician,
        override_reason="Transplant team agrees.",
        history={"organ_transplant": True},
        medications={"takes_immunosuppressants": True, "immunosuppressant_names": "Tacrolimus"},
    )
    sign_in(client, physician)
    assert 'name="override_reason"' in client.get(url(patient)).content.decode()
    response = client.post(url(patient), plan_form(patient, override_reason="Reviewed with the transplant team."))
    assert response.status_code == 302
    assert TitrationPlan.objects.get().screening_override_reason == "Reviewed with the transplant team."


def test_which_fields_apply_to_which_schedule():
    assert steps_apply("custom") and not steps_apply("standard") and not steps_apply(None)
    assert high_dose_reason_applies("custom")
    assert not any(high_dose_reason_applies(t) for t in ("standard", "sensitive", "restart"))


def test_the_form_clears_values_that_do_not_apply():
    form = PlanForm(
        {
            "template": "sensitive",
            "formulation": "capsule",
            "dosing_time": "morning",
            "start_mode": "arrival",
            "start_date": "2026-05-01",
            "followup_due_in_days": 14,
            "high_dose_reason": "not needed",
            "override_reason": "not asked",
        },
        screening_needs_override=False,
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (data["start_date"], data["high_dose_reason"], data["override_reason"]) == (None, "", "")
