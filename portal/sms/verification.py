"""Proving a mobile number is the person's own before any reminder is texted to it (README "Text
messages"): a six-digit code is texted to the number; only a keyed hash of it is stored; it lasts
ten minutes and takes five wrong guesses; a new code can be asked for once a minute, five an hour.
Changing the number clears the proof."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from portal.models import PhoneVerification, User
from portal.sms import SMSSendError, get_sms_backend

CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_WRONG_CODES = 5
RESEND_WAIT = dt.timedelta(seconds=60)
CODES_PER_HOUR = 5
PHONE_CODE_KIND = "phone-code"


def _code_hash(*, user_id: int, phone: str, code: str) -> str:
    return salted_hmac("portal.sms.phone-code", f"{user_id}:{phone}:{code}", algorithm="sha256").hexdigest()


def phone_verification_pending(user: User) -> PhoneVerification | None:
    """The code waiting to be entered for the user's current number, if one is still good."""
    if not user.phone or user.phone_verified_at:
        return None
    return (
        PhoneVerification.objects.filter(
            user=user, phone=user.phone, verified_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def user_phone_change(*, user: User, phone: str) -> bool:
    """Store ``phone`` (already E.164) as the user's number for texts. A different number is not
    verified yet; returns whether it changed."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if phone == user.phone:
        return False
    User.objects.filter(pk=user.pk).update(phone=phone, phone_verified_at=None, texts_stopped_by_reply=False)
    return True


@transaction.atomic
def phone_code_send(*, user: User) -> PhoneVerification:
    """Text a new code to the user's number. Refused while a code was sent in the last minute or
    after five in an hour, to the account or to the number, so a page cannot be used to flood a
    phone."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.phone:
        raise ValidationError("Enter your mobile number first.")
    if user.phone_verified_at:
        raise ValidationError("This number is already verified.")
    now = timezone.now()
    recent = list(
        PhoneVerification.objects.filter(user=user, created_at__gt=now - dt.timedelta(hours=1)).values_list(
            "created_at", flat=True
        )
    )
    if any(sent > now - RESEND_WAIT for sent in recent):
        raise ValidationError("We just sent you a code. Please wait a minute before asking for another.")
    if len(recent) >= CODES_PER_HOUR:
        raise ValidationError("We have sent several codes in the last hour. Please try again later.")
    # The same limit per number, whoever asks: several accounts cannot flood one phone either.
    to_number = PhoneVerification.objects.filter(phone=user.phone, created_at__gt=now - dt.timedelta(hours=1))
    if to_number.count() >= CODES_PER_HOUR:
        raise ValidationError("This number has been sent several codes in the last hour. Please try again later.")
    code = f"{secrets.randbelow(10**6):06d}"
    verification = PhoneVerification.objects.create(
        user=user,
        phone=user.phone,
        code_hash=_code_hash(user_id=user.pk, phone=user.phone, code=code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    body = render_to_string("sms/phone-code.txt", {"code": code, "minutes": CODE_LIFETIME.seconds // 60}).strip()
    try:
        # Sent while the person waits on the page: the code is useless in ten minutes, and a code
        # kept in a queue or a task argument would be one more place it could leak.
        get_sms_backend().send(
            to=user.phone, body=body, user_id=user.pk, kind=PHONE_CODE_KIND, reference=f"phone-code-{verification.pk}"
        )
    except SMSSendError as error:
        # The refusal rolls the code back: it was never sent, so it does not count against the limit.
        raise ValidationError(
            "We could not send a text to this number just now. Check the number, or try again in a few minutes."
        ) from error
    return verification


def phone_code_check(*, user: User, code: str) -> None:
    """Mark the user's number verified if ``code`` is the one texted to it. A wrong code is counted
    (in its own transaction, so the refusal does not undo the count)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.phone_verified_at:
            return
        verification = phone_verification_pending(user)
        if verification is None:
            refusal = "This code has expired or was for another number. Please ask for a new code."
        else:
            verification = PhoneVerification.objects.select_for_update().get(pk=verification.pk)
            expected = _code_hash(user_id=user.pk, phone=user.phone, code=(code or "").strip())
            if verification.attempts >= MAX_WRONG_CODES:
                refusal = "Too many wrong codes. Please ask for a new code."
            elif not constant_time_compare(expected, verification.code_hash):
                verification.attempts += 1
                PhoneVerification.objects.filter(pk=verification.pk).update(attempts=verification.attempts)
                left = MAX_WRONG_CODES - verification.attempts
                refusal = "That code is not right. " + (
                    f"You can try {left} more time{'s' if left != 1 else ''}." if left else "Please ask for a new code."
                )
            else:
                now = timezone.now()
                PhoneVerification.objects.filter(pk=verification.pk).update(verified_at=now)
                User.objects.filter(pk=user.pk).update(phone_verified_at=now)
                return
    raise ValidationError(refusal)
