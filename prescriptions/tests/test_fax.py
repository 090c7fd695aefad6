"""Orders by fax: the prescription PDF, the default and Telnyx backends, retries and the work item
(docs/domain.md "Orders by fax")."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable
from pypdf import PdfReader

from portal.celery import app as celery_app
from portal.models import Reminder, ServiceState
from portal.tests.factories import state
from prescriptions.fax import selectors as fax_selectors
from prescriptions.fax import sending
from prescriptions.fax import services as fax_services
from prescriptions.fax import tasks as fax_tasks
from prescriptions.fax.backends import StoredFaxBackend
from prescriptions.fax.pdf import prescription_pdf
from prescriptions.models import FaxTransmission, Pharmacy, StateDefaultPharmacy
from prescriptions.tests.factories import PharmacyFactory, PharmacyLicenseFactory, make_draft, make_plan, sign
from prescriptions.tests.telnyx_standin import API_KEY, TelnyxStandIn
from tests.helpers import free_port

T = FaxTransmission.Status


@pytest.fixture(autouse=True)
def private_storage(private_storage, settings):
    """The root conftest's throwaway storage, and the default (storing) fax backend."""
    settings.FAX_BACKEND = "prescriptions.fax.backends.StoredFaxBackend"
    return private_storage


@pytest.fixture
def fax_pharmacy(db):
    """A Texas pharmacy outside the portal, the practice's default there, receiving orders by fax."""
    pharmacy = PharmacyFactory(name="Hill Country Apothecary", order_delivery="fax", fax="(512) 555-0199")
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("TX"))
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": pharmacy}
    )
    return pharmacy


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks, **plan_kwargs):
    plan = make_plan(approved_patient, physician, **plan_kwargs)
    draft = make_draft(plan, physician)
    with django_capture_on_commit_callbacks(execute=True):
        order = sign(draft, physician)
    return order


# --- the PDF ---------------------------------------------------------------------------------------


def test_the_prescription_pdf_carries_every_required_field_and_the_orders_arithmetic(sent_order):
    order = sent_order
    pdf = prescription_pdf(order)
    text = " ".join(pdf_text(pdf.content).split())
    assert pdf.content.startswith(b"%PDF") and pdf.pages >= 1
    expected = [
        order.prescriber_name, f"NPI {order.prescriber_npi}", order.prescriber_license_number, "Texas (TX)",
        order.patient_name, order.patient_dob.strftime("%m/%d/%Y"), order.patient_phone,
        order.patient_allergies, "Naltrexone hydrochloride (compounded)", "1.0 mg/mL", "Oral liquid",
        f"Refills {order.refills}", order.indication_code, order.content_hash,
        order.signed_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago")).strftime("%m/%d/%Y %H:%M"),
        *order.ship_to_lines,
        *order.patient_address.splitlines(),
    ]  # fmt: skip
    missing = [value for value in expected if value not in text]
    assert missing == []
    # The quantity and its arithmetic are the order's own.
    quantity = order.quantity_breakdown()
    assert f"Quantity {order.quantity:.0f} {order.quantity_unit}" in text
    for line in quantity.explanation():
        assert line in text
    # Every titration step is written out, each with its dose.
    assert " ".join(order.sig.split()) in text
    for segment in order.dose_segments:
        assert f"{segment['dose_mg']} mL ({segment['dose_mg']} mg)" in text


def test_a_capsule_prescription_states_the_filler_and_whole_capsules(approved_patient, physician, tx_pharmacy):
    plan = make_plan(approved_patient, physician, formulation="capsule")
    order = sign(make_draft(plan, physician, capsule_strength_mg=Decimal("1.5")), physician)
    text = " ".join(pdf_text(prescription_pdf(order).content).split())
    assert "1.5 mg per capsule" in text and "microcrystalline cellulose" in text
    assert f"Quantity {int(order.quantity)} capsules" in text
    assert f"Total: {int(order.quantity_breakdown().exact_total)} capsules" in text


def test_a_draft_has_no_prescription_pdf(draft):
    with pytest.raises(ValueError):
        prescription_pdf(draft)


# --- signing for a fax pharmacy: the default backend ----------------------------------------------


