"""Billing documents as PDFs: estimates, receipts and superbills rendered from what was frozen,
checked field by field in the text of the PDF; the PHI-free "document ready" email; the resume
task and idempotency (docs/domain.md "Cash pay")."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template import Context, Template
from kombu.exceptions import OperationalError as BrokerUnreachable
from pypdf import PdfReader

from patients.billing import pdf, selectors, services, tasks
from patients.billing.notifications import DOCUMENT_READY_KIND
from patients.intake.services import intake_review
from patients.models import GoodFaithEstimate, Payment, Superbill
from patients.tests.booking_helpers import local
from patients.tests.factories import FeeScheduleFactory, appointment_at, complete_intake, paid_payment
from portal.models import Reminder, ServiceState
from portal.reminders import reminder_send
from portal.tests.factories import PhysicianFactory, state
from prescriptions.models import PharmacyPriceRange, PrescriptionOrder, StateDefaultPharmacy
from prescriptions.tests.factories import PharmacyFactory, PharmacyLicenseFactory, make_draft, make_plan, sign

UTC = dt.UTC


@pytest.fixture
def schedule(db):
    return FeeScheduleFactory()


@pytest.fixture
def rosa(clock, patient):
    """The TX patient with her intake submitted: Rosa Diaz, born 17 May 1980, 1 Congress Ave,
    Austin; fibromyalgia (M79.7). The clock stands at Monday 2 March 2026, 09:00 in Chicago."""
    complete_intake(patient)
    patient.refresh_from_db()
    return patient


@pytest.fixture
def dr_lee(db):
    return PhysicianFactory(first_name="Ana", last_name="Lee", npi="1555555555")


def pdf_lines(content: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def flat_text(lines: list[str]) -> str:
    return " ".join(lines)


def stored_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def issued(create, django_capture_on_commit_callbacks):
    """Create a document and let its render task run as the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        document = create()
    document.refresh_from_db()
    return document


# --- the estimate --------------------------------------------------------------------------------


def test_the_estimate_pdf_says_what_the_frozen_content_says(rosa, schedule, dr_lee, django_capture_on_commit_callbacks):
    pharmacy = PharmacyFactory(name="Hill Country Compounding", npi="1987654321")
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.create(state=ServiceState.objects.get(code="TX"), pharmacy=pharmacy)
    PharmacyPriceRange.objects.create(
        pharmacy=pharmacy, formulation="oral_liquid", low_cents=3_500, high_cents=6_000, updated_on=dt.date(2026, 2, 1)
    )
    appointment = appointment_at(rosa, local(2026, 3, 16, 10), physician=dr_lee)
    estimate = issued(
        lambda: services.estimate_issue_for_visit(appointment=appointment, reason="scheduled"),
        django_capture_on_commit_callbacks,
    )
    content = stored_bytes(estimate.pdf)
    lines = pdf_lines(content)
    text = "\n".join(lines)

    assert estimate.pdf.name == f"billing/2026/03/{estimate.number}.pdf"
    assert estimate.pdf_sha256 == hashlib.sha256(content).hexdigest()
    assert estimate.issued_at == dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert lines[0] == "Good Faith Estimate"
    assert f"Estimate number {estimate.number}" in lines
    assert "Date issued March 2, 2026" in lines
    assert "Why it was issued A visit was booked" in lines
    assert "Name Rosa Diaz" in lines
    assert "Date of birth May 17, 1980" in lines
    assert "Service Video visit, new patient (Initial consultation, 45 minutes)" in lines
    assert "Scheduled for March 16, 2026 (Monday, March 16, 2026 at 10:00 AM CDT)" in lines
    assert "M79.7 — Fibromyalgia (from your intake)" in lines
    # The practice, with its identity and the visit's line.
    assert "Lakeside LDN Care PLLC (convening provider)" in lines
    assert "NPI: 1234567893 · TIN: 12-3456789" in lines
    assert "Address: 100 Main Street, Suite 200, Austin, TX 78701" in lines
    assert "Where: By secure video, with the patient in Texas (TX)" in lines
    assert "Video visit, new patient 99204-95 10 M79.7 $250.00" in lines
    # The pharmacy, a co-provider with a range and no TIN on file.
    assert "Hill Country Compounding (co-provider)" in lines
    assert "NPI: 1987654321 · TIN: not available" in lines
    assert "Total expected from Hill Country Compounding $35.00 to $60.00" in lines
    assert "Total estimated charges: $285.00 to $310.00" in lines
    # Separately scheduled visits, the statement above them, the policy and every disclaimer.
    assert "Services scheduled separately" in lines
    assert "separate Good Faith Estimate for it when it is booked" in text.replace("\n", " ")
    assert "99214-95" in text and "$150.00" in text
    assert "Cancel at least 24 hours ahead for a full refund." in text
    flat = " ".join(lines)
    for disclaimer in estimate.content["disclaimers"]:
        assert f"{disclaimer['title']}. {disclaimer['text']}" in flat


