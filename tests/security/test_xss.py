"""Stored XSS: hostile text in every free-text field is shown escaped on every page that shows it."""

import pytest

from patients.checkins.services import checkin_record
from patients.intake.services import intake_review, intake_submit
from patients.tests.factories import PatientFactory, complete_intake
from patients.visits.services import appointment_book
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def assert_escaped(content: bytes, where: str) -> None:
    text = content.decode()
    assert "<script>alert" not in text, where
    assert "<img src=x onerror" not in text, where
    assert "&lt;script&gt;" in text, f"{where}: the hostile text is not shown at all"


@pytest.mark.django_db
def test_intake_and_check_in_text_is_escaped_everywhere(client):
    patient = PatientFactory(state=state("TX"))
    complete_intake(
        patient,
        submit=False,
        about={"legal_first_name": PAYLOAD[:60], "legal_last_name": "Smith", "city": PAYLOAD[:60]},
        conditions={"conditions": ["other"], "condition_other": PAYLOAD},
        medications={"other_medications": PAYLOAD},
        allergies={"no_known_allergies": False, "allergies": PAYLOAD},
    )
    sign_in(client, patient.user)
    assert_escaped(client.get("/intake/summary/").content, "intake summary")
    intake_submit(patient=patient)
    checkin_record(patient=patient, pain=3, enjoyment=3, activity=3, side_effects=["other"],
                            side_effect_other=PAYLOAD[:200], note=PAYLOAD)  # fmt: skip
    assert_escaped(client.get("/patient/").content, "patient dashboard")
    physician = PhysicianLicenseFactory(state=state("TX")).physician
    intake_review(patient=patient, physician=physician, decision="decline", note=PAYLOAD)
    assert_escaped(client.get("/patient/").content, "patient dashboard with review note")
    sign_in(client, physician)
    for path in (
        f"/clinic/patients/{patient.pk}/",
        "/clinic/patients/",
        f"/clinic/patients/?q={patient.legal_last_name}",
    ):
        assert_escaped(client.get(path).content, path)


@pytest.mark.django_db
def test_a_physicians_cancellation_note_is_escaped_for_both_sides(client):
    import time_machine

    from patients.tests.booking_helpers import MONDAY, give_hours, licensed_physician, local, ready_patient

    with time_machine.travel(MONDAY, tick=False):
        physician = licensed_physician("TX")
        give_hours(physician)
        patient = ready_patient()
        visit = appointment_book(
            patient=patient, physician=physician, starts_at=local(2026, 3, 3, 10), location_state=state("TX")
        )
        sign_in(client, physician)
        client.post(f"/clinic/appointments/{visit.pk}/cancel/", {"note": PAYLOAD})
        assert_escaped(client.get(f"/clinic/appointments/{visit.pk}/").content, "clinic visit page")
        sign_in(client, patient.user)
        assert_escaped(client.get("/patient/appointments/").content, "patient visits page")