def test_signing_for_a_fax_pharmacy_stores_the_pdf_and_logs_only_ids(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, caplog, private_storage
):
    caplog.set_level(logging.INFO, logger="prescriptions.fax")
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    assert order.status == "sent"
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts, transmission.to_number) == (T.SENT, 1, "+15125550199")
    assert transmission.sent_at and transmission.page_count >= 1
    stored = transmission.document.read()
    assert __import__("hashlib").sha256(stored).hexdigest() == transmission.document_sha256
    assert default_storage.exists(transmission.provider_id)  # the spool copy
    assert transmission.provider_id.startswith("fax-spool/")
    assert str(private_storage) in default_storage.path(transmission.provider_id)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("prescriptions.fax")]
    assert lines == [
        f"fax transmission {transmission.pk} for order {order.pk} stored for sending ({transmission.page_count} page{'s' if transmission.page_count != 1 else ''})"
    ]
    for secret in (order.patient_name, approved_patient.legal_last_name, "555", "mg", "altrexone"):
        assert secret not in lines[0]


def test_the_fax_goes_only_after_the_signing_commits(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks
):
    plan = make_plan(approved_patient, physician)
    draft = make_draft(plan, physician)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = sign(draft, physician)
        assert FaxTransmission.objects.get(order=order).status == T.QUEUED
    assert FaxTransmission.objects.get(order=order).status == T.QUEUED
    for callback in callbacks:
        callback()
    assert FaxTransmission.objects.get(order=order).status == T.SENT


def test_signing_for_a_portal_pharmacy_sends_no_fax(sent_order):
    assert sent_order.status == "sent"
    assert not FaxTransmission.objects.exists()


def test_a_fax_pharmacy_without_a_usable_number_cannot_be_signed_for(approved_patient, physician, fax_pharmacy):
    Pharmacy.objects.filter(pk=fax_pharmacy.pk).update(fax="")
    plan = make_plan(approved_patient, physician)
    draft = make_draft(plan, physician)
    with pytest.raises(ValidationError, match="fax number is missing"):
        sign(draft, physician)
    draft.refresh_from_db()
    assert draft.status == "draft" and not FaxTransmission.objects.exists()


def test_the_admin_refuses_fax_delivery_without_a_valid_fax_number(db):
    pharmacy = Pharmacy(name="X", address_line1="1", city="A", state_code="TX", postal_code="1", phone="1")
    pharmacy.order_delivery = "fax"
    with pytest.raises(ValidationError) as refusal:
        pharmacy.full_clean()
    assert "fax" in refusal.value.message_dict
    pharmacy.fax = "555-01"
    with pytest.raises(ValidationError, match="area code"):
        pharmacy.full_clean()
    pharmacy.fax = "+1 512.555.0199"
    pharmacy.full_clean()
    assert pharmacy.fax_e164 == "+15125550199"


# --- Telnyx, against the local stand-in ------------------------------------------------------------


@pytest.fixture
def telnyx(settings):
    # A retried task is applied again in-process, as a worker would after the countdown
    # (Celery's eager mode re-applies a retry instead of raising it when errors do not propagate).
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    standin = TelnyxStandIn()
    settings.TELNYX_BASE_URL = standin.start()
    settings.TELNYX_API_KEY = API_KEY
    settings.TELNYX_FAX_CONNECTION_ID = "1234567890"
    settings.TELNYX_FAX_FROM = "+15125550100"
    settings.FAX_BACKEND = "prescriptions.fax.telnyx.TelnyxFaxBackend"
    settings.FAX_MAX_ATTEMPTS = 3
    yield standin
    standin.stop()
    celery_app.conf.task_eager_propagates = propagates  # the app is shared by every test in the process


def test_telnyx_receives_the_pdf_and_reports_it_delivered(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx
):
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert transmission.status == T.SENT and transmission.attempts == 1
    assert transmission.provider_id in telnyx.faxes
    fax = telnyx.faxes[transmission.provider_id]
    assert (fax["to"], fax["from"], fax["connection_id"]) == ("+15125550199", "+15125550100", "1234567890")
    # Telnyx got exactly the stored PDF, named without anything about the patient.
    assert telnyx.media[fax["media_name"]] == transmission.document.read()
    assert fax["media_name"].startswith(f"rx-{transmission.pk}-")
    assert [r[:2] for r in telnyx.requests] == [
        ("POST", "/v2/media"),
        ("POST", "/v2/faxes"),
        ("GET", f"/v2/faxes/{transmission.provider_id}"),
    ]