def test_a_requested_estimate_pdf_says_it_is_not_scheduled_yet(rosa, schedule, django_capture_on_commit_callbacks):
    estimate = issued(lambda: services.estimate_request(patient=rosa), django_capture_on_commit_callbacks)
    lines = pdf_lines(stored_bytes(estimate.pdf))
    assert "Why it was issued The patient asked" in lines
    assert "Scheduled for Not scheduled yet" in lines
    assert "Total estimated charges: $250.00" in lines


@pytest.mark.parametrize(
    ("modifier", "legend"),
    [("95", "Modifier 95 = a visit by live video."), ("93", "Modifier 93 = a visit by telephone (audio only)."),
     ("", None)],
)  # fmt: skip
def test_the_pdfs_explain_only_the_modifier_the_codes_carry(
    rosa, dr_lee, django_capture_on_commit_callbacks, modifier, legend
):
    schedule = FeeScheduleFactory(telehealth_modifier=modifier)
    estimate = issued(lambda: services.estimate_request(patient=rosa), django_capture_on_commit_callbacks)
    paid_payment(appointment_at(rosa, local(2026, 2, 2, 10), physician=dr_lee, status="completed"), schedule,
                 paid_at=local(2026, 2, 2, 11))  # fmt: skip
    superbill = issued(
        lambda: services.superbill_request(
            patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
        ),
        django_capture_on_commit_callbacks,
    )
    for document in (estimate, superbill):
        text = flat_text(pdf_lines(stored_bytes(document.pdf)))
        assert "Place of service codes: 10 = telehealth in the patient's home" in text
        if legend:
            assert legend in text
            assert text.count("Modifier ") == 1
        else:
            assert "Modifier" not in text


# --- the receipt ---------------------------------------------------------------------------------


def test_the_receipt_pdf_shows_the_payment_field_by_field(rosa, schedule, dr_lee, django_capture_on_commit_callbacks):
    appointment = appointment_at(rosa, local(2026, 3, 16, 10), physician=dr_lee)
    payment = paid_payment(appointment, schedule, paid_at=local(2026, 3, 1, 21, 30))  # Sunday evening in Chicago
    with django_capture_on_commit_callbacks(execute=True):
        services.receipt_prepare(payment=payment)
    payment.refresh_from_db()
    content = stored_bytes(payment.receipt_pdf)
    lines = pdf_lines(content)

    assert payment.receipt_number == f"RC-{payment.pk:06d}"
    assert payment.receipt_sha256 == hashlib.sha256(content).hexdigest()
    assert payment.receipt_issued_at is not None
    assert payment.receipt_pdf.name == f"billing/2026/03/{payment.receipt_number}.pdf"
    assert lines[:7] == [
        "Receipt",
        "Lakeside LDN Care PLLC",
        "100 Main Street",
        "Suite 200",
        "Austin, TX 78701",
        "Phone: 512-555-0199 · billing@example.com",
        "NPI: 1234567893 · TIN: 12-3456789",
    ]
    assert f"Receipt number {payment.receipt_number}" in lines
    assert "Date paid March 1, 2026" in lines
    assert "Patient Rosa Diaz" in lines
    assert "Date of birth May 17, 1980" in lines
    assert f"Paid with Card, through Stripe (reference {payment.payment_intent_id})" in lines
    assert "March 16, 2026 Video visit, new patient 99204-95 10 $250.00" in lines
    assert "Total paid (USD) $250.00" in lines


def test_a_receipt_dates_the_visit_on_the_patients_clock(other_patient, schedule):
    other_patient.timezone = "America/Los_Angeles"
    other_patient.save(update_fields=["timezone"])
    late = local(2026, 2, 28, 23, 30, zone=ZoneInfo("America/Los_Angeles"))  # 1 March in Chicago
    payment = paid_payment(appointment_at(other_patient, late, status="completed"), schedule, paid_at=late)
    assert pdf.receipt_context(payment)["service_on"] == "2026-02-28"


