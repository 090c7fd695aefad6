"""The patient's reminder settings page (/patient/profile/notifications/): email and text
reminders, the mobile number proved by a texted code, and STOP/START replies posted by Telnyx to
/sms/inbound/ with an Ed25519 signature (checked by Telnyx's client against a key pair of the
local stand-in)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from nacl.signing import SigningKey

from patients.tests.factories import PatientFactory
from portal.models import PhoneVerification, Reminder, SMSInboundEvent
from portal.sms import LocmemSMSBackend
from portal.tests.factories import UserFactory
from portal.tests.signin import sign_in
from portal.tests.telnyx_sms_standin import TelnyxSMSStandIn

URL = "/patient/profile/notifications/"
WEBHOOK = "/sms/inbound/"
PHONE = "+15125550123"


@pytest.fixture(autouse=True)
def texts(settings):
    settings.SMS_BACKEND = "portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    yield LocmemSMSBackend.outbox
    LocmemSMSBackend.outbox.clear()


@pytest.fixture
def phone_replies(settings):
    """Telnyx's side of replies: signs events with a key whose public half the portal trusts."""
    standin = TelnyxSMSStandIn()
    settings.TELNYX_PUBLIC_KEY = standin.public_key
    return standin


@pytest.fixture
def patient_client(patient):
    client = Client()
    sign_in(client, patient.user)
    return client


def code_in(texts) -> str:
    return re.search(r"\b(\d{6})\b", texts[-1]["body"]).group(1)


def post(client, **data):
    return client.post(URL, data, follow=True)


def refreshed(patient):
    patient.refresh_from_db()
    patient.user.refresh_from_db()
    return patient


def verified_texting_patient(**user):
    return PatientFactory(
        user=UserFactory(phone=PHONE, phone_verified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), **user),
        sms_opt_out=False,
    )


# --- who may open the page ----------------------------------------------------------------------


def test_the_page_has_the_name_and_path_the_profile_links_to():
    assert reverse("patients:notification_settings") == URL
    assert reverse("patients:sms_inbound") == WEBHOOK


@pytest.mark.django_db
def test_the_patient_sees_texts_off_until_they_choose_them(patient_client, patient):
    response = patient_client.get(URL)
    assert response.status_code == 200
    assert response.context["preferences"].initial == {"email_reminders": True, "text_reminders": False}
    assert b"Reply STOP" in response.content or "Reply STOP" in response.content.decode()
    assert patient.sms_opt_out is True


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_other_roles_cannot_open_the_patients_reminder_settings(physician, pharmacy_user, coordinator, admin_user):
    for user in (physician, pharmacy_user, coordinator, admin_user):
        client = Client()
        sign_in(client, user)
        assert client.get(URL).status_code == 403, user.role
        assert client.post(URL, {"action": "preferences", "email_reminders": "on"}).status_code == 403


@pytest.mark.django_db
def test_the_page_refuses_other_methods(patient_client):
    assert patient_client.put(URL).status_code == 405
    assert patient_client.delete(URL).status_code == 405


@pytest.mark.django_db
def test_a_patient_changes_only_their_own_settings(patient_client, patient, other_patient):
    post(patient_client, action="preferences")  # both boxes unticked: email off
    assert refreshed(patient).email_opt_out is True
    assert refreshed(other_patient).email_opt_out is False


# --- email and text preferences ------------------------------------------------------------------


@pytest.mark.django_db
def test_email_reminders_can_be_turned_off_and_on(patient_client, patient):
    post(patient_client, action="preferences")
    assert refreshed(patient).email_opt_out is True
    response = post(patient_client, action="preferences", email_reminders="on")
    assert refreshed(patient).email_opt_out is False
    assert "Your reminder settings are saved." in response.content.decode()


@pytest.mark.django_db
def test_texts_cannot_be_turned_on_without_a_verified_number_and_nothing_is_saved(patient_client, patient):
    response = post(patient_client, action="preferences", text_reminders="on")
    assert response.status_code == 200
    assert "enter the code we text you" in response.content.decode()
    patient = refreshed(patient)
    assert patient.sms_opt_out is True and patient.email_opt_out is False


@pytest.mark.django_db
def test_an_unknown_action_changes_nothing(patient_client, patient):
    response = post(patient_client, action="delete-everything", email_reminders="")
    assert response.status_code == 200
    assert refreshed(patient).email_opt_out is False


