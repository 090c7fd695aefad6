"""Cash pay's pages as a visitor and a patient use them (docs/domain.md "Cash pay"): the public
prices page, asking for a Good Faith Estimate, the price on the booking page, the billing page,
paying through the Stripe stand-in and coming back, the PDF downloads, superbill requests, the
refund sentence when a paid visit is cancelled, and what an estimate page shows. The services
behind them are tested in test_billing_*.py and test_payments*.py."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils.html import strip_tags

from patients.billing import services as billing_services
from patients.models import GoodFaithEstimate, Patient, Payment, Superbill
from patients.payments import services as payment_services
from patients.services import patient_ensure
from patients.tests.booking_helpers import MONDAY, NEW_YORK, give_hours, local, slot_value
from patients.tests.factories import FeeScheduleFactory, appointment_at, complete_intake, paid_payment
from patients.tests.stripe_standin import deliver_waiting
from portal.models import ServiceState
from portal.tests.factories import UserFactory, state
from portal.tests.signin import sign_in
from prescriptions.models import PharmacyPriceRange, StateDefaultPharmacy
from prescriptions.tests.factories import PharmacyFactory, PharmacyLicenseFactory

pytestmark = pytest.mark.django_db
P = Payment.Status
TUESDAY_10 = local(2026, 3, 3, 10)  # 25 hours after the clock's Monday 09:00
WEDNESDAY_10 = MONDAY + dt.timedelta(days=2, hours=1)  # 49 hours ahead
LAST_WEEK = MONDAY - dt.timedelta(days=7)  # Monday 23 February 2026, 09:00 Chicago

DISPUTE_NOTICE = (
    "If you are billed $400 or more above this estimate for any one provider or facility listed here, "
    "you have the right to start the federal patient-provider dispute resolution process"
)


def text_of(response) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(strip_tags(response.content.decode())))


def flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def schedule(db):
    """Prices published from 1 January 2026: initial $250.00 (99204-95), follow-up $150.00 (99214-95)."""
    return FeeScheduleFactory()


@pytest.fixture
def rosa(clock, patient):
    """The TX patient with her intake submitted: Rosa Diaz, born 17 May 1980."""
    complete_intake(patient)
    patient.refresh_from_db()
    return patient


@pytest.fixture
def signed_in(client, rosa):
    sign_in(client, rosa.user)
    return client


@pytest.fixture
def tx_pharmacy(db):
    """The practice's default Texas pharmacy, with its monthly price ranges."""
    pharmacy = PharmacyFactory(name="Hill Country Compounding", npi="1987654321", city="Austin")
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": pharmacy}
    )
    PharmacyPriceRange.objects.create(
        pharmacy=pharmacy, formulation="oral_liquid", low_cents=3_500, high_cents=6_000, updated_on=dt.date(2026, 2, 1)
    )
    PharmacyPriceRange.objects.create(
        pharmacy=pharmacy, formulation="capsule", low_cents=4_500, high_cents=8_000, updated_on=dt.date(2026, 2, 15)
    )
    return pharmacy