def test_a_receipt_is_prepared_once(rosa, schedule, django_capture_on_commit_callbacks):
    payment = paid_payment(appointment_at(rosa, local(2026, 3, 16, 10)), schedule, paid_at=local(2026, 3, 2, 9))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.receipt_prepare(payment=payment)
        services.receipt_prepare(payment=payment)
    assert len(callbacks) == 2  # both enqueue, the second render finds the PDF and stops
    payment.refresh_from_db()
    first = (payment.receipt_number, payment.receipt_sha256, payment.receipt_issued_at)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.receipt_prepare(payment=Payment.objects.get(pk=payment.pk))
    assert callbacks == []  # rendered already: nothing to enqueue
    payment.refresh_from_db()
    assert (payment.receipt_number, payment.receipt_sha256, payment.receipt_issued_at) == first
    assert Reminder.objects.filter(kind=DOCUMENT_READY_KIND, subject=f"patients.payment:{payment.pk}").count() == 1


def test_only_a_paid_payment_gets_a_receipt(rosa, schedule):
    payment = paid_payment(appointment_at(rosa, local(2026, 3, 16, 10)), schedule, paid_at=None, status="pending")
    with pytest.raises(ValueError):
        services.receipt_prepare(payment=payment)
    assert Payment.objects.get(pk=payment.pk).receipt_number is None


def test_receipt_prepare_writes_only_the_receipt_number(rosa, schedule, django_capture_on_commit_callbacks):
    payment = paid_payment(appointment_at(rosa, local(2026, 3, 16, 10)), schedule, paid_at=local(2026, 3, 2, 9))
    payment.failure_reason = "unsaved change the caller will save"
    with django_capture_on_commit_callbacks(execute=False):
        services.receipt_prepare(payment=payment)
    stored = Payment.objects.get(pk=payment.pk)
    assert stored.receipt_number == payment.receipt_number
    assert stored.failure_reason == ""


# --- the superbill -------------------------------------------------------------------------------


@pytest.fixture
def rosas_orders(rosa, physician):
    """Rosa's intake approved and two orders signed: fibromyalgia (M79.7) on 26 January 2026, then
    CRPS I (G90.50) on 10 February (signing stamps the present: the times are written back)."""
    pharmacy = PharmacyFactory()
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": pharmacy}
    )
    intake_review(patient=rosa, physician=physician, decision="approve", override_reason="")
    rosa.refresh_from_db()
    plan = make_plan(rosa, physician)
    for signed_at, code, text in [
        (local(2026, 1, 26, 15), "M79.7", "Fibromyalgia"),
        (local(2026, 2, 10, 15), "G90.50", "CRPS I, unspecified"),
    ]:
        order = sign(make_draft(plan, physician, indication_code=code, indication_text=text), physician)
        PrescriptionOrder.objects.filter(pk=order.pk).update(signed_at=signed_at)


@pytest.fixture
def february_visits(rosa, schedule, dr_lee):
    """Two paid February visits, and five that a superbill of February leaves out."""
    first = paid_payment(
        appointment_at(rosa, local(2026, 2, 2, 10), physician=dr_lee, status="completed"),
        schedule, paid_at=local(2026, 1, 30, 12),
    )  # fmt: skip
    second = paid_payment(
        appointment_at(rosa, local(2026, 2, 16, 10), kind="follow_up", physician=dr_lee, status="completed"),
        schedule, paid_at=local(2026, 2, 16, 11),
    )  # fmt: skip
    # Refunded; outside the period (1 March); still pending; for a cancelled visit.
    paid_payment(appointment_at(rosa, local(2026, 2, 9, 10), physician=dr_lee, status="cancelled"), schedule,
                 paid_at=local(2026, 2, 1, 9), status="refunded", refunded_cents=25_000)  # fmt: skip
    paid_payment(appointment_at(rosa, local(2026, 3, 1, 0, 30), physician=dr_lee, status="completed"), schedule,
                 paid_at=local(2026, 2, 27, 9))  # fmt: skip
    paid_payment(appointment_at(rosa, local(2026, 2, 23, 10), physician=dr_lee, status="completed"), schedule,
                 paid_at=None, status="pending")  # fmt: skip
    paid_payment(appointment_at(rosa, local(2026, 2, 25, 10), physician=dr_lee, status="cancelled"), schedule,
                 paid_at=local(2026, 2, 20, 9))  # fmt: skip
    # Past but never marked completed (it may have been missed).
    paid_payment(appointment_at(rosa, local(2026, 2, 20, 10), physician=dr_lee, status="booked"), schedule,
                 paid_at=local(2026, 2, 19, 9))  # fmt: skip
    for payment in (first, second):
        Payment.objects.filter(pk=payment.pk).update(receipt_number=f"RC-{payment.pk:06d}")
        payment.refresh_from_db()
    return first, second


