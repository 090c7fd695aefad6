import pytest

from education.models import Article
from patients.models import TreatmentPhase
from patients.tests.factories import complete_intake
from portal.tests.signin import sign_in


@pytest.mark.django_db
@pytest.mark.parametrize("phase", [p.value for p in TreatmentPhase])
def test_dashboard_suggests_reading_for_the_patients_phase(client, patient, phase):
    patient.treatment_phase = phase
    patient.save()
    sign_in(client, patient.user)
    response = client.get("/patient/")
    reading = {"on-hold": "before-first-visit", "stopped": "before-first-visit"}.get(phase, phase)
    expected = Article.objects.for_phase(reading).filter(status="published")
    shown = [a for a in expected if f"/learn/{a.slug}/" in response.content.decode()]
    assert 2 <= len(shown) <= 3


@pytest.mark.django_db
def test_dashboard_says_what_to_do_next(client, patient):
    sign_in(client, patient.user)
    assert b"Start your intake" in client.get("/patient/").content
    complete_intake(patient)
    assert b"waiting for a physician" in client.get("/patient/").content


@pytest.mark.django_db
def test_dashboard_explains_a_state_no_longer_served(client, patient):
    complete_intake(patient)
    patient.state.active = False
    patient.state.save()
    sign_in(client, patient.user)
    assert b"We no longer serve Texas" in client.get("/patient/").content


@pytest.mark.django_db
def test_dashboard_query_count_is_bounded(client, patient, django_assert_max_num_queries):
    complete_intake(patient)
    sign_in(client, patient.user)
    # 15 before the getting-started checklist, which adds the patient's visits, the visit type and
    # the licensed physicians (their calendars, 4 more queries, only when some are licensed:
    # patients/tests/test_onboarding.py).
    with django_assert_max_num_queries(16):
        client.get("/patient/")