@pytest.fixture
def paid_last_week(rosa, schedule, django_capture_on_commit_callbacks):
    """Rosa's first visit took place last Monday and was paid; its receipt is rendered."""
    visit = appointment_at(rosa, LAST_WEEK, status="completed")
    payment = paid_payment(visit, schedule, paid_at=LAST_WEEK - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        billing_services.receipt_prepare(payment=payment)
    payment.refresh_from_db()
    assert payment.receipt_pdf
    return payment


# --- /prices/ ------------------------------------------------------------------------------------


def test_a_visitor_reads_the_fees_medication_prices_policy_and_their_right_to_an_estimate(
    client, clock, schedule, tx_pharmacy
):
    response = client.get("/prices/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Initial consultation" in page and "Video visit, new patient (CPT 99204-95)" in page
    assert "$250.00" in page and "Video visit, follow-up (CPT 99214-95)" in page and "$150.00" in page
    assert "Hill Country Compounding" in page and "$35.00 to $60.00" in page and "$45.00 to $80.00" in page
    assert "Cancel at least 24 hours ahead for a full refund." in page
    assert "If you cancel at least 24 hours before a paid visit, you get your money back in full." in page
    assert "Your right to a Good Faith Estimate" in page
    assert 'href="https://www.cms.gov/nosurprises"' in response.content.decode()
    assert "1-800-985-3059" in page and "$400 or more above your Good Faith Estimate" in page
    # A visitor is asked to sign up; only a patient gets the button.
    assert "Create an account" in page and "Get my Good Faith Estimate now" not in page


def test_before_prices_are_published_the_page_says_so_and_still_explains_the_estimate(client, clock):
    page = text_of(client.get("/prices/"))
    assert "The practice has not published its visit prices yet." in page
    assert "CPT" not in page and "Cancelling or missing a visit" not in page
    assert "The pharmacies have not given us their prices yet." in page
    assert "www.cms.gov/nosurprises" in page


def test_next_published_prices_are_announced(client, clock, schedule):
    FeeScheduleFactory(name="Summer prices", effective_from=dt.date(2026, 6, 1))
    page = text_of(client.get("/prices/"))
    assert "New prices from June 1, 2026:" in page


def test_a_patient_gets_the_estimate_button(signed_in, schedule):
    page = text_of(signed_in.get("/prices/"))
    assert "Get my Good Faith Estimate now" in page and "Create an account" not in page
    assert 'action="/patient/billing/estimates/request/"' in signed_in.get("/prices/").content.decode()


def test_asking_for_an_estimate_issues_one_and_opens_it(signed_in, rosa, schedule, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/patient/billing/estimates/request/")
    estimate = GoodFaithEstimate.objects.get()
    assert (estimate.patient, estimate.reason, estimate.appointment) == (rosa, "requested", None)
    assert response.status_code == 302 and response["Location"] == f"/patient/billing/estimates/{estimate.pk}/"
    page = signed_in.get(response["Location"])
    assert f"Your Good Faith Estimate {estimate.number} is ready below" in " ".join(flashed(page))
    text = text_of(page)
    assert "Not scheduled yet: this is what your next visit is expected to cost." in text
    assert "CPT 99204-95" in text and "Total expected: $250.00" in text
    assert f'href="/patient/billing/estimates/{estimate.pk}/estimate.pdf"' in page.content.decode()


def test_asking_before_prices_are_published_says_so_and_issues_nothing(signed_in):
    response = signed_in.post("/patient/billing/estimates/request/", follow=True)
    assert response.redirect_chain == [("/prices/", 302)]
    assert flashed(response) == ["The practice has not published prices yet."]
    assert not GoodFaithEstimate.objects.exists()


def test_a_patient_without_a_record_is_sent_to_the_intake_first(client, clock, schedule):
    user = UserFactory()  # a patient account that has not started the intake
    sign_in(client, user)
    response = client.post("/patient/billing/estimates/request/")
    assert response.status_code == 302 and response["Location"] == "/intake/"
    assert not GoodFaithEstimate.objects.exists()


def test_a_patient_who_has_not_given_their_name_and_birth_date_is_sent_to_the_intake(client, clock, schedule):
    user = UserFactory()
    patient_ensure(user=user)  # opening the intake makes the record, empty
    sign_in(client, user)
    response = client.post("/patient/billing/estimates/request/", follow=True)
    assert response.redirect_chain[0] == ("/intake/", 302)
    assert flashed(response) == [
        "Give us your legal name and date of birth on the intake's first step first: "
        "the estimate is written for you by name."
    ]
    assert not GoodFaithEstimate.objects.exists()


def test_only_patients_ask_for_estimates(client, clock, schedule, physician):
    assert client.post("/patient/billing/estimates/request/")["Location"].startswith("/accounts/login/")
    sign_in(client, physician)
    assert client.post("/patient/billing/estimates/request/").status_code == 403
    assert not GoodFaithEstimate.objects.exists()


# --- The booking page ----------------------------------------------------------------------------


@pytest.fixture
def bookable(rosa, physician):
    give_hours(physician)
    return physician


def test_the_booking_page_shows_the_price_before_anything_is_booked(signed_in, bookable, schedule):
    page = text_of(signed_in.get("/patient/appointments/book/"))
    assert "Price: $250.00 paid when you book." in page
    assert "Free cancellation up to 24 hours before." in page
    chosen = text_of(
        signed_in.get("/patient/appointments/book/", {"state": "TX", "slot": slot_value(bookable, TUESDAY_10)})
    )
    assert "Tuesday, March 3, 2026 at 10:00 AM CST" in chosen and "Price: $250.00." in chosen


def test_the_booking_page_says_when_payment_is_taken(signed_in, bookable):
    FeeScheduleFactory(payment_timing="after_visit")
    assert "Price: $250.00 paid after the visit." in text_of(signed_in.get("/patient/appointments/book/"))


def test_without_prices_the_booking_page_shows_none(signed_in, bookable):
    page = text_of(signed_in.get("/patient/appointments/book/"))
    assert "Initial consultation, 45 minutes, by video." in page and "Price:" not in page


def test_booking_issues_an_estimate_and_lands_on_the_visit_to_pay(
    signed_in, rosa, bookable, stripe_standin, django_capture_on_commit_callbacks
):
    FeeScheduleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            "/patient/appointments/book/", {"state": "TX", "slot": slot_value(bookable, TUESDAY_10)}, follow=True
        )
    assert response.redirect_chain == [("/patient/billing/", 302)]
    estimate = GoodFaithEstimate.objects.get()
    assert (estimate.reason, estimate.appointment.starts_at, estimate.total_cents) == ("scheduled", TUESDAY_10, 25_000)
    page = text_of(response)
    assert "Your Good Faith Estimate of the charges is on your Billing page" in page
    assert "Video visit, new patient, Tuesday, March 3, 2026" in page
    assert f'action="/patient/billing/visits/{estimate.appointment.pk}/pay/"' in response.content.decode()
    assert "Pay $250.00" in page
    assert f"Estimate {estimate.number}" in page
    assert not Payment.objects.exists()  # nothing is charged until the patient chooses to pay


def test_booking_before_prices_are_published_promises_no_estimate(signed_in, rosa, bookable):
    response = signed_in.post(
        "/patient/appointments/book/", {"state": "TX", "slot": slot_value(bookable, TUESDAY_10)}, follow=True
    )
    page = text_of(response)
    assert "Your video visit is booked for" in page and "Good Faith Estimate" not in page
    assert not GoodFaithEstimate.objects.exists()


def test_booking_when_paying_after_the_visit_lands_on_the_visit_list(signed_in, rosa, bookable, stripe_standin):
    FeeScheduleFactory(payment_timing="after_visit")
    response = signed_in.post("/patient/appointments/book/", {"state": "TX", "slot": slot_value(bookable, TUESDAY_10)})
    assert response["Location"] == "/patient/appointments/"
    assert GoodFaithEstimate.objects.get().reason == "scheduled"


# --- /patient/billing/ and paying -----------------------------------------------------------------


def test_with_payments_off_the_billing_page_says_nothing_is_charged_online(signed_in, rosa, settings):
    FeeScheduleFactory()
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    appointment_at(rosa, TUESDAY_10)
    response = signed_in.get("/patient/billing/")
    page = text_of(response)
    assert "The practice does not take payments online at the moment." in page
    assert "nothing is charged through the portal" in page
    assert "/pay/" not in response.content.decode() and "Pay $" not in page


def test_the_billing_page_lists_the_patients_documents(signed_in, rosa, paid_last_week):
    response = signed_in.get("/patient/billing/")
    page = text_of(response)
    assert "Video visit, new patient, Feb 23, 2026" in page and "Paid" in page
    assert f"Receipt {paid_last_week.receipt_number} (PDF)" in page
    assert "Nothing to pay." in page and "No estimates yet." in page and "No superbills yet." in page
    # The superbill form offers the year so far.
    body = response.content.decode()
    assert 'name="period_start" value="2026-01-01"' in body and 'name="period_end" value="2026-03-02"' in body


def test_pay_opens_stripes_page(signed_in, rosa, stripe_standin):
    FeeScheduleFactory()
    visit = appointment_at(rosa, TUESDAY_10)
    response = signed_in.post(f"/patient/billing/visits/{visit.pk}/pay/")
    payment = Payment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{stripe_standin.api_base}/c/pay/{payment.checkout_session_id}"
    assert (payment.status, payment.amount_cents) == (P.PENDING, 25_000)


def test_pay_when_stripe_is_down_says_to_try_again(signed_in, rosa, stripe_standin):
    FeeScheduleFactory()
    visit = appointment_at(rosa, TUESDAY_10)
    stripe_standin.create_answers.extend([500, 500, 500])
    response = signed_in.post(f"/patient/billing/visits/{visit.pk}/pay/", follow=True)
    assert response.redirect_chain == [("/patient/billing/", 302)]
    assert flashed(response) == [payment_services.CHECKOUT_UNAVAILABLE]


def test_visits_are_dated_in_the_patients_own_time_zone(signed_in, rosa, stripe_standin):
    FeeScheduleFactory()
    Patient.objects.filter(pk=rosa.pk).update(timezone="America/New_York")
    visit = appointment_at(rosa, local(2026, 3, 5, 0, 30, zone=NEW_YORK))  # Wednesday 23:30 in Chicago
    assert "Video visit, new patient, Thursday, March 5, 2026" in text_of(signed_in.get("/patient/billing/"))
    payment = payment_services.checkout_start(appointment=visit, by=rosa.user)
    assert "Thursday, March 5, 2026 · $250.00" in text_of(signed_in.get(f"/patient/billing/payments/{payment.pk}/"))


def test_paying_a_cancelled_visit_is_refused_with_the_reason(signed_in, rosa, stripe_standin):
    FeeScheduleFactory()
    visit = appointment_at(rosa, TUESDAY_10, status="cancelled")
    response = signed_in.post(f"/patient/billing/visits/{visit.pk}/pay/", follow=True)
    assert response.redirect_chain == [("/patient/billing/", 302)]
    assert flashed(response) == ["This visit is cancelled: there is nothing to pay."]
    assert not Payment.objects.exists() and not stripe_standin.requests


def test_nobody_pays_someone_elses_visit(client, rosa, other_patient, stripe_standin):
    FeeScheduleFactory()
    visit = appointment_at(rosa, TUESDAY_10)
    sign_in(client, other_patient.user)
    assert client.post(f"/patient/billing/visits/{visit.pk}/pay/").status_code == 404
    assert not Payment.objects.exists() and not stripe_standin.requests


@pytest.fixture
def opened(rosa, stripe_standin):
    """Rosa opened Stripe's page for Tuesday's visit."""
    FeeScheduleFactory()
    visit = appointment_at(rosa, TUESDAY_10)
    return payment_services.checkout_start(appointment=visit, by=rosa.user)


def test_coming_back_before_stripe_confirms_shows_the_waiting_page_which_refreshes(signed_in, opened):
    response = signed_in.get(f"/patient/billing/payments/{opened.pk}/?checkout=done")
    page = text_of(response)
    assert "We are waiting for Stripe to confirm your payment; this page updates by itself." in page
    assert '<meta http-equiv="refresh" content="3">' in response.content.decode()
    assert "Pay $250.00" not in page
    # Without the return, the page offers to pay and does not refresh.
    again = signed_in.get(f"/patient/billing/payments/{opened.pk}/")
    assert "Not paid yet." in text_of(again) and 'http-equiv="refresh"' not in again.content.decode()


def test_an_hour_without_stripes_confirmation_stops_the_refresh_and_says_what_to_do(signed_in, opened):
    Payment.objects.filter(pk=opened.pk).update(created_at=opened.created_at - dt.timedelta(minutes=61))
    response = signed_in.get(f"/patient/billing/payments/{opened.pk}/?checkout=done")
    assert "We have not had Stripe's confirmation of this payment yet." in text_of(response)
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_a_failed_payment_tells_the_patient_in_plain_words(signed_in, opened):
    Payment.objects.filter(pk=opened.pk).update(status="failed", failure_reason="Stripe answered 500 (api_error)")
    page = text_of(signed_in.get(f"/patient/billing/payments/{opened.pk}/"))
    assert "This payment did not go through, and nothing was charged." in page
    assert "Stripe answered 500" not in page


def test_the_prices_page_says_when_no_payment_is_taken_online(client, clock, schedule, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    page = text_of(client.get("/prices/"))
    assert "does not take payments online at the moment" in page and "Stripe's secure payment page" not in page


def test_once_paid_the_page_offers_the_receipt(
    signed_in, opened, stripe_standin, client, django_capture_on_commit_callbacks
):
    stripe_standin.pay(opened.checkout_session_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_waiting(stripe_standin, client) == [200]
    opened.refresh_from_db()
    response = signed_in.get(f"/patient/billing/payments/{opened.pk}/?checkout=done")
    page = text_of(response)
    assert "Paid on March 2, 2026. Thank you." in page
    assert f"Download receipt {opened.receipt_number} (PDF)" in page
    assert f'href="/patient/billing/payments/{opened.pk}/receipt.pdf"' in response.content.decode()
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_leaving_stripes_page_without_paying_says_so(signed_in, opened):
    response = signed_in.get(f"/patient/billing/payments/{opened.pk}/?checkout=cancelled")
    assert flashed(response) == ["You left the payment page without paying. You can pay any time from this page."]
    assert "Not paid yet." in text_of(response)
    assert f'action="/patient/billing/visits/{opened.appointment_id}/pay/"' in response.content.decode()


def test_a_patient_sees_only_their_own_payment(client, opened, other_patient):
    sign_in(client, other_patient.user)
    assert client.get(f"/patient/billing/payments/{opened.pk}/").status_code == 404
    assert client.get(f"/patient/billing/payments/{opened.pk}/receipt.pdf").status_code == 404


# --- PDF downloads -------------------------------------------------------------------------------


def assert_pdf_download(response, filename):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")


def test_the_receipt_downloads_as_a_private_pdf(signed_in, paid_last_week):
    response = signed_in.get(f"/patient/billing/payments/{paid_last_week.pk}/receipt.pdf")
    assert_pdf_download(response, f"receipt-{paid_last_week.receipt_number}.pdf")


def test_the_estimate_downloads_as_a_private_pdf(signed_in, rosa, schedule, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        estimate = billing_services.estimate_request(patient=rosa)
    response = signed_in.get(f"/patient/billing/estimates/{estimate.pk}/estimate.pdf")
    assert_pdf_download(response, f"good-faith-estimate-{estimate.number}.pdf")


def test_the_superbill_downloads_as_a_private_pdf(signed_in, rosa, paid_last_week, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        superbill = billing_services.superbill_request(
            patient=rosa, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 2)
        )
    response = signed_in.get(f"/patient/billing/superbills/{superbill.pk}/superbill.pdf")
    assert_pdf_download(response, f"superbill-{superbill.number}.pdf")


def test_a_document_not_rendered_yet_is_a_404_that_says_to_wait(signed_in, rosa, schedule):
    estimate = billing_services.estimate_request(patient=rosa)  # its PDF is rendered once this commits
    visit = appointment_at(rosa, LAST_WEEK, status="completed")
    payment = paid_payment(visit, schedule, paid_at=LAST_WEEK)
    billing_services.receipt_prepare(payment=payment)
    superbill = billing_services.superbill_request(
        patient=rosa, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 2)
    )
    for url in (
        f"/patient/billing/estimates/{estimate.pk}/estimate.pdf",
        f"/patient/billing/payments/{payment.pk}/receipt.pdf",
        f"/patient/billing/superbills/{superbill.pk}/superbill.pdf",
    ):
        response = signed_in.get(url)
        assert response.status_code == 404, url
        assert "still being prepared. Please try again in a minute." in text_of(response), url
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_documents_are_the_patients_own(
    client, rosa, other_patient, paid_last_week, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        estimate = billing_services.estimate_request(patient=rosa)
    sign_in(client, other_patient.user)
    assert client.get(f"/patient/billing/estimates/{estimate.pk}/").status_code == 404
    assert client.get(f"/patient/billing/estimates/{estimate.pk}/estimate.pdf").status_code == 404
    assert client.get(f"/patient/billing/payments/{paid_last_week.pk}/receipt.pdf").status_code == 404


# --- Superbills ----------------------------------------------------------------------------------


def ask_superbill(client, start, end):
    return client.post("/patient/billing/superbills/", {"period_start": start, "period_end": end}, follow=True)


def test_a_superbill_is_prepared_and_listed(signed_in, paid_last_week, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_superbill(signed_in, "2026-01-01", "2026-03-02")
    superbill = Superbill.objects.get()
    assert response.redirect_chain == [("/patient/billing/", 302)]
    assert flashed(response) == [
        f"Superbill {superbill.number} is being prepared. It appears in the list below in a minute; "
        "we will also email you when it is ready."
    ]
    assert superbill.total_cents == 25_000
    page = signed_in.get("/patient/billing/")
    assert f"Download superbill {superbill.number} (PDF)" in text_of(page)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            "2026-02-28",
            "2026-02-01",
            "The period's end is before its start. Choose the first day, then the last day.",
        ),
        (
            "2026-01-01",
            "2026-03-03",
            "The period cannot end after today (March 2, 2026): a superbill lists visits that have taken place.",
        ),
        ("2026-01-01", "2026-02-01", "You have no paid visits in this period. Choose another period."),
        ("2024-01-01", "2026-03-02", "A superbill covers at most one year. Choose a shorter period."),
    ],
)
def test_a_superbill_request_that_cannot_be_met_says_why_and_creates_nothing(
    signed_in, paid_last_week, start, end, message
):
    response = ask_superbill(signed_in, start, end)
    assert response.redirect_chain == [("/patient/billing/", 302)]
    assert flashed(response) == [message]
    assert not Superbill.objects.exists()


def test_a_superbill_without_paid_visits_is_refused(signed_in, schedule):
    response = ask_superbill(signed_in, "2026-01-01", "2026-03-02")
    assert flashed(response) == ["You have no paid visits in this period. Choose another period."]
    assert not Superbill.objects.exists()


def test_a_superbill_request_with_a_missing_or_mistyped_date_says_which(signed_in, paid_last_week):
    response = ask_superbill(signed_in, "", "2026-03-02")
    assert flashed(response) == ["Choose the first day of the period."]
    response = ask_superbill(signed_in, "2026-01-01", "2026-02-30")
    assert flashed(response) == ["Enter the last day of the period as a date, like 2026-01-31."]
    assert not Superbill.objects.exists()


# --- Cancelling a paid visit ---------------------------------------------------------------------


def test_cancelling_a_paid_visit_well_ahead_says_it_is_refunded(
    signed_in, opened, stripe_standin, client, django_capture_on_commit_callbacks
):
    stripe_standin.pay(opened.checkout_session_id)
    assert deliver_waiting(stripe_standin, client) == [200]
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/patient/appointments/{opened.appointment_id}/cancel/", follow=True)
    assert flashed(response) == [
        "Your visit is cancelled. The $250.00 you paid will be refunded to your card; "
        "it usually shows within 5–10 business days."
    ]
    opened.refresh_from_db()
    assert opened.status == P.REFUNDED
    page = text_of(signed_in.get(f"/patient/billing/payments/{opened.pk}/"))
    assert "Refunded $250.00 on March 2, 2026." in page


def test_cancelling_a_paid_visit_inside_the_policys_notice_says_it_is_not_refunded(
    signed_in, rosa, stripe_standin, client, django_capture_on_commit_callbacks
):
    FeeScheduleFactory(cancellation_notice_hours=48)
    visit = appointment_at(rosa, TUESDAY_10)  # 25 hours ahead: the patient may still cancel
    payment = payment_services.checkout_start(appointment=visit, by=rosa.user)
    stripe_standin.pay(payment.checkout_session_id)
    assert deliver_waiting(stripe_standin, client) == [200]
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/patient/appointments/{visit.pk}/cancel/", follow=True)
    assert flashed(response) == [
        "Your visit is cancelled. The visit was cancelled less than 48 hours before it was due, so under "
        "the practice's cancellation policy the $250.00 paid is not refunded."
    ]
    payment.refresh_from_db()
    assert payment.status == P.PAID


def test_the_cancel_page_says_before_confirming_what_happens_to_the_payment(
    signed_in, opened, stripe_standin, client, django_capture_on_commit_callbacks
):
    visit = opened.appointment
    page = text_of(signed_in.get(f"/patient/appointments/{visit.pk}/cancel/"))
    assert "Cancel your visit on Tuesday, March 3 at 10:00 AM CST with" in page
    assert "You paid" not in page  # only a payment page was opened: nothing to refund
    stripe_standin.pay(opened.checkout_session_id)
    assert deliver_waiting(stripe_standin, client) == [200]
    page = text_of(signed_in.get(f"/patient/appointments/{visit.pk}/cancel/"))
    assert "You paid $250.00; it will be refunded in full to your card" in page
    opened.refresh_from_db()
    assert opened.status == P.PAID  # asking refunds nothing


def test_the_cancel_page_says_a_late_cancellation_is_not_refunded(
    signed_in, rosa, stripe_standin, client, django_capture_on_commit_callbacks
):
    FeeScheduleFactory(cancellation_notice_hours=48)
    visit = appointment_at(rosa, TUESDAY_10)  # 25 hours ahead: the patient may still cancel
    payment = payment_services.checkout_start(appointment=visit, by=rosa.user)
    stripe_standin.pay(payment.checkout_session_id)
    assert deliver_waiting(stripe_standin, client) == [200]
    page = text_of(signed_in.get(f"/patient/appointments/{visit.pk}/cancel/"))
    assert (
        "You paid $250.00; it is not refunded, because the visit is less than 48 hours away "
        "(the practice's cancellation policy)." in page
    )
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"/patient/appointments/{visit.pk}/cancel/")
    payment.refresh_from_db()
    assert payment.status == P.PAID  # the page said what the rule then did


def test_the_physician_cancelling_a_paid_visit_is_told_the_patient_is_refunded(
    client, opened, stripe_standin, django_capture_on_commit_callbacks
):
    stripe_standin.pay(opened.checkout_session_id)
    assert deliver_waiting(stripe_standin, client) == [200]
    physician = opened.appointment.physician
    sign_in(client, physician)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/clinic/appointments/{opened.appointment_id}/cancel/",
            {"note": "I am unwell; please rebook."},
            follow=True,
        )
    assert flashed(response) == [
        "Visit cancelled. The patient has been told and can book again. "
        "The patient's payment of $250.00 will be refunded in full."
    ]
    opened.refresh_from_db()
    assert opened.status == P.REFUNDED


def test_cancelling_an_unpaid_visit_says_nothing_about_money(signed_in, rosa, schedule):
    visit = appointment_at(rosa, WEDNESDAY_10)
    response = signed_in.post(f"/patient/appointments/{visit.pk}/cancel/", follow=True)
    assert flashed(response) == ["Your visit is cancelled."]


# --- The estimate page ---------------------------------------------------------------------------


def test_the_estimate_page_shows_every_element_the_rule_requires(
    signed_in, rosa, schedule, tx_pharmacy, django_capture_on_commit_callbacks
):
    visit = appointment_at(rosa, WEDNESDAY_10)
    with django_capture_on_commit_callbacks(execute=True):
        estimate = billing_services.estimate_issue_for_visit(appointment=visit, reason="scheduled")
    response = signed_in.get(f"/patient/billing/estimates/{estimate.pk}/")
    assert response.status_code == 200
    page = text_of(response)
    assert f"Good Faith Estimate {estimate.number}" in page
    assert "Issued March 2, 2026 for Rosa Diaz (born May 17, 1980)." in page
    assert "Scheduled for Wednesday, March 4, 2026 at 10:00 AM CST." in page
    # The practice: name, NPI, TIN, where the service is furnished; the item with its CPT code,
    # modifier, place of service and charge.
    assert "Lakeside LDN Care PLLC" in page and "NPI 1234567893" in page and "TIN 12-3456789" in page
    assert "By secure video, with the patient in Texas (TX)" in page
    assert "CPT 99204-95, place of service 10 — Telehealth provided in the patient's home" in page
    assert "$250.00" in page
    # The pharmacy as co-provider with its range.
    assert "Hill Country Compounding" in page and "NPI 1987654321" in page and "$35.00 to $80.00" in page
    assert "Total expected: $285.00 to $330.00" in page
    # Separately scheduled items, the policy and the notices.
    assert "Video visit, follow-up (CPT 99214-95): $150.00 each." in page
    assert "you will receive a separate Good Faith Estimate for it when it is booked" in page
    assert "Cancel at least 24 hours ahead for a full refund." in page
    assert DISPUTE_NOTICE in page
    assert "www.cms.gov/nosurprises or call 1-800-985-3059" in page
    assert "will not affect the quality of the care you receive" in page
    assert "This estimate is not a contract." in page
    assert "Download the PDF" in page


def test_the_estimate_page_shows_the_diagnosis_codes_with_their_text(signed_in, rosa, schedule, monkeypatch):
    from patients.billing import estimates

    monkeypatch.setattr(estimates, "_diagnosis_sources", [lambda patient, **_: [("M79.7", "Fibromyalgia")]])
    estimate = billing_services.estimate_request(patient=rosa)
    page = text_of(signed_in.get(f"/patient/billing/estimates/{estimate.pk}/"))
    assert "Diagnosis codes: M79.7 (Fibromyalgia)" in page
    assert "The PDF is being prepared." in page