def test_the_superbill_lists_the_paid_visits_of_the_period_field_by_field(
    rosa, rosas_orders, february_visits, django_capture_on_commit_callbacks
):
    first, second = february_visits
    superbill = issued(
        lambda: services.superbill_request(
            patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
        ),
        django_capture_on_commit_callbacks,
    )
    content = stored_bytes(superbill.pdf)
    lines = pdf_lines(content)
    text = "\n".join(lines)

    assert superbill.number == f"SB-{superbill.pk:06d}"
    assert superbill.total_cents == 40_000
    assert superbill.pdf_sha256 == hashlib.sha256(content).hexdigest()
    assert [line["receipt_number"] for line in superbill.content["lines"]] == [
        first.receipt_number,
        second.receipt_number,
    ]
    assert lines[0] == "Superbill"
    assert "NPI: 1234567893 · TIN: 12-3456789" in lines
    assert f"Superbill number {superbill.number}" in lines
    assert "Date issued March 2, 2026" in lines
    assert "Period February 1, 2026 to February 28, 2026" in lines
    assert "Name Rosa Diaz" in lines
    assert "Date of birth May 17, 1980" in lines
    assert "Address 1 Congress Ave, Austin, TX 78701" in lines
    assert "M79.7 — Fibromyalgia" in lines and "G90.50 — CRPS I, unspecified" in lines
    # Each line: date, service, CPT code with modifier, place of service, diagnosis, physician, amounts.
    assert "02/02/2026" in text and "02/16/2026" in text
    assert "02/09/2026" not in text and "03/01/2026" not in text and "02/23/2026" not in text
    assert "02/25/2026" not in text and "02/20/2026" not in text
    # Each visit with the diagnosis of the order in force that day.
    assert [line["diagnosis_codes"] for line in superbill.content["lines"]] == [["M79.7"], ["G90.50"]]
    assert "Modifier 95 = a visit by live video." in flat_text(lines)
    assert text.count("99204-95") == 1 and text.count("99214-95") == 1
    assert text.count("Dr. Ana Lee") == 2
    assert text.count("1555555555") == 2
    assert "$250.00 $250.00" in text and "$150.00 $150.00" in text
    assert "Totals $400.00 $400.00" in lines
    assert "Balance due: $0.00" in lines


def test_a_superbill_period_is_counted_on_the_patients_clock(rosa, february_visits):
    # Rosa lives in Chicago's zone: her 1 March 00:30 visit is on 1 March.
    superbill = services.superbill_request(
        patient=rosa, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 1)
    )
    assert [line["service_on"] for line in superbill.content["lines"]] == ["2026-03-01"]


def test_a_west_coast_patients_late_visit_is_dated_on_their_own_day(other_patient, schedule, dr_lee):
    other_patient.timezone = "America/Los_Angeles"
    other_patient.save(update_fields=["timezone"])
    # 23:30 on 28 February in Los Angeles is already 1 March in the billing zone (Chicago).
    late = local(2026, 2, 28, 23, 30, zone=ZoneInfo("America/Los_Angeles"))
    paid_payment(appointment_at(other_patient, late, physician=dr_lee, status="completed"), schedule,
                 paid_at=late)  # fmt: skip
    superbill = services.superbill_request(
        patient=other_patient, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
    )
    assert [line["service_on"] for line in superbill.content["lines"]] == ["2026-02-28"]
    with pytest.raises(ValidationError, match="no paid visits in this period"):
        services.superbill_request(
            patient=other_patient, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 1)
        )


