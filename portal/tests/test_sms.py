"""Text reminders through Telnyx Messaging: the official client against a local stand-in of its
API, the reminder engine's texts, failures and retries, and words that carry no health data."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from patients.tests.factories import PatientFactory, appointment_at
from patients.visits.reminders import appointment_reminder_schedule
from portal.models import Reminder
from portal.reminders import reminders_mark_failed, reminders_send, render_sms
from portal.sms import LocmemSMSBackend, LogSMSBackend, SMSSendError, reply_keyword
from portal.sms.numbers import phone_for_display, phone_to_e164
from portal.sms.telnyx import TelnyxSMSBackend
from portal.tests.factories import UserFactory
from portal.tests.telnyx_sms_standin import API_KEY, PRACTICE_NUMBER, PROFILE_ID, TelnyxSMSStandIn

CHICAGO = "America/Chicago"
NOON_CHICAGO = dt.datetime(2026, 6, 10, 17, 0, tzinfo=dt.UTC)
PHONE = "+15125550123"


@pytest.fixture
def telnyx_sms(settings):
    standin = TelnyxSMSStandIn()
    settings.TELNYX_BASE_URL = standin.start()
    settings.TELNYX_API_KEY = API_KEY
    settings.TELNYX_SMS_FROM = PRACTICE_NUMBER
    settings.TELNYX_MESSAGING_PROFILE_ID = PROFILE_ID
    settings.TELNYX_PUBLIC_KEY = standin.public_key
    settings.SMS_BACKEND = "portal.sms.telnyx.TelnyxSMSBackend"
    yield standin
    standin.stop()


def texting_patient(**user):
    """A patient who verified their number and turned texts on."""
    return PatientFactory(
        user=UserFactory(phone=PHONE, phone_verified_at=NOON_CHICAGO - dt.timedelta(days=1), **user),
        sms_opt_out=False,
        legal_first_name="Rosa",
        legal_last_name="Diaz",
    )


def visit_reminder(patient) -> Reminder:
    """The "visit tomorrow" reminder of a visit tomorrow afternoon, scheduled as booking does."""
    appointment = appointment_at(patient, NOON_CHICAGO + dt.timedelta(days=1, hours=2))
    with time_machine.travel(NOON_CHICAGO - dt.timedelta(days=3), tick=False):
        return appointment_reminder_schedule(appointment)


def email_appointment(reminder: Reminder):
    from patients.models import Appointment

    return Appointment.objects.get(pk=reminder.subject.partition(":")[2])


def sms_row(patient) -> Reminder:
    return Reminder.objects.get(recipient=patient.user, channel=Reminder.Channel.SMS)


def send_due(reminder: Reminder) -> dict:
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.QUEUED)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        return reminders_send([reminder.pk])


def test_the_backend_sends_through_telnyxs_client_with_the_practices_number_and_a_key(telnyx_sms):
    TelnyxSMSBackend().send(to=PHONE, body="Hello. Reply STOP to opt out.", user_id=7, kind="k", reference="ref-1")
    (message,) = telnyx_sms.messages
    assert message["to"][0]["phone_number"] == PHONE
    assert message["from"]["phone_number"] == PRACTICE_NUMBER
    assert message["messaging_profile_id"] == PROFILE_ID
    assert message["text"] == "Hello. Reply STOP to opt out."
    assert telnyx_sms.requests == [("POST", "/v2/messages", "ref-1")]


def test_a_send_repeated_with_the_same_key_makes_one_text(telnyx_sms):
    backend = TelnyxSMSBackend()
    backend.send(to=PHONE, body="Hi", reference="reminder-9")
    backend.send(to=PHONE, body="Hi", reference="reminder-9")
    assert len(telnyx_sms.messages) == 1


def test_telnyx_refusals_say_whether_a_retry_can_help(telnyx_sms):
    telnyx_sms.send_answers.extend([400, 503, 429])
    backend = TelnyxSMSBackend()
    with pytest.raises(SMSSendError) as refused:
        backend.send(to=PHONE, body="Hi")
    assert refused.value.permanent and "400" in refused.value.reason and PHONE not in refused.value.reason
    with pytest.raises(SMSSendError) as outage:
        backend.send(to=PHONE, body="Hi")
    assert not outage.value.permanent
    with pytest.raises(SMSSendError) as slow_down:
        backend.send(to=PHONE, body="Hi")
    assert not slow_down.value.permanent


def test_a_wrong_api_key_is_a_permanent_refusal(telnyx_sms, settings):
    settings.TELNYX_API_KEY = "KEY-wrong"
    with pytest.raises(SMSSendError) as refused:
        TelnyxSMSBackend().send(to=PHONE, body="Hi")
    assert refused.value.permanent and "401" in refused.value.reason


def test_telnyx_that_cannot_be_reached_is_a_passing_failure(settings):
    settings.TELNYX_API_KEY = API_KEY
    settings.TELNYX_SMS_FROM = PRACTICE_NUMBER
    settings.TELNYX_BASE_URL = "http://127.0.0.1:9/v2"  # nothing listens on the discard port
    with pytest.raises(SMSSendError) as failure:
        TelnyxSMSBackend().send(to=PHONE, body="Hi")
    assert not failure.value.permanent


def test_unconfigured_telnyx_refuses_to_start(settings):
    settings.TELNYX_API_KEY = ""
    with pytest.raises(SMSSendError, match="not configured"):
        TelnyxSMSBackend()


@pytest.mark.django_db
def test_a_visit_reminder_also_goes_by_text_through_telnyx_with_how_to_stop(telnyx_sms):
    patient = texting_patient()
    email = visit_reminder(patient)
    with time_machine.travel(NOON_CHICAGO - dt.timedelta(days=3), tick=False):
        appointment_reminder_schedule(email_appointment(email))  # twice is harmless, for the text too
    text = sms_row(patient)
    assert text.due_at == email.due_at and text.kind == "appointment-tomorrow"
    assert send_due(text)["sent"] == [text.pk]
    (message,) = telnyx_sms.messages
    assert message["to"][0]["phone_number"] == PHONE
    assert message["text"].endswith("Reply STOP to opt out.")
    assert telnyx_sms.requests[-1][2] == f"reminder-{text.pk}"
    text.refresh_from_db()
    assert text.status == Reminder.Status.SENT


@pytest.mark.django_db
def test_a_failed_text_is_retried_like_an_email_and_then_marked_failed(telnyx_sms):
    patient = texting_patient()
    visit_reminder(patient)
    text = sms_row(patient)
    telnyx_sms.send_answers.extend([503])
    assert send_due(text)["failed"] == [text.pk]
    text.refresh_from_db()
    assert text.status == Reminder.Status.QUEUED  # the worker's retry sends it again
    assert send_due(text)["sent"] == [text.pk]
    assert len(telnyx_sms.messages) == 1

    other = texting_patient(email="second@example.org")
    visit_reminder(other)
    second = sms_row(other)
    telnyx_sms.send_answers.extend([503])
    assert send_due(second)["failed"] == [second.pk]
    reminders_mark_failed([second.pk], reason="delivery failed after retries")
    second.refresh_from_db()
    assert second.status == Reminder.Status.FAILED


@pytest.mark.django_db
def test_no_text_is_scheduled_for_a_number_that_is_not_verified():
    patient = PatientFactory(user=UserFactory(phone=PHONE), sms_opt_out=False)
    visit_reminder(patient)
    assert not Reminder.objects.filter(recipient=patient.user, channel=Reminder.Channel.SMS).exists()


@pytest.mark.django_db
def test_a_text_for_a_patient_who_turned_texts_off_is_skipped(settings):
    settings.SMS_BACKEND = "portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    patient = texting_patient()
    visit_reminder(patient)
    patient.sms_opt_out = True
    patient.save()
    text = sms_row(patient)
    assert send_due(text)["skipped"] == [text.pk]
    text.refresh_from_db()
    assert text.status_reason == "patient opted out of text reminders"
    assert LocmemSMSBackend.outbox == []


@pytest.mark.django_db
def test_a_text_to_a_number_no_longer_verified_is_skipped(settings):
    settings.SMS_BACKEND = "portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    patient = texting_patient()
    visit_reminder(patient)
    patient.user.phone_verified_at = None
    patient.user.save()
    text = sms_row(patient)
    assert send_due(text)["skipped"] == [text.pk]
    assert LocmemSMSBackend.outbox == []


@pytest.mark.django_db
def test_texts_carry_no_names_medicines_or_doses(settings):
    settings.SMS_BACKEND = "portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    patient = texting_patient()
    visit_reminder(patient)
    assert send_due(sms_row(patient))["sent"]
    bodies = [m["body"] for m in LocmemSMSBackend.outbox]
    bodies += [render_sms(Reminder(kind=kind, channel="sms")) for kind in settings.SMS_REMINDER_KINDS]
    bodies.append(render_to_string("sms/phone-code.txt", {"code": "123456", "minutes": 10}))
    assert len(bodies) == len(settings.SMS_REMINDER_KINDS) + 2
    for body in bodies:
        lowered = body.lower()
        assert "reply stop to opt out" in lowered
        for word in ("rosa", "diaz", "naltrexone", "ldn", "dose", " mg", "pain", "opioid", "prescription",
                     "fibromyalgia", "refill", "capsule", "pharmacy", "dr."):  # fmt: skip
            assert word not in lowered, (word, body)


def test_the_log_backend_logs_neither_the_number_nor_the_words(caplog):
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        LogSMSBackend().send(to=PHONE, body="secret words", user_id=3, kind="appointment-tomorrow")
    assert "user 3" in caplog.text
    assert PHONE not in caplog.text and "secret" not in caplog.text


def test_the_telnyx_backend_logs_neither_the_number_nor_the_words(telnyx_sms, caplog):
    with caplog.at_level(logging.INFO, logger="portal.sms"):
        TelnyxSMSBackend().send(to=PHONE, body="secret words", user_id=3, kind="appointment-tomorrow")
    assert "accepted by Telnyx" in caplog.text
    assert PHONE not in caplog.text and "secret" not in caplog.text


def test_phone_numbers_are_kept_in_e164_and_shown_the_us_way():
    assert phone_to_e164("(512) 555-0123") == PHONE
    assert phone_to_e164("+1 512 555 0123") == PHONE
    assert phone_for_display(PHONE) == "(512) 555-0123"
    for bad in ("555-0123", "12345", "+44 20 7946 0958", "call me"):
        with pytest.raises(ValidationError):
            phone_to_e164(bad)


@pytest.mark.parametrize(
    ("reply", "keyword"),
    [("STOP", "stop"), (" stop ", "stop"), ("Stop.", "stop"), ("STOPALL", "stop"), ("unsubscribe", "stop"),
     ("CANCEL", "stop"), ("end", "stop"), ("Quit", "stop"), ("START", "start"), ("unstop", "start"),
     ("HELP", "help"), ("info", "help"), ("please stop texting", "other"), ("", "other")],
)  # fmt: skip
def test_replies_are_read_as_carriers_read_them(reply, keyword):
    assert reply_keyword(reply) == keyword