def test_a_telnyx_refusal_fails_the_fax_at_once_with_telnyxs_reason(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx
):
    telnyx.create_answers.append(422)
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts) == (T.FAILED, 1)
    assert transmission.reason == "Telnyx answered 422 (Invalid value: The 'to' number is not a valid fax number.)"
    assert list(fax_selectors.failed_faxes_for(physician)) == [transmission]


def test_a_telnyx_outage_is_retried_with_backoff_until_it_goes_through(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx
):
    telnyx.create_answers.extend([503, 503])
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts, transmission.reason) == (T.SENT, 3, "")


def test_a_fax_that_keeps_failing_stops_after_the_last_attempt_and_raises_a_work_item(
    approved_patient, physician, outsider_physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx
):
    telnyx.create_answers.extend([503, 503, 503, 503])
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts) == (T.FAILED, 3)
    assert transmission.reason.startswith("Telnyx answered 503")
    assert len(telnyx.faxes) == 0
    assert list(fax_selectors.failed_faxes_for(physician)) == [transmission]
    assert list(fax_selectors.failed_faxes_for(outsider_physician)) == []


def test_a_fax_reported_failed_by_telnyx_is_sent_again_then_given_up(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx
):
    telnyx.final_status = "failed"
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts) == (T.FAILED, 3)
    assert transmission.reason == "Telnyx: receiver_no_answer"
    assert len(telnyx.faxes) == 3


def test_the_physician_sends_a_failed_fax_again(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx
):
    telnyx.create_answers.extend([503, 503, 503])
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    failed = FaxTransmission.objects.get(order=order)
    assert failed.status == T.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        retry = fax_services.fax_transmission_retry(transmission=failed, physician=physician)
    retry.refresh_from_db()
    assert (retry.status, retry.retry_of, retry.requested_by) == (T.SENT, failed, physician)
    assert list(fax_selectors.failed_faxes_for(physician)) == []
    with pytest.raises(ValidationError, match="already been sent again"):
        fax_services.fax_transmission_retry(transmission=failed, physician=physician)


def test_only_a_failed_fax_is_sent_again_and_only_by_a_licensed_physician(
    approved_patient, physician, outsider_physician, fax_pharmacy, django_capture_on_commit_callbacks
):
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    sent = FaxTransmission.objects.get(order=order)
    with pytest.raises(ValidationError, match="Only a failed fax"):
        fax_services.fax_transmission_retry(transmission=sent, physician=physician)
    FaxTransmission.objects.filter(pk=sent.pk).update(status=T.FAILED, reason="x")
    with pytest.raises(__import__("django.core.exceptions").core.exceptions.PermissionDenied):
        fax_services.fax_transmission_retry(transmission=sent, physician=outsider_physician)


# --- never twice: a fax that may have gone out is not sent again by itself --------------------------


def test_a_fax_telnyx_took_without_answering_is_not_sent_again_by_itself(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx, settings
):
    settings.TELNYX_TIMEOUT_SECONDS = 0.3
    telnyx.create_answers.append("slow")
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts) == (T.FAILED, 1)
    assert "may have gone out" in transmission.reason and "Check with the pharmacy" in transmission.reason
    assert len(telnyx.faxes) == 1
    assert [path for method, path, _ in telnyx.requests if method == "POST"] == ["/v2/media", "/v2/faxes"]
    assert list(fax_selectors.failed_faxes_for(physician)) == [transmission]


def test_a_fax_service_that_cannot_be_reached_is_retried_until_the_last_attempt(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, telnyx, settings
):
    settings.TELNYX_BASE_URL = f"http://127.0.0.1:{free_port()}/v2"  # nothing listens: never sent
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts) == (T.FAILED, settings.FAX_MAX_ATTEMPTS)
    assert transmission.reason == "The fax service could not be reached."


def test_an_unexpected_error_while_sending_fails_the_fax_for_the_physician_without_a_resend(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []

    def broken_send(self, **kwargs):
        calls.append(kwargs["transmission_id"])
        raise RuntimeError("connection reset after the request was written")

    monkeypatch.setattr(StoredFaxBackend, "send", broken_send)
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)
    transmission = FaxTransmission.objects.get(order=order)
    assert (transmission.status, transmission.attempts, len(calls)) == (T.FAILED, 1, 1)
    assert "may have gone out" in transmission.reason
    # The prescriber's "update in your portal" email is written with the failure.
    assert Reminder.objects.filter(kind="portal-update", recipient=order.prescriber).exists()