def test_a_superbill_never_lists_a_paid_visit_that_was_not_completed(rosa, february_visits):
    # The 20 February visit was paid and is past, but nobody marked it completed.
    listed = selectors.superbill_payments(
        patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
    )
    assert [payment.appointment.status for payment in listed] == ["completed", "completed"]
    with pytest.raises(ValidationError, match="no paid visits in this period"):
        services.superbill_request(patient=rosa, period_start=dt.date(2026, 2, 19), period_end=dt.date(2026, 2, 21))


def test_a_superbill_prints_only_the_codes_a_physician_recorded_by_each_visit(
    rosa, physician, february_visits, django_capture_on_commit_callbacks
):
    # Rosa reported fibromyalgia at intake (M79.7), but no order was signed before 16 February.
    pharmacy = PharmacyFactory()
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": pharmacy}
    )
    intake_review(patient=rosa, physician=physician, decision="approve", override_reason="")
    rosa.refresh_from_db()
    order = sign(make_draft(make_plan(rosa, physician), physician), physician)
    # Signed in the evening after the 16 February visit: it applies to that day's visit.
    PrescriptionOrder.objects.filter(pk=order.pk).update(signed_at=local(2026, 2, 16, 18))
    superbill = issued(
        lambda: services.superbill_request(
            patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
        ),
        django_capture_on_commit_callbacks,
    )
    assert [line["diagnosis_codes"] for line in superbill.content["lines"]] == [[], ["M79.7"]]
    assert superbill.content["diagnoses"] == [{"code": "M79.7", "text": "Fibromyalgia"}]
    text = flat_text(pdf_lines(stored_bytes(superbill.pdf)))
    assert "M79.7 — Fibromyalgia" in text and "from your intake" not in text


def test_a_superbill_without_a_signed_order_prints_no_diagnosis_code(rosa, february_visits):
    # The intake's fibromyalgia (M79.7) is what the patient reported, not a physician's diagnosis.
    superbill = services.superbill_request(
        patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
    )
    assert superbill.content["diagnoses"] == []
    assert [line["diagnosis_codes"] for line in superbill.content["lines"]] == [[], []]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.date(2026, 2, 28), dt.date(2026, 2, 1), "end is before its start"),
        (dt.date(2025, 2, 27), dt.date(2026, 2, 28), "at most one year"),
        (dt.date(2026, 2, 1), dt.date(2026, 3, 3), "cannot end after today"),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31), "no paid visits in this period"),
    ],
)
def test_a_superbill_period_that_cannot_be_billed_is_refused(rosa, february_visits, start, end, message):
    with pytest.raises(ValidationError, match=message):
        services.superbill_request(patient=rosa, period_start=start, period_end=end)
    assert not Superbill.objects.exists()


def test_a_superbill_may_cover_up_to_366_days(rosa, february_visits):
    superbill = services.superbill_request(
        patient=rosa, period_start=dt.date(2025, 3, 1), period_end=dt.date(2026, 3, 1)
    )
    assert (superbill.period_end - superbill.period_start).days + 1 == 366
    assert len(superbill.content["lines"]) == 3


def test_another_patients_payments_are_never_on_a_superbill(rosa, other_patient, schedule, february_visits):
    paid_payment(appointment_at(other_patient, local(2026, 2, 3, 10), status="completed"), schedule,
                 paid_at=local(2026, 2, 3, 11))  # fmt: skip
    superbill = services.superbill_request(
        patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
    )
    assert len(superbill.content["lines"]) == 2
    with pytest.raises(ValidationError):
        services.superbill_request(
            patient=other_patient, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31)
        )


def test_an_issued_superbill_cannot_be_changed(rosa, february_visits):
    superbill = services.superbill_request(
        patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
    )
    superbill.period_end = dt.date(2026, 2, 27)
    with pytest.raises(ValidationError, match="cannot be changed"):
        superbill.save()


# --- rendering is idempotent; the resume task -------------------------------------------------


def test_rendering_again_leaves_an_issued_document_alone(rosa, schedule, django_capture_on_commit_callbacks):
    estimate = issued(lambda: services.estimate_request(patient=rosa), django_capture_on_commit_callbacks)
    before = (estimate.pdf.name, estimate.pdf_sha256, estimate.issued_at)
    assert tasks.render_document("estimate", estimate.pk) == pdf.ALREADY_ISSUED
    estimate.refresh_from_db()
    assert (estimate.pdf.name, estimate.pdf_sha256, estimate.issued_at) == before
    assert Reminder.objects.filter(kind=DOCUMENT_READY_KIND).count() == 1


