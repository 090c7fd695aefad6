"""The safety journey in a real browser: a patient on a standard plan reports opioid use and a red
flag; they see what to do now and "do not take LDN"; the physician's clinic home shows the urgent
item first, the alert email says nothing about health, and resolving it resumes the plan with a new
follow-up due."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from e2e.conftest import ARTIFACTS, assert_accessible, assert_no_horizontal_scroll, sign_in, tap_score
from portal.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_opioid_use_and_a_red_flag_hold_ldn_until_the_physician_resumes_it(new_page, asgi_server):
    from patients.followups.services import followup_sync
    from patients.models import Appointment, CareItem, FollowUp, VisitType
    from patients.tests.factories import PatientFactory
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state
    from portal.tests.outbox import deliver_due
    from prescriptions.models import TitrationPlan
    from prescriptions.tests.factories import approve_intake, make_plan

    physician = PhysicianLicenseFactory(
        state=state("TX"), physician__email="safety.doctor@example.com", physician__last_name="Okafor"
    ).physician
    patient = PatientFactory(user=UserFactory(email="safety.patient@example.com"), state=state("TX"))
    approve_intake(patient, physician)
    make_plan(patient, physician, template="standard", start_date=patient.today() - dt.timedelta(days=10))
    seen = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)  # seen after the start and the first step
    Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.get(kind="follow_up"),
        location_state=state("TX"), starts_at=seen, ends_at=seen + dt.timedelta(minutes=20), status="completed",
    )  # fmt: skip
    followup_sync(patient=patient)
    base = asgi_server

    page = new_page(width=375, height=800)
    sign_in(page, base, patient.user.email, TEST_PASSWORD)
    page.goto(f"{base}/patient/checkins/new/")
    tap_score(page, "On average over the past week", 8)
    tap_score(page, "enjoying life", 8)
    tap_score(page, "general activity", 8)
    page.get_by_label("Severe: hard to get through").check()
    page.get_by_role("group", name=re.compile("opioid pain medicine")).get_by_label("Yes").check()
    page.get_by_label("If yes: which one?").fill("Oxycodone")
    page.get_by_label("If yes: the day you last took it").fill((patient.today() - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Severe or repeated vomiting").check()
    page.get_by_label("Chest pain").check()
    assert_no_horizontal_scroll(page, "safety check-in at 375 px")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="Get help now").wait_for()
    page.get_by_text("Call 911").first.wait_for()
    page.get_by_role("heading", name="Do not take LDN until your physician says so").wait_for()
    assert_accessible(page, "safety advice")
    page.get_by_role("link", name="Back to your dashboard").click()
    page.get_by_text("Do not take LDN until your physician says so").wait_for()
    assert page.get_by_text("Tonight's dose").count() == 0

    deliver_due()
    alerts = [m for m in mail.outbox if m.to == [physician.email]]
    assert [m.subject for m in alerts] == ["A patient needs attention in the portal"]
    text = (alerts[0].body + alerts[0].alternatives[0][0]).lower()
    for detail in ("oxycodone", "opioid", "chest", "vomit", "ldn", patient.legal_last_name.lower(), "peg"):
        assert detail not in text

    doctor = new_page()
    sign_in(doctor, base, physician.email, TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    doctor.goto(f"{base}/clinic/")
    first_heading = doctor.locator("main h2").first
    assert first_heading.inner_text().startswith("Waiting for you")
    assert_accessible(doctor, "clinic home with an urgent item")
    # The work list's first row is the urgent item; its one link opens it.
    doctor.get_by_role("link", name=f"Open the item: {patient.full_name}, urgent").first.click()
    doctor.get_by_text("Oxycodone").first.wait_for()
    doctor.get_by_label("Plan resumed").check()
    doctor.get_by_label("Note (what you decided and why)").fill(
        "Called: one dose after dental surgery. Resume after the washout."
    )
    ARTIFACTS.mkdir(exist_ok=True)
    doctor.screenshot(path=str(ARTIFACTS / "care-item.png"), full_page=True)
    doctor.get_by_role("button", name="Resolve").click()
    doctor.get_by_text("Resolved.").wait_for()

    item = CareItem.objects.get(patient=patient)
    assert item.resolution == "resumed" and item.resolved_by == physician
    current = TitrationPlan.objects.get(patient=patient, superseded_at__isnull=True)
    restart = patient.today() + dt.timedelta(days=13)  # 14 days after the dose reported yesterday
    assert current.start_date == restart and not current.is_paused
    followup = FollowUp.objects.get(patient=patient, status="pending")
    assert followup.due_on == restart + dt.timedelta(days=14)