def test_an_attempt_that_died_mid_send_is_failed_by_the_redelivered_task_not_sent_again(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks
):
    plan = make_plan(approved_patient, physician)
    with django_capture_on_commit_callbacks(execute=False):
        order = sign(make_draft(plan, physician), physician)
    transmission = FaxTransmission.objects.get(order=order)
    # A worker claimed it and was killed before it recorded the fax service's answer.
    just_now = timezone.now() - dt.timedelta(minutes=1)
    FaxTransmission.objects.filter(pk=transmission.pk).update(status=T.SENDING, attempts=1, last_attempt_at=just_now)
    assert sending.fax_transmission_attempt(transmission_id=transmission.pk) == sending.NOTHING
    transmission.refresh_from_db()
    assert transmission.status == T.SENDING  # another worker may still be sending it

    long_ago = timezone.now() - sending.ATTEMPT_ABANDONED_AFTER - dt.timedelta(minutes=1)
    FaxTransmission.objects.filter(pk=transmission.pk).update(last_attempt_at=long_ago)
    assert sending.fax_transmission_attempt(transmission_id=transmission.pk) == sending.FAILED
    transmission.refresh_from_db()
    assert (transmission.status, transmission.attempts) == (T.FAILED, 1)
    assert transmission.reason == sending.OUTCOME_UNKNOWN
    assert not default_storage.exists(f"fax-spool/transmission-{transmission.pk}.pdf")


def test_a_broker_outage_at_signing_leaves_the_fax_queued_for_the_sweep(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise BrokerUnreachable("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(fax_tasks.fax_transmission_send, "apply_async", unreachable)
    order = signed_for_fax(approved_patient, physician, django_capture_on_commit_callbacks)  # no error
    transmission = FaxTransmission.objects.get(order=order)
    assert transmission.status == T.QUEUED
    monkeypatch.undo()
    assert sending.fax_transmissions_stalled() == []  # not yet: its task may still come
    later = timezone.now() + sending.ATTEMPT_ABANDONED_AFTER + dt.timedelta(minutes=1)
    assert sending.fax_transmissions_stalled(now=later) == [transmission.pk]
    with time_machine.travel(later):
        assert fax_tasks.fax_transmissions_resume() == 1
    transmission.refresh_from_db()
    assert (transmission.status, transmission.attempts) == (T.SENT, 1)


def test_the_sweep_leaves_faxes_in_hand_alone_and_fails_abandoned_attempts(
    approved_patient, physician, fax_pharmacy, django_capture_on_commit_callbacks
):
    plan = make_plan(approved_patient, physician)
    with django_capture_on_commit_callbacks(execute=False):
        order = sign(make_draft(plan, physician), physician)
    transmission = FaxTransmission.objects.get(order=order)
    now = timezone.now()
    waiting_retry = now - dt.timedelta(minutes=30)  # within the backoff cap: its retry will come
    FaxTransmission.objects.filter(pk=transmission.pk).update(attempts=2, last_attempt_at=waiting_retry)
    assert sending.fax_transmissions_stalled(now=now) == []
    polled = now - dt.timedelta(hours=1)  # accepted by the service: the poll follows it
    FaxTransmission.objects.filter(pk=transmission.pk).update(status=T.SENDING, provider_id="x", last_attempt_at=polled)
    assert sending.fax_transmissions_stalled(now=now) == []
    FaxTransmission.objects.filter(pk=transmission.pk).update(provider_id="")
    assert sending.fax_transmissions_stalled(now=now) == [transmission.pk]
    fax_tasks.fax_transmissions_resume()
    transmission.refresh_from_db()
    assert (transmission.status, transmission.reason) == (T.FAILED, sending.OUTCOME_UNKNOWN)


def test_beat_resumes_stalled_faxes_every_five_minutes():
    from django.conf import settings

    from portal.celery import app

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "prescriptions.fax.resume"]
    assert entries == [{"task": "prescriptions.fax.resume", "schedule": 300.0}]
    app.loader.import_default_modules()
    assert "prescriptions.fax.resume" in app.tasks