# --- the number and its code -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_verified_number_turns_texts_on(patient_client, patient, texts):
    response = post(patient_client, action="phone", phone="(512) 555-0123")
    assert "We texted you a 6-digit code" in response.content.decode()
    (sent,) = texts
    assert sent["to"] == PHONE and sent["kind"] == "phone-code"
    assert sent["body"].endswith("Reply STOP to opt out.")
    code = code_in(texts)
    row = PhoneVerification.objects.get(user=patient.user)
    assert code not in row.code_hash and row.expires_at - row.created_at == dt.timedelta(minutes=10)
    assert refreshed(patient).user.phone == PHONE and patient.user.phone_verified_at is None

    response = post(patient_client, action="verify", code=code)
    assert "text reminders are on" in response.content.decode()
    patient = refreshed(patient)
    assert patient.user.phone_verified_at is not None and patient.sms_opt_out is False


@pytest.mark.django_db
def test_a_number_texts_cannot_reach_is_refused_and_not_saved(patient_client, patient, texts):
    response = post(patient_client, action="phone", phone="555-0123")
    assert "Enter a US mobile number" in response.content.decode()
    assert refreshed(patient).user.phone == "" and texts == []


@pytest.mark.django_db
def test_a_wrong_code_is_counted_and_five_lock_the_code(patient_client, patient, texts):
    post(patient_client, action="phone", phone=PHONE)
    code = code_in(texts)
    wrong = "000000" if code != "000000" else "111111"
    response = post(patient_client, action="verify", code=wrong)
    assert "You can try 4 more times." in response.content.decode()
    for _ in range(4):
        post(patient_client, action="verify", code=wrong)
    response = post(patient_client, action="verify", code=code)
    assert "Too many wrong codes" in response.content.decode()
    patient = refreshed(patient)
    assert patient.user.phone_verified_at is None and patient.sms_opt_out is True
    assert PhoneVerification.objects.get(user=patient.user).attempts == 5


@pytest.mark.django_db
def test_a_code_is_not_a_number(patient_client, patient, texts):
    post(patient_client, action="phone", phone=PHONE)
    response = post(patient_client, action="verify", code="12a456")
    assert "no letters or spaces" in response.content.decode()
    assert PhoneVerification.objects.get(user=patient.user).attempts == 0


