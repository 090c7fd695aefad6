"""Cash pay, in a real browser (issue 19): a visitor sees the prices; a new patient sees the price
again before booking, is given a Good Faith Estimate on booking (page and PDF), pays on the
Checkout page (Stripe's API, hosted page and signed webhook answered by the local stand-in), the
webhook marks the visit paid, and the patient downloads the receipt and, after the visit, a
superbill. Every PDF's text is read back."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from e2e.conftest import assert_accessible, sign_in
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pdf_text(page, link_name: str) -> str:
    """Click a download link and return the text of the PDF it gives."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page_.extract_text() for page_ in reader.pages)


@pytest.fixture
def checkout(settings, asgi_server):
    """Payments on, with Stripe's API and hosted page answered by the stand-in, which posts its
    signed events to the portal's webhook; Checkout's origin allowed for the Pay forms."""
    from patients.tests.stripe_standin import WEBHOOK_PATH, stripe_standin_running

    settings.SITE_URL = asgi_server
    with stripe_standin_running(settings, webhook_url=f"{asgi_server}{WEBHOOK_PATH}") as standin:
        policy = settings.CONTENT_SECURITY_POLICY
        directives = {**policy["DIRECTIVES"], "form-action": [*policy["DIRECTIVES"]["form-action"], standin.api_base]}
        settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
        yield standin


