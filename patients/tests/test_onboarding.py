"""The getting-started checklist on the patient's home: intake, first video visit, prescription,
delivery, first check-in, each marked in words ("Done", "Next", "Later"), with one primary button
for the next action, and gone once every step is done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.dashboard import selectors as onboarding_selectors
from patients.dashboard.selectors import Action, MedicationProgress, Step, onboarding_for
from patients.intake.services import intake_review
from patients.models import CheckIn
from patients.tests.booking_helpers import give_hours, licensed_physician, local, slot_value
from patients.tests.factories import appointment_at, complete_intake
from portal.models import ServiceState
from portal.tests.signin import sign_in
from prescriptions.models import StateDefaultPharmacy
from prescriptions.tests.factories import make_draft, make_plan, sign


def main_part(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def primary_buttons(response) -> list[str]:
    """The text of every primary button in the page's main part."""
    found = re.findall(
        r'<(?:a|button)[^>]*class="[^"]*\bbtn-primary\b[^"]*"[^>]*>(.*?)</(?:a|button)>', main_part(response), re.S
    )
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip() for text in found]


def checklist_states(response) -> list[str]:
    part = main_part(response)
    section = part[part.index('id="onboarding-heading"') :]
    return re.findall(
        r'<span class="badge[^"]*">(?:<span aria-hidden="true">[^<]*</span>)?(Done|Next|Later)</span>', section
    )


@pytest.fixture
def medication(monkeypatch):
    """Stands in for the prescriptions app's answer about the prescription and the delivery."""
    answer = {"progress": MedicationProgress()}
    monkeypatch.setattr(onboarding_selectors, "_medication_source", lambda patient: answer["progress"])
    return answer


@pytest.fixture
def seen(ready):
    """The patient had their first video visit last week."""
    physician, patient = ready
    appointment_at(patient, timezone.now() - dt.timedelta(days=7), physician=physician, status="completed")
    return patient


@pytest.mark.django_db
def test_a_new_patient_is_asked_to_start_the_intake_as_the_one_primary_action(client, patient):
    sign_in(client, patient.user)
    response = client.get("/patient/")
    assert b"Getting started" in response.content
    assert checklist_states(response) == ["Next", "Later", "Later", "Later", "Later"]
    assert primary_buttons(response) == ["Start your intake"]
    assert b'aria-current="step"' in response.content


@pytest.mark.django_db
def test_after_the_intake_the_primary_button_books_the_first_visit_at_the_next_open_time(client, ready):
    physician, patient = ready
    sign_in(client, patient.user)
    response = client.get("/patient/")
    assert checklist_states(response) == ["Done", "Next", "Later", "Later", "Later"]
    # Monday 09:00 in Chicago: the first time the booking page offers, after the two hours' notice.
    first = local(2026, 3, 2, 11, 15)
    assert primary_buttons(response) == ["Book your first video visit Next open time: Monday, March 2 at 11:15 AM CST"]
    link = f"/patient/appointments/book/?from=2026-03-02&day=2026-03-02&slot={slot_value(physician, first)}"
    assert f'href="{link.replace("&", "&amp;")}#confirm"'.encode() in response.content
    # the link opens the booking page with that time chosen, ready to confirm
    booking = client.get(link).content.decode()
    assert 'id="confirm"' in booking and slot_value(physician, first) in booking


@pytest.mark.django_db
def test_the_next_open_time_is_shown_in_the_patients_own_time_zone(client, ready):
    _physician, patient = ready
    patient.timezone = "America/New_York"
    patient.save(update_fields=["timezone"])
    sign_in(client, patient.user)
    assert primary_buttons(client.get("/patient/")) == [
        "Book your first video visit Next open time: Monday, March 2 at 12:15 PM EST"
    ]


@pytest.mark.django_db
def test_without_an_open_time_the_button_still_leads_to_booking(client, clock, patient):
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.get("/patient/")
    assert primary_buttons(response) == ["Book your first video visit"]
    assert b"Next open time" not in response.content


@pytest.mark.django_db
def test_a_booked_first_visit_needs_no_button_and_says_when_it_is(client, ready):
    physician, patient = ready
    appointment_at(patient, local(2026, 3, 4, 10), physician=physician)
    sign_in(client, patient.user)
    response = client.get("/patient/")
    assert checklist_states(response) == ["Done", "Next", "Later", "Later", "Later"]
    assert primary_buttons(response) == []
    assert b"Nothing to do for now: your first video visit is booked for" in response.content
    assert b"Wednesday, March 4 at 10:00 AM CST" in response.content