@pytest.mark.django_db
def test_a_code_expires_after_ten_minutes(patient_client, patient, texts):
    start = dt.datetime(2026, 6, 10, 17, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        post(patient_client, action="phone", phone=PHONE)
    code = code_in(texts)
    with time_machine.travel(start + dt.timedelta(minutes=10, seconds=1), tick=False):
        response = post(patient_client, action="verify", code=code)
    assert "expired" in response.content.decode()
    assert refreshed(patient).user.phone_verified_at is None


@pytest.mark.django_db
def test_new_codes_wait_a_minute_and_stop_after_five_an_hour(patient_client, patient, texts):
    start = dt.datetime(2026, 6, 10, 17, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        post(patient_client, action="phone", phone=PHONE)
        response = post(patient_client, action="resend")
    assert "wait a minute" in response.content.decode()
    assert len(texts) == 1
    for minute in range(1, 5):
        with time_machine.travel(start + dt.timedelta(minutes=2 * minute), tick=False):
            post(patient_client, action="resend")
    assert len(texts) == 5
    with time_machine.travel(start + dt.timedelta(minutes=12), tick=False):
        response = post(patient_client, action="resend")
    assert "several codes in the last hour" in response.content.decode()
    assert len(texts) == 5
    with time_machine.travel(start + dt.timedelta(minutes=62), tick=False):
        sign_in(patient_client, patient.user)  # a new sign-in: the session idled out meanwhile
        post(patient_client, action="resend")
    assert len(texts) == 6


@pytest.mark.django_db
def test_several_accounts_cannot_flood_one_number(texts):
    start = dt.datetime(2026, 6, 10, 17, 0, tzinfo=dt.UTC)
    clients = []
    for _ in range(6):
        client = Client()
        sign_in(client, PatientFactory().user)
        clients.append(client)
    with time_machine.travel(start, tick=False):
        for client in clients[:5]:
            post(client, action="phone", phone=PHONE)
        assert len(texts) == 5
        response = post(clients[5], action="phone", phone=PHONE)
    assert "This number has been sent several codes in the last hour" in response.content.decode()
    assert len(texts) == 5
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        sign_in(clients[5], PatientFactory().user)
        post(clients[5], action="phone", phone=PHONE)
    assert len(texts) == 6


@pytest.mark.django_db
def test_only_the_newest_code_for_the_current_number_counts(patient_client, patient, texts):
    start = dt.datetime(2026, 6, 10, 17, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        post(patient_client, action="phone", phone=PHONE)
    old_code = code_in(texts)
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        post(patient_client, action="phone", phone="+13125550142")
        response = post(patient_client, action="verify", code=old_code)
    if old_code != code_in(texts):
        assert "not right" in response.content.decode()
        assert refreshed(patient).user.phone_verified_at is None


@pytest.mark.django_db
def test_changing_the_number_unverifies_it_and_turns_texts_off(settings):
    patient = verified_texting_patient()
    client = Client()
    sign_in(client, patient.user)
    post(client, action="phone", phone="+13125550142")
    patient = refreshed(patient)
    assert patient.user.phone == "+13125550142"
    assert patient.user.phone_verified_at is None and patient.sms_opt_out is True


@pytest.mark.django_db
def test_a_patient_with_texts_on_can_turn_them_off(settings):
    patient = verified_texting_patient()
    client = Client()
    sign_in(client, patient.user)
    post(client, action="preferences", email_reminders="on")
    assert refreshed(patient).sms_opt_out is True
    post(client, action="preferences", email_reminders="on", text_reminders="on")
    assert refreshed(patient).sms_opt_out is False


@pytest.mark.django_db
def test_a_code_the_provider_could_not_send_keeps_the_number_and_says_so(patient_client, patient, settings):
    settings.SMS_BACKEND = "portal.sms.telnyx.TelnyxSMSBackend"
    settings.TELNYX_API_KEY = ""  # not configured: every send is refused
    response = post(patient_client, action="phone", phone=PHONE)
    assert "could not send a text" in response.content.decode()
    assert refreshed(patient).user.phone == PHONE
    assert not PhoneVerification.objects.filter(user=patient.user).exists()


# --- replies from phones --------------------------------------------------------------------------


def reply(client, standin, **kwargs):
    body, headers = standin.reply(**kwargs)
    return client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_stop_turns_texts_off_once_and_nothing_more_is_texted(phone_replies, texts, caplog):
    patient = verified_texting_patient()
    other = PatientFactory(sms_opt_out=False)
    with caplog.at_level(logging.INFO):
        response = reply(Client(), phone_replies, from_number=PHONE, text="Stop", event_id="evt-1")
    assert response.status_code == 200
    assert refreshed(patient).sms_opt_out is True and patient.user.texts_stopped_by_reply is True
    assert refreshed(other).sms_opt_out is False
    event = SMSInboundEvent.objects.get()
    assert event.keyword == "stop" and list(event.users.all()) == [patient.user]
    assert PHONE not in caplog.text and "Stop" not in caplog.text.replace("stop", "")
    # Telnyx delivers it again: nothing changes, nothing is recorded twice.
    assert reply(Client(), phone_replies, from_number=PHONE, text="STOP", event_id="evt-1").status_code == 200
    assert SMSInboundEvent.objects.count() == 1
    assert texts == []


@pytest.mark.django_db
def test_after_stop_a_waiting_text_reminder_is_skipped(phone_replies, texts):
    from patients.tests.factories import appointment_at
    from patients.visits.reminders import appointment_reminder_schedule
    from portal.reminders import reminders_send

    patient = verified_texting_patient()
    noon = dt.datetime(2026, 6, 10, 17, 0, tzinfo=dt.UTC)
    appointment = appointment_at(patient, noon + dt.timedelta(days=1, hours=2))
    with time_machine.travel(noon - dt.timedelta(days=3), tick=False):
        appointment_reminder_schedule(appointment)
    text = Reminder.objects.get(recipient=patient.user, channel=Reminder.Channel.SMS)
    reply(Client(), phone_replies, from_number=PHONE, text="STOP")
    Reminder.objects.update(status=Reminder.Status.QUEUED)
    with time_machine.travel(noon, tick=False):
        assert reminders_send([text.pk])["skipped"] == [text.pk]
    assert texts == []


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
def test_every_stop_word_turns_texts_off(phone_replies, word):
    patient = verified_texting_patient()
    reply(Client(), phone_replies, from_number=PHONE, text=word)
    assert refreshed(patient).sms_opt_out is True


@pytest.mark.django_db
def test_start_turns_texts_on_again_only_after_a_stop(phone_replies):
    patient = verified_texting_patient()
    reply(Client(), phone_replies, from_number=PHONE, text="STOP")
    reply(Client(), phone_replies, from_number=PHONE, text="UNSTOP")
    patient = refreshed(patient)
    assert patient.sms_opt_out is False and patient.user.texts_stopped_by_reply is False


@pytest.mark.django_db
def test_start_does_not_turn_on_texts_the_patient_never_chose(phone_replies):
    never = PatientFactory(user=UserFactory(phone=PHONE, phone_verified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    unverified = PatientFactory(user=UserFactory(phone=PHONE))
    assert never.sms_opt_out and unverified.sms_opt_out
    reply(Client(), phone_replies, from_number=PHONE, text="START")
    assert refreshed(never).sms_opt_out is True
    assert refreshed(unverified).sms_opt_out is True


@pytest.mark.django_db
def test_texts_turned_off_on_the_page_stay_off_after_start(phone_replies):
    patient = verified_texting_patient()
    client = Client()
    sign_in(client, patient.user)
    reply(Client(), phone_replies, from_number=PHONE, text="STOP")
    post(client, action="preferences", email_reminders="on")  # the patient confirms: no texts
    reply(Client(), phone_replies, from_number=PHONE, text="START")
    assert refreshed(patient).sms_opt_out is True


@pytest.mark.django_db
def test_help_and_other_replies_are_recorded_and_change_nothing(phone_replies, texts):
    patient = verified_texting_patient()
    reply(Client(), phone_replies, from_number=PHONE, text="HELP")
    reply(Client(), phone_replies, from_number=PHONE, text="what time is my visit?")
    assert refreshed(patient).sms_opt_out is False
    assert sorted(SMSInboundEvent.objects.values_list("keyword", flat=True)) == ["help", "other"]
    assert texts == []


@pytest.mark.django_db
def test_a_reply_from_an_unknown_number_is_answered_and_recorded_for_no_one(phone_replies):
    response = reply(Client(), phone_replies, from_number="+13125550100", text="STOP")
    assert response.status_code == 200
    assert SMSInboundEvent.objects.get().users.count() == 0


@pytest.mark.django_db
def test_a_reply_without_a_valid_signature_is_refused_and_changes_nothing(phone_replies, caplog):
    patient = verified_texting_patient()
    client = Client()
    forged, headers = phone_replies.reply(from_number=PHONE, text="STOP", key=SigningKey.generate())
    assert client.post(WEBHOOK, data=forged, content_type="application/json", headers=headers).status_code == 400
    body, headers = phone_replies.reply(from_number=PHONE, text="START")
    tampered = body.replace(b"START", b"STOP!")
    assert client.post(WEBHOOK, data=tampered, content_type="application/json", headers=headers).status_code == 400
    stale, headers = phone_replies.reply(from_number=PHONE, text="STOP", timestamp=int(time.time()) - 600)
    assert client.post(WEBHOOK, data=stale, content_type="application/json", headers=headers).status_code == 400
    assert client.post(WEBHOOK, data=body, content_type="application/json").status_code == 400
    assert client.post(WEBHOOK, data=b"not json", content_type="application/json").status_code == 400
    assert refreshed(patient).sms_opt_out is False
    assert not SMSInboundEvent.objects.exists()
    assert PHONE not in caplog.text


@pytest.mark.django_db
def test_without_a_public_key_every_reply_is_refused(phone_replies, settings):
    settings.TELNYX_PUBLIC_KEY = ""
    assert reply(Client(), phone_replies, from_number=PHONE, text="STOP").status_code == 400


@pytest.mark.django_db
def test_other_signed_events_are_acknowledged_and_ignored(phone_replies):
    body, headers = phone_replies.signed({"data": {"event_type": "message.finalized", "id": "evt-x", "payload": {}}})
    response = Client().post(WEBHOOK, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 200
    assert not SMSInboundEvent.objects.exists()


@pytest.mark.django_db
def test_the_webhook_takes_only_posts(phone_replies):
    assert Client().get(WEBHOOK).status_code == 405


@pytest.mark.django_db
def test_the_demo_patient_texting_has_a_verified_number_and_seeding_again_changes_nothing():
    from patients.notifications.demo import seed_texting

    patient = PatientFactory(phone="512-555-0134")
    seed_texting(patient)
    patient = refreshed(patient)
    verified_at = patient.user.phone_verified_at
    assert patient.user.phone == "+15125550134" and verified_at and patient.sms_opt_out is False
    seed_texting(patient)
    assert refreshed(patient).user.phone_verified_at == verified_at
