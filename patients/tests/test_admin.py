"""The Django admin cannot approve an intake around the physician's review; follow-ups are the
practice's recall list; staff change a patient's pharmacy with history."""

from __future__ import annotations

import datetime as dt

import pytest

from patients.models import FollowUp, Intake
from patients.tests.factories import PatientFactory, complete_intake, plan_started
from portal.models import AccessLog
from portal.tests.factories import AdminFactory, state
from portal.tests.signin import sign_in


@pytest.fixture
def admin_client(client):
    sign_in(client, AdminFactory())
    return client


@pytest.mark.django_db
def test_an_admin_cannot_approve_an_intake_or_change_its_screening(admin_client, patient):
    complete_intake(
        patient,
        history={"organ_transplant": True},
        medications={"takes_immunosuppressants": True, "immunosuppressant_names": "Tacrolimus"},
    )
    intake = Intake.objects.get(patient=patient)
    assert (intake.screening_outcome, intake.review_status) == ("not_eligible", "pending")
    page = admin_client.get(f"/admin/patients/intake/{intake.pk}/change/")
    assert page.status_code == 200 and 'name="review_status"' not in page.content.decode()
    response = admin_client.post(
        f"/admin/patients/intake/{intake.pk}/change/",
        {"review_status": "approved", "screening_outcome": "eligible", "override_reason": "admin says so"},
    )
    assert response.status_code == 403
    intake.refresh_from_db()
    assert (intake.screening_outcome, intake.review_status, intake.reviewed_by) == ("not_eligible", "pending", None)
    assert admin_client.get("/admin/patients/intake/add/").status_code == 403


@pytest.mark.django_db
def test_the_recall_list_filters_due_overdue_booked_by_state_and_physician(admin_client):
    today = dt.date.today()
    late = PatientFactory(state=state("TX"), legal_last_name="Latimer")
    soon = PatientFactory(state=state("GA"), legal_last_name="Soonford")
    plan_started(late, today - dt.timedelta(days=20))
    plan_started(soon, today - dt.timedelta(days=10))

    def names(query=""):
        page = admin_client.get(f"/admin/patients/followup/{query}")
        assert page.status_code == 200
        return [name for name in ("Latimer", "Soonford") if name in page.content.decode()]

    assert names() == ["Latimer", "Soonford"]
    assert names("?due=overdue") == ["Latimer"]
    assert names("?due=week") == ["Soonford"]
    assert names(f"?patient__state__id__exact={state('GA').pk}") == ["Soonford"]
    assert names("?status__exact=booked") == []
    assert admin_client.get("/admin/patients/followup/add/").status_code == 403
    followup = FollowUp.objects.get(patient=late)
    assert (
        admin_client.post(f"/admin/patients/followup/{followup.pk}/change/", {"due_on": "2030-01-01"}).status_code
        == 403
    )
    assert AccessLog.objects.filter(action="admin.patients.followup.list").exists()


@pytest.mark.django_db
def test_staff_change_a_patients_pharmacy_in_the_admin_and_the_change_is_kept(admin_client, patient):
    from prescriptions.models import PharmacyPreference
    from prescriptions.tests.factories import PharmacyFactory

    first, second = PharmacyFactory(name="First Compounding"), PharmacyFactory(name="Second Compounding")
    preference = PharmacyPreference.objects.create(patient=patient, pharmacy=first)
    response = admin_client.post(
        f"/admin/prescriptions/pharmacypreference/{preference.pk}/change/", {"pharmacy": second.pk}
    )
    assert response.status_code == 302
    preference.refresh_from_db()
    assert preference.pharmacy == second
    assert [h.pharmacy_id for h in preference.history.order_by("history_date")][-2:] == [first.pk, second.pk]