@pytest.mark.django_db
def test_a_visit_waiting_for_payment_makes_paying_the_next_action(ready, medication):
    _physician, patient = ready
    progress = onboarding_for(patient, payment_due=True)
    assert (progress.current, progress.action, progress.has_button) == (Step.FIRST_VISIT, Action.PAY, True)


@pytest.mark.django_db
def test_waiting_for_the_prescription_shows_no_button_and_explains(client, seen, medication):
    sign_in(client, seen.user)
    response = client.get("/patient/")
    assert checklist_states(response) == ["Done", "Done", "Next", "Later", "Later"]
    assert primary_buttons(response) == []
    assert b"your physician writes your" in response.content


@pytest.mark.django_db
def test_a_shipped_order_offers_tracking_the_delivery(client, seen, medication):
    medication["progress"] = MedicationProgress(
        prescribed=True,
        shipped=True,
        order_pk=7,
        tracking_url="https://tools.usps.com/go/TrackConfirmAction?tLabels=94",
    )
    sign_in(client, seen.user)
    response = client.get("/patient/")
    assert checklist_states(response) == ["Done", "Done", "Done", "Next", "Later"]
    assert primary_buttons(response) == ["Track your delivery"]
    assert b'href="https://tools.usps.com/go/TrackConfirmAction?tLabels=94"' in response.content


@pytest.mark.django_db
def test_a_medication_awaiting_arrival_leaves_the_primary_button_to_the_medication_card(seen, medication):
    medication["progress"] = MedicationProgress(prescribed=True, shipped=True, awaiting_arrival=True, order_pk=7)
    progress = onboarding_for(seen, payment_due=False)
    assert (progress.current, progress.action, progress.has_button) == (Step.DELIVERY, Action.CONFIRM_ARRIVAL, False)


@pytest.mark.django_db
def test_once_the_medication_is_there_the_first_check_in_is_next(client, seen, medication):
    medication["progress"] = MedicationProgress(prescribed=True, delivered=True)
    sign_in(client, seen.user)
    response = client.get("/patient/")
    assert checklist_states(response) == ["Done", "Done", "Done", "Done", "Next"]
    assert primary_buttons(response) == ["Do your first check-in"]


@pytest.mark.django_db
def test_the_checklist_is_gone_once_every_step_is_done(client, seen, medication):
    medication["progress"] = MedicationProgress(prescribed=True, delivered=True)
    CheckIn.objects.create(patient=seen, kind=CheckIn.Kind.WEEKLY, pain=4, enjoyment=4, activity=4)
    sign_in(client, seen.user)
    response = client.get("/patient/")
    assert b"Getting started" not in response.content
    assert len(primary_buttons(response)) <= 1


@pytest.mark.django_db
def test_a_declined_intake_shows_no_checklist(client, ready):
    physician, patient = ready
    intake_review(patient=patient, physician=physician, decision="decline", note="Not suitable.")
    sign_in(client, patient.user)
    response = client.get("/patient/")
    assert b"Getting started" not in response.content
    assert b"could not approve LDN treatment" in response.content


@pytest.mark.django_db
def test_a_signed_prescription_from_the_prescriptions_app_moves_the_patient_to_the_delivery(
    seen, physician, pharmacy_user
):
    StateDefaultPharmacy.objects.create(
        state=ServiceState.objects.get(code="TX"), pharmacy=pharmacy_user.pharmacy_membership.pharmacy
    )
    intake_review(patient=seen, physician=physician, decision="approve")
    seen.refresh_from_db()
    plan = make_plan(seen, physician, start_date=seen.today() + dt.timedelta(days=10))
    order = sign(make_draft(plan, physician), physician)
    seen.refresh_from_db()
    progress = onboarding_for(seen, payment_due=False)
    assert (progress.current, progress.action) == (Step.DELIVERY, Action.TRACK)
    assert progress.medication.order_pk == order.pk and progress.medication.prescribed


@pytest.mark.django_db
def test_the_home_reads_the_same_number_of_queries_however_many_physicians_and_visits(
    client, ready, django_assert_max_num_queries
):
    physician, patient = ready
    sign_in(client, patient.user)
    with CaptureQueriesContext(connection) as few:
        client.get("/patient/")
    assert len(few.captured_queries) <= 20
    for _ in range(3):
        other = licensed_physician("TX")
        give_hours(other)
        appointment_at(patient, timezone.now() - dt.timedelta(days=30), physician=other, status="cancelled")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/patient/")
    assert primary_buttons(response)[0].startswith("Book your first video visit")