def test_rendering_an_unknown_document_does_nothing(db):
    assert tasks.render_document("estimate", 999_999) == pdf.MISSING
    with pytest.raises(ValueError):
        tasks.render_document("invoice", 1)


def test_a_document_whose_task_was_lost_is_rendered_by_resume(
    rosa, schedule, clock, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise BrokerUnreachable("no broker")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.render_document, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            estimate = services.estimate_request(patient=rosa)
            payment = paid_payment(appointment_at(rosa, local(2026, 3, 16, 10)), schedule, paid_at=local(2026, 3, 2, 9))
            services.receipt_prepare(payment=payment)
    estimate.refresh_from_db()
    assert not estimate.pdf and estimate.issued_at is None
    assert tasks.resume() == 0  # not stalled yet: its task may still be on its way
    clock.shift(dt.timedelta(minutes=3))
    assert tasks.resume() == 2
    estimate.refresh_from_db()
    payment.refresh_from_db()
    assert estimate.pdf and estimate.issued_at is not None
    assert payment.receipt_pdf and payment.receipt_issued_at is not None
    assert tasks.resume() == 0


# --- the email -----------------------------------------------------------------------------------


def test_the_document_ready_email_names_no_health_or_billing_detail(rosa, schedule, django_capture_on_commit_callbacks):
    estimate = issued(lambda: services.estimate_request(patient=rosa), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(kind=DOCUMENT_READY_KIND)
    assert reminder.subject == f"patients.goodfaithestimate:{estimate.pk}"
    assert reminder.recipient == rosa.user
    Reminder.objects.filter(pk=reminder.pk).update(status="queued")
    assert reminder_send(reminder.pk) == "sent"
    (message,) = mail.outbox
    assert message.to == [rosa.user.email]
    html = message.alternatives[0][0]
    assert "/patient/billing/" in message.body and "/patient/billing/" in html
    assert "ready in your portal" in message.body
    for secret in (
        "Rosa", "Diaz", "1980", "May 17", "M79.7", "ibromyalgia", "$", "250", "99204", "naltrexone",
        estimate.number, "Good Faith", "estimate", "Lakeside",
    ):  # fmt: skip
        assert secret not in message.subject
        assert secret not in message.body
        assert secret not in html


def test_the_document_ready_email_waits_for_the_morning(rosa, schedule, clock, django_capture_on_commit_callbacks):
    clock.move_to(dt.datetime(2026, 3, 3, 3, 0, tzinfo=UTC))  # 21:00 in Chicago
    issued(lambda: services.estimate_request(patient=rosa), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(kind=DOCUMENT_READY_KIND)
    assert reminder.due_at == dt.datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # 08:00 in Chicago


def test_a_document_ready_email_for_a_document_not_issued_is_skipped(
    rosa, schedule, django_capture_on_commit_callbacks
):
    estimate = issued(lambda: services.estimate_request(patient=rosa), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(kind=DOCUMENT_READY_KIND)
    GoodFaithEstimate.objects.filter(pk=estimate.pk).update(issued_at=None)
    Reminder.objects.filter(pk=reminder.pk).update(status="queued")
    assert reminder_send(reminder.pk) == "skipped"
    assert mail.outbox == []


# --- the dollars filter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "shown"),
    [(0, "$0.00"), (5, "$0.05"), (25_000, "$250.00"), (123_400, "$1,234.00"), (100_000_099, "$1,000,000.99"),
     (-150, "-$1.50"), ("2500", "$25.00"), (None, ""), ("", ""), ("abc", ""), (True, "")],
)  # fmt: skip
def test_dollars_shows_cents_as_dollars(cents, shown):
    rendered = Template("{% load billing_tags %}{{ amount|dollars }}").render(Context({"amount": cents}))
    assert rendered == shown


def test_a_patient_reads_only_their_own_superbills(rosa, other_patient, february_visits, physician):
    superbill = services.superbill_request(
        patient=rosa, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)
    )
    assert list(selectors.superbill_list_for(rosa.user)) == [superbill]
    assert selectors.superbill_get_for(rosa.user, superbill.pk) == superbill
    for outsider in (other_patient.user, physician):
        assert not selectors.superbill_list_for(outsider).exists()
        with pytest.raises(Http404):
            selectors.superbill_get_for(outsider, superbill.pk)
