"""Writes and rules for the patient's reminder preferences (README "Text messages").

Texts stay off until the patient turns them on with a number proved by a code
(portal/sms/verification.py). A STOP reply turns them off at once; START turns them on again only
for a patient whose texts a STOP had turned off."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from patients.models import Patient
from portal.models import SMSInboundEvent, User
from portal.sms import reply_keyword
from portal.sms.numbers import phone_to_e164
from portal.sms.telnyx import InboundText
from portal.sms.verification import phone_code_check, phone_code_send, user_phone_change

logger = logging.getLogger(__name__)


@transaction.atomic
def notification_preferences_update(*, patient: Patient, email_reminders: bool, text_reminders: bool) -> Patient:
    """Turn email and text reminders on or off. Texts need a verified mobile number."""
    patient = Patient.objects.select_for_update().select_related("user").get(pk=patient.pk)
    user = patient.user
    if text_reminders and not (user.phone and user.phone_verified_at):
        raise ValidationError(
            {"text_reminders": "Add your mobile number and enter the code we text you before turning texts on."}
        )
    patient.email_opt_out = not email_reminders
    patient.sms_opt_out = not text_reminders
    patient.save(update_fields=["email_opt_out", "sms_opt_out"])
    User.objects.filter(pk=user.pk).update(texts_stopped_by_reply=False)
    return patient


@transaction.atomic
def text_phone_set(*, patient: Patient, phone: str) -> bool:
    """Save the patient's mobile number for texts. A new number is unverified, so texts go off until
    it is verified; returns whether the number changed (the caller then sends a code)."""
    number = phone_to_e164(phone)
    changed = user_phone_change(user=patient.user, phone=number)
    if changed:
        Patient.objects.filter(pk=patient.pk).update(sms_opt_out=True)
    return changed


def text_phone_code_send(*, patient: Patient) -> None:
    phone_code_send(user=User.objects.get(pk=patient.user_id))


def text_phone_verify(*, patient: Patient, code: str) -> None:
    """Check the code; a verified number turns text reminders on (the patient asked for it by
    verifying on the text reminders form). Not one transaction: a wrong code stays counted."""
    phone_code_check(user=User.objects.get(pk=patient.user_id), code=code)
    with transaction.atomic():
        Patient.objects.filter(pk=patient.pk).update(sms_opt_out=False)
        User.objects.filter(pk=patient.user_id).update(texts_stopped_by_reply=False)


def sms_inbound_apply(*, text: InboundText) -> SMSInboundEvent | None:
    """Act on a reply from a phone, once per provider event (None when it was seen before).
    STOP turns texts off for every patient who verified that number; START turns them on again
    only where a STOP had turned them off; HELP and anything else are recorded (the provider
    answers HELP with the practice's contact details, which hold no health data)."""
    keyword = reply_keyword(text.text)
    try:
        with transaction.atomic():
            event = SMSInboundEvent.objects.create(provider_event_id=text.event_id, keyword=keyword)
            users = list(
                User.objects.select_for_update()
                .filter(phone=text.from_number, phone_verified_at__isnull=False, role=User.Role.PATIENT)
                .order_by("pk")
            )
            event.users.set(users)
            ids = [u.pk for u in users]
            if keyword == SMSInboundEvent.Keyword.STOP:
                texting = set(
                    Patient.objects.filter(user_id__in=ids, sms_opt_out=False).values_list("user_id", flat=True)
                )
                Patient.objects.filter(user_id__in=ids).update(sms_opt_out=True)
                User.objects.filter(pk__in=texting).update(texts_stopped_by_reply=True)
            elif keyword == SMSInboundEvent.Keyword.START:
                stopped = list(
                    User.objects.filter(pk__in=ids, texts_stopped_by_reply=True).values_list("pk", flat=True)
                )
                Patient.objects.filter(user_id__in=stopped).update(sms_opt_out=False)
                User.objects.filter(pk__in=stopped).update(texts_stopped_by_reply=False)
    except IntegrityError:
        return None  # the same event delivered again
    # The event id and what it was read as: no number and no words in the log.
    logger.info("sms reply %s read as %s for %s account(s)", text.event_id, keyword, len(ids))
    return event
