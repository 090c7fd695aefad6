"""Whole journeys through the portal, as people would take them, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from e2e.conftest import ARTIFACTS, assert_accessible, assert_no_horizontal_scroll, sign_in
from portal.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "sunflower-meadow-2026"


def sign_up_and_confirm(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Get started").click()
    page.get_by_label(re.compile(r"^\s*Email")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^\s*Password \(again\)")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_text("Verify Your Email Address").first.wait_for()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", base_url).replace("http://127.0.0.1:8000", base_url))
    page.get_by_role("button", name="Confirm").click()


def test_visitor_from_an_unserved_state_joins_the_waitlist(new_page, live_server):
    from patients.models import WaitlistEntry

    page = new_page()
    base = live_server.url
    sign_up_and_confirm(page, base, "nevada.visitor@example.com")
    page.goto(f"{base}/intake/")
    assert_accessible(page, "intake: about you")
    page.get_by_label("Legal first name").fill("Nora")
    page.get_by_label("Legal last name").fill("Vance")
    page.get_by_label("Date of birth").fill("1975-02-14")
    page.get_by_label("Mobile phone").fill("702-555-0143")
    page.get_by_label("Street address").fill("4 Fremont St")
    page.get_by_label("City").fill("Las Vegas")
    page.get_by_label("State where you live").select_option("NV")
    page.get_by_label("ZIP code").fill("89101")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("We do not serve Nevada yet").wait_for()
    assert_accessible(page, "intake: unserved state")
    page.get_by_role("link", name="Join the waitlist for Nevada").click()
    assert page.get_by_label("Email address").input_value() == "nevada.visitor@example.com"
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_text("You are on the waitlist for Nevada").wait_for()
    entry = WaitlistEntry.objects.get()
    assert (entry.email, entry.state_code) == ("nevada.visitor@example.com", "NV")


def test_patient_logs_check_ins_and_the_physician_sees_the_chart(new_page, live_server):
    from patients.tests.factories import PatientFactory, complete_intake
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state

    patient = PatientFactory(user=UserFactory(email="checkin.patient@example.com"), state=state("TX"))
    complete_intake(patient)
    physician = PhysicianLicenseFactory(
        state=state("TX"), physician__email="checkin.doctor@example.com", physician__last_name="Alvarez"
    ).physician
    base = live_server.url

    page = new_page(width=375, height=800)
    sign_in(page, base, patient.user.email, TEST_PASSWORD)
    for pain, enjoyment, activity in ((6, 5, 5), (4, 3, 3)):
        page.goto(f"{base}/patient/checkins/new/")
        page.get_by_label("On average over the past week").fill(str(pain))
        page.get_by_label("enjoying life").fill(str(enjoyment))
        page.get_by_label("general activity").fill(str(activity))
        page.get_by_label("Vivid dreams").check()
        assert_no_horizontal_scroll(page, "check-in at 375 px")
        page.get_by_role("button", name="Save check-in").click()
        page.get_by_text("Your check-in was saved").wait_for()
    assert_accessible(page, "patient dashboard")
    assert_no_horizontal_scroll(page, "patient dashboard at 375 px")

    doctor = new_page()
    sign_in(doctor, base, physician.email, TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    doctor.get_by_role("link", name="Patients").first.click()
    doctor.get_by_role("link", name=patient.full_name).click()
    doctor.locator("svg.peg-chart").wait_for()
    assert doctor.locator("svg.peg-chart circle").count() == 3
    doctor.get_by_text("Strong response").first.wait_for()
    assert_accessible(doctor, "patient chart")
    ARTIFACTS.mkdir(exist_ok=True)
    doctor.screenshot(path=str(ARTIFACTS / "peg-chart.png"), full_page=True)
    # 200 % zoom: the chart page still fits without sideways scrolling of the main content
    zoomed = new_page(width=640, height=450)
    zoomed.context.add_cookies(doctor.context.cookies())
    zoomed.goto(doctor.url)
    assert_no_horizontal_scroll(zoomed, "patient chart at 200 % zoom")
