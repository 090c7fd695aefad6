"""Whole journeys through the portal, as people would take them, in a real browser."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail

from e2e.conftest import ARTIFACTS, assert_accessible, assert_no_horizontal_scroll, sign_in, tap_score
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


def test_visitor_from_an_unserved_state_joins_the_waitlist(new_page, asgi_server):
    from patients.models import WaitlistEntry

    page = new_page()
    base = asgi_server
    sign_up_and_confirm(page, base, "nevada.visitor@example.com")
    page.goto(f"{base}/intake/")
    assert_accessible(page, "intake: about you")
    page.get_by_label("Legal first name").fill("Nora")
    page.get_by_label("Legal last name").fill("Vance")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Month", exact=True).fill("2")
    born.get_by_label("Day", exact=True).fill("14")
    born.get_by_label("Year", exact=True).fill("1975")
    page.get_by_label("Mobile phone").fill("702-555-0143")
    page.get_by_label("Street address").fill("4 Fremont St")
    page.get_by_label("City").fill("Las Vegas")
    page.get_by_label("State where you live").select_option("NV")
    page.get_by_label("ZIP code").fill("89101")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("We do not serve Nevada yet").wait_for()
    # the shared error summary: named in the title and focused, so a screen reader starts there
    assert page.title().startswith("Error: ")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    assert_accessible(page, "intake: unserved state")
    page.get_by_role("link", name="Join the waitlist for Nevada").click()
    assert page.get_by_label("Email address").input_value() == "nevada.visitor@example.com"
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_text("You are on the waitlist for Nevada").wait_for()
    entry = WaitlistEntry.objects.get()
    assert (entry.email, entry.state_code) == ("nevada.visitor@example.com", "NV")


def test_patient_logs_check_ins_and_the_physician_sees_the_chart(new_page, asgi_server):
    from patients.tests.factories import PatientFactory, complete_intake
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state

    patient = PatientFactory(user=UserFactory(email="checkin.patient@example.com"), state=state("TX"))
    complete_intake(patient)
    physician = PhysicianLicenseFactory(
        state=state("TX"), physician__email="checkin.doctor@example.com", physician__last_name="Alvarez"
    ).physician
    base = asgi_server

    page = new_page(width=375, height=800)
    sign_in(page, base, patient.user.email, TEST_PASSWORD)
    for pain, enjoyment, activity in ((6, 5, 5), (4, 3, 3)):
        page.goto(f"{base}/patient/checkins/new/")
        tap_score(page, "On average over the past week", pain)
        tap_score(page, "enjoying life", enjoyment)
        tap_score(page, "general activity", activity)
        # the buttons are radios: the arrow keys move the answer (one up, and back)
        activity_row = page.get_by_role("group", name=re.compile("general activity"))
        activity_row.get_by_role("radio", name=str(activity)).focus()
        page.keyboard.press("ArrowRight")
        assert activity_row.get_by_role("radio", name=str(activity + 1)).is_checked()
        page.keyboard.press("ArrowLeft")
        assert activity_row.get_by_role("radio", name=str(activity)).is_checked()
        page.get_by_label("Vivid dreams").check()
        page.get_by_label("Mild: noticeable").check()
        page.get_by_role("group", name=re.compile("opioid pain medicine")).get_by_label("No").check()
        assert_no_horizontal_scroll(page, "check-in at 375 px")
        page.get_by_role("button", name="Save check-in").click()
        page.get_by_text("Your check-in was saved").wait_for()
    assert_accessible(page, "patient dashboard")
    assert_no_horizontal_scroll(page, "patient dashboard at 375 px")

    doctor = new_page()
    sign_in(doctor, base, physician.email, TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    doctor.get_by_role("link", name="Patients").first.click()
    doctor.get_by_role("link", name=patient.full_name).click()
    # at 1280 px the wide drawing shows (the narrow one is for phones)
    doctor.locator("svg.peg-chart-wide").wait_for()
    assert doctor.locator("svg.peg-chart-wide circle").count() == 3
    doctor.get_by_text("Strong response").first.wait_for()
    assert_accessible(doctor, "patient chart")
    ARTIFACTS.mkdir(exist_ok=True)
    doctor.screenshot(path=str(ARTIFACTS / "peg-chart.png"), full_page=True)
    # 200 % zoom: the chart page still fits without sideways scrolling of the main content
    zoomed = new_page(width=640, height=450)
    zoomed.context.add_cookies(doctor.context.cookies())
    zoomed.goto(doctor.url)
    assert_no_horizontal_scroll(zoomed, "patient chart at 200 % zoom")


def label(page, text: str):
    """A form control by its visible label (crispy adds an asterisk to required ones)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(text)))