def test_new_patient_sees_the_price_gets_an_estimate_pays_and_downloads_receipt_and_superbill(
    new_page, asgi_server, checkout, private_storage
):
    from patients.models import Appointment, GoodFaithEstimate, Payment, StripeEvent
    from patients.tests.booking_helpers import give_hours
    from patients.tests.factories import FeeScheduleFactory, PatientFactory, complete_intake
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state
    from prescriptions.models import PharmacyPriceRange, StateDefaultPharmacy
    from prescriptions.tests.factories import PharmacyFactory, PharmacyLicenseFactory

    FeeScheduleFactory(effective_from=dt.date(2026, 1, 1))
    pharmacy = PharmacyFactory(name="Bluebonnet Compounding", npi="1093817462", tin="42-1837465")
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.update_or_create(state=state("TX"), defaults={"pharmacy": pharmacy})
    PharmacyPriceRange.objects.create(
        pharmacy=pharmacy, formulation="capsule", low_cents=3_500, high_cents=5_500, updated_on=dt.date(2026, 11, 2)
    )
    physician = PhysicianLicenseFactory(
        state=state("TX"), physician__first_name="Ana", physician__last_name="Reyes"
    ).physician
    give_hours(physician)
    # Intake submitted, no visit yet: their first visit is an initial consultation.
    patient = PatientFactory(user=UserFactory(email="tessa.morgan@example.com"), state=state("TX"))
    complete_intake(
        patient,
        about={"legal_first_name": "Tessa", "legal_last_name": "Morgan", "date_of_birth": dt.date(1982, 7, 9)},
    )
    patient.refresh_from_db()
    base = asgi_server

    # 1. Before signing up: the prices, the pharmacy's range and the right to an estimate.
    visitor = new_page()
    visitor.goto(f"{base}/")
    visitor.get_by_role("link", name="Prices").first.click()
    visitor.get_by_role("heading", name="Prices").wait_for()
    visit_row = visitor.get_by_role("row", name=re.compile("Initial consultation"))
    assert "$250.00" in visit_row.inner_text()
    assert "$35.00 to $55.00" in visitor.get_by_role("row", name=re.compile("Bluebonnet")).inner_text()
    visitor.get_by_role("heading", name="Your right to a Good Faith Estimate").wait_for()
    assert_accessible(visitor, "prices")

    # 2. The patient books: the price is on the page before anything is booked.
    page = new_page(width=375, height=800)
    sign_in(page, base, "tessa.morgan@example.com", TEST_PASSWORD)
    page.goto(f"{base}/patient/appointments/book/")
    assert "Price: $250.00" in page.locator("#visit-price").inner_text()
    # The home state is chosen and its times shown at once; another state is one choice away.
    assert page.get_by_label(re.compile(r"^\s*Where will you be during the visit")).input_value() == "TX"
    page.get_by_role("navigation", name="Days").get_by_role("link").nth(1).click()  # another day
    page.get_by_role("heading", name="Dr. Ana Reyes").wait_for()
    assert_accessible(page, "booking: times at 375 px")
    page.get_by_role("link", name=re.compile(r"^\d\d?:\d\d [AP]M.*with Dr\. Ana Reyes$")).first.click()
    page.locator("#confirm:focus").wait_for()  # the confirm panel takes the focus
    page.get_by_text("Price: $250.00.").wait_for()
    assert_accessible(page, "booking: confirm at 375 px")
    page.get_by_role("button", name="Book this visit").click()

    # 3. On booking: the Good Faith Estimate, as a page and a PDF, and the visit to pay.
    page.get_by_role("heading", name="Billing").wait_for()
    page.get_by_text(re.compile("Your video visit is booked for")).wait_for()
    estimate = GoodFaithEstimate.objects.get(patient=patient)
    assert estimate.reason == "scheduled" and estimate.issued_at is not None
    assert_accessible(page, "billing: to pay")
    page.get_by_role("link", name=f"Estimate {estimate.number}").click()
    page.get_by_role("heading", name=f"Good Faith Estimate {estimate.number}").wait_for()
    body = page.locator("main").inner_text()
    required = (
        *("Tessa Morgan", "July 9, 1982", "99204-95", "place of service 10", "NPI 1234567893", "TIN 12-3456789"),
        *("Bluebonnet Compounding", "TIN 42-1837465", "$35.00 to $55.00", "$400", "not a contract"),
    )
    for expected in required:
        assert expected in body, expected
    assert_accessible(page, "good faith estimate")
    text = pdf_text(page, "Download the PDF")
    for expected in (estimate.number, "Tessa Morgan", "99204-95", "$250.00", "1234567893", "12-3456789", "$400"):
        assert expected in text, expected

    # 4. Pay on the (stand-in) Checkout page; Stripe's signed event marks the payment paid.
    page.get_by_role("link", name="← Billing").click()
    page.get_by_role("button", name="Pay $250.00").click()
    page.get_by_role("heading", name="Pay $250.00").wait_for()
    assert page.url.startswith(checkout.api_base + "/c/pay/")
    page.get_by_role("button", name="Pay", exact=True).click()
    page.get_by_text(re.compile(r"Paid on \w+ \d+, \d{4}\. Thank you\.")).wait_for()
    payment = Payment.objects.get(patient=patient)
    assert payment.status == "paid" and payment.amount_cents == 25_000
    assert StripeEvent.objects.filter(type="checkout.session.completed", payment=payment).count() == 1
    assert checkout.deliveries == [("checkout.session.completed", 200)]
    # Stripe was told ids and the amount, never who the patient is or what the visit is for.
    assert "Tessa" not in checkout.sent_text() and "Morgan" not in checkout.sent_text()
    assert_accessible(page, "payment: paid")

    # 5. The receipt.
    receipt = pdf_text(page, f"Download receipt {payment.receipt_number} (PDF)")
    for expected in (payment.receipt_number, "Tessa Morgan", "$250.00", "99204-95"):
        assert expected in receipt, expected

    # 6. After the visit: a superbill for the period, with the codes a claim needs.
    visit = Appointment.objects.get(patient=patient)
    took_place = timezone.now() - dt.timedelta(hours=2)
    Appointment.objects.filter(pk=visit.pk).update(
        starts_at=took_place, ends_at=took_place + dt.timedelta(minutes=45), status="completed"
    )
    page.goto(f"{base}/patient/billing/")
    page.get_by_label("From").fill((took_place - dt.timedelta(days=1)).strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Get a superbill").click()
    page.get_by_text(re.compile(r"Superbill SB-\d+ is being prepared")).wait_for()
    page.reload()
    superbill_link = page.get_by_role("link", name=re.compile(r"Download superbill SB-\d+ \(PDF\)"))
    superbill = pdf_text(page, superbill_link.inner_text())
    for expected in ("Superbill", "Tessa Morgan", "99204-95", "1234567893", "12-3456789", "$250.00", "Dr. Ana Reyes"):
        assert expected in superbill, expected
    assert_accessible(page, "billing: paid, with superbill")
    # The emails say only that documents are ready: no codes, amounts or medicine (rendered here
    # as the sender renders them; quiet hours decide only when they leave).
    from portal.models import Reminder
    from portal.reminders import render_email

    ready = Reminder.objects.filter(kind="billing-document-ready", recipient=patient.user)
    assert ready.count() == 3  # the estimate, the receipt, the superbill
    for reminder in ready:
        message = render_email(reminder)
        assert "ready" in message.subject.lower()
        for secret in ("99204", "$250", "naltrexone", "Morgan"):
            assert secret not in message.subject + message.body, secret