def test_new_texas_patient_is_approved_books_a_visit_and_talks_to_the_care_team(new_page, asgi_server):
    from patients.tests.booking_helpers import give_hours
    from portal.tests.factories import PhysicianLicenseFactory, state

    physician = PhysicianLicenseFactory(
        state=state("TX"), physician__email="journey.doctor@example.com", physician__first_name="Ana",
        physician__last_name="Reyes",
    ).physician  # fmt: skip
    give_hours(physician)
    base = asgi_server
    page = new_page()
    sign_up_and_confirm(page, base, "texas.patient@example.com")
    page.goto(f"{base}/intake/")
    label(page, "Legal first name").fill("Tessa")
    label(page, "Legal last name").fill("Morgan")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Month", exact=True).fill("7")
    born.get_by_label("Day", exact=True).fill("9")
    born.get_by_label("Year", exact=True).fill("1982")
    label(page, "Mobile phone").fill("512-555-0177")
    label(page, "Street address").fill("200 Lavaca St")
    label(page, "City").fill("Austin")
    label(page, "State where you live").select_option("TX")
    label(page, "ZIP code").fill("78701")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Fibromyalgia").check()
    page.get_by_role("button", name="Save and continue").click()
    tap_score(page, "On average over the past week", 7)
    tap_score(page, "Over the past week, how much has pain got in the way of enjoying", 6)
    tap_score(page, "Over the past week, how much has pain got in the way of your general", 6)
    assert_accessible(page, "intake: pain")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()  # medications: none
    page.get_by_role("button", name="Save and continue").click()  # history: none
    page.get_by_label("I have no known allergies").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("No preference: let the practice choose").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label(re.compile("consent to receive care by telehealth")).check()
    page.get_by_label(re.compile("off-label")).check()
    page.get_by_label(re.compile("privacy notice")).check()
    page.get_by_role("button", name="Save and continue").click()
    assert_accessible(page, "intake: summary")
    page.get_by_role("button", name="Submit my intake").click()
    page.get_by_text("Nothing in your answers rules out").wait_for()

    doctor = new_page()
    sign_in(doctor, base, physician.email, TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    doctor.get_by_role("link", name="Reviews").first.click()
    doctor.get_by_role("link", name="Tessa Morgan").click()
    doctor.get_by_label("Approve for treatment").check()
    doctor.get_by_role("button", name="Save review").click()
    doctor.get_by_text("Review saved").wait_for()

    page.goto(f"{base}/patient/appointments/book/")
    # The home state is chosen and its times are shown at once: a day strip, times by physician.
    assert label(page, "Where will you be during the visit?").input_value() == "TX"
    page.get_by_role("heading", name="Dr. Ana Reyes").wait_for()
    assert_accessible(page, "booking: times")
    page.get_by_role("link", name=re.compile(r"^\d\d?:\d\d [AP]M.*with Dr\. Ana Reyes$")).first.click()
    page.locator("#confirm:focus").wait_for()  # the confirm panel takes the focus
    assert_accessible(page, "booking: confirm")
    page.get_by_role("button", name="Book this visit").click()
    page.get_by_text(re.compile("booked", re.I)).first.wait_for()

    page.goto(f"{base}/patient/messages/")
    label(page, "Subject").fill("Question about starting")
    label(page, "Message").fill("Should I take it with food?")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Should I take it with food?").wait_for()

    doctor.goto(f"{base}/clinic/messages/")
    doctor.get_by_role("link", name=re.compile("Question about starting")).click()
    label(doctor, "Your reply").fill("Yes, with or without food is fine.")
    label(doctor, "Share an article (optional)").select_option(index=1)  # a shared reading in the thread
    doctor.get_by_role("button", name="Send").click()
    doctor.get_by_text("Yes, with or without food is fine.").wait_for()

    # The conversation at 375 px: the doctor's answer on the other side, marked new, with its article.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    answer = page.locator(".conversation-item.is-theirs").filter(has_text="Yes, with or without food is fine.")
    answer.get_by_text("Dr. Ana Reyes").wait_for()
    answer.get_by_text("Shared reading").wait_for()
    page.locator("#new-messages").wait_for()
    assert_accessible(page, "patient thread")
    assert_no_horizontal_scroll(page, "patient thread at 375 px")


def test_plan_order_pharmacy_and_tracking_reach_the_patient(new_page, asgi_server):
    from patients.tests.factories import PatientFactory
    from portal.models import ServiceState
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state
    from prescriptions.models import StateDefaultPharmacy
    from prescriptions.tests.factories import PharmacyLicenseFactory, PharmacyMembershipFactory, approve_intake

    physician = PhysicianLicenseFactory(state=state("TX"), physician__email="rx.doctor@example.com").physician
    patient = PatientFactory(user=UserFactory(email="rx.patient@example.com"), state=state("TX"))
    approve_intake(patient, physician)
    membership = PharmacyMembershipFactory(user__email="tx.pharmacist@example.com")
    PharmacyLicenseFactory(pharmacy=membership.pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": membership.pharmacy}
    )
    base = asgi_server

    doctor = new_page()
    sign_in(doctor, base, physician.email, TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    doctor.goto(f"{base}/clinic/patients/{patient.pk}/plan/new/")
    doctor.get_by_role("button", name="Start the plan").click()
    doctor.get_by_role("link", name="Draft an order").click()
    assert_accessible(doctor, "order draft")
    doctor.get_by_role("button", name="Save the draft").click()
    label(doctor, "Your password").fill(TEST_PASSWORD)
    doctor.get_by_role("button", name="Sign the order").click()
    doctor.get_by_text(re.compile("Sent to the pharmacy|sent to", re.I)).first.wait_for()
    order_url = doctor.url

    pharmacist = new_page()
    sign_in(pharmacist, base, "tx.pharmacist@example.com", TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    pharmacist.get_by_role("link", name=re.compile(r"LDN-\d+")).first.click()
    assert_accessible(pharmacist, "pharmacy order")
    # Opening the new order acknowledged it: the one next step is the review.
    pharmacist.get_by_text("is acknowledged").first.wait_for()
    pharmacist.get_by_role("button", name="Start pharmacist review").click()
    pharmacist.get_by_label("Your question").fill("Is a 1 mg/mL liquid acceptable?")
    pharmacist.get_by_role("button", name="Ask the physician a question").click()

    doctor.goto(order_url)
    doctor.get_by_text("Is a 1 mg/mL liquid acceptable?").first.wait_for()
    label(doctor, "Your answer to the pharmacist").fill("Yes, 1 mg/mL is right.")
    doctor.get_by_role("button", name="Send the answer").click()

    pharmacist.reload()
    pharmacist.get_by_text("Yes, 1 mg/mL is right.").first.wait_for()
    # The verification checklist, then the compounding record, then shipping.
    for item in ("the prescriber, the NPI", "the patient's name", "the allergies", "the dose arithmetic"):
        pharmacist.get_by_label(re.compile(f"I (checked|reviewed) {re.escape(item)}")).check()
    assert_accessible(pharmacist, "pharmacy verification checklist")
    pharmacist.get_by_role("button", name="Verified: start compounding").click()
    pharmacist.get_by_label("Lot number").fill("E2E-0001")
    beyond_use = patient.today() + datetime.timedelta(days=30)
    pharmacist.get_by_label("Beyond-use date").fill(beyond_use.isoformat())
    pharmacist.get_by_label("Compounded by").fill("J.M.")
    pharmacist.get_by_label("Checked by").fill("K.L.")
    pharmacist.get_by_role("button", name="Save the compounding record").click()
    pharmacist.get_by_label("Carrier").select_option("USPS")
    pharmacist.get_by_label("Tracking number").fill("9400111899560000000042")
    pharmacist.get_by_role("button", name="Mark shipped").click()

    page = new_page(width=375, height=800)
    sign_in(page, base, patient.user.email, TEST_PASSWORD)
    # A first plan starts when the medicine arrives: until the patient says so, no dose.
    page.get_by_text("Your medication is on its way").wait_for()
    assert_accessible(page, "dashboard while the medicine is on its way")
    page.get_by_role("button", name="My medication arrived").click()
    page.get_by_text(re.compile(r"Take your first dose on \w+day")).wait_for()
    first_day = patient.today() + __import__("datetime").timedelta(days=1)
    page.goto(f"{base}/patient/schedule/?month={first_day:%Y-%m}")
    # On a phone the doses are a list of steps from tomorrow on; the month grid is for wide screens.
    page.locator(".dose-step").filter(has_text=re.compile(r"1\.5 mg\)? each night")).first.wait_for()
    assert not page.locator("table.dose-calendar").is_visible()
    assert_accessible(page, "dose steps")
    assert_no_horizontal_scroll(page, "dose steps at 375 px")
    page.set_viewport_size({"width": 1280, "height": 800})
    calendar = page.locator("table.dose-calendar")
    calendar.get_by_text(re.compile(r"\d(\.\d)? mg")).first.wait_for()  # the doses from tomorrow on the calendar
    assert_accessible(page, "dose calendar")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/patient/orders/")
    page.get_by_text("9400111899560000000042").first.wait_for()
    assert_accessible(page, "patient orders")
    assert_no_horizontal_scroll(page, "patient orders at 375 px")


def test_follow_up_reminder_goes_out_through_a_real_worker_without_health_details(new_page, asgi_server, tmp_path):
    import datetime as dt

    from patients.tests.factories import PatientFactory, complete_intake, plan_started
    from portal.models import EmailOutbox, Reminder
    from portal.tests.factories import UserFactory, state
    from tests.processes import PrivateRedis, celery_process, stop, wait_for

    patient = PatientFactory(user=UserFactory(email="reminded.patient@example.com"), state=state("TX"))
    complete_intake(patient)
    # The plan started 7 days ago with a 14-day follow-up: "due in 7 days" is due now.
    plan_started(patient, dt.date.today() - dt.timedelta(days=7))
    zone = __import__("tests.test_reminder_reliability", fromlist=["daytime_zone"]).daytime_zone()
    Reminder.objects.filter(kind="followup-due-soon").update(due_at=dt.datetime.now(dt.UTC), time_zone=zone)

    redis = PrivateRedis(tmp_path)
    redis.start()
    beat = celery_process("beat", redis.url, tmp_path, "beat", EMAIL_BACKEND="portal.mail.OutboxEmailBackend")
    worker = celery_process("worker", redis.url, tmp_path, "worker", EMAIL_BACKEND="portal.mail.OutboxEmailBackend")
    try:
        assert wait_for(lambda: EmailOutbox.objects.filter(to=patient.user.email).exists(), timeout=90)
    finally:
        stop(worker)
        stop(beat)
        redis.stop()
    email = EmailOutbox.objects.get(to=patient.user.email)
    text = (email.subject + email.body).lower()
    for word in ("naltrexone", "ldn", "dose", "pain", "fibromyalgia", "mg"):
        assert word not in text
    page = new_page()
    sign_in(page, asgi_server, patient.user.email, TEST_PASSWORD)
    page.get_by_text("Next follow-up visit").wait_for()
    page.get_by_role("link", name="Book now").wait_for()
