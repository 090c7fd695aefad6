"""Demo data for reminder preferences: Maria Lopez proved her mobile number and chose text
reminders, so her visit and refill reminders also go by text (to the log backend by default)."""

from __future__ import annotations

from django.utils import timezone

from patients.models import Patient
from portal.models import User
from portal.sms.numbers import phone_to_e164


def seed_texting(patient: Patient) -> None:
    """Idempotent: a number verified once stays verified on the next seed."""
    phone = phone_to_e164(patient.phone or "512-555-0134")
    user = patient.user
    if user.phone != phone or user.phone_verified_at is None:
        # Written directly: the demo texts no code to a made-up number.
        User.objects.filter(pk=user.pk).update(phone=phone, phone_verified_at=timezone.now())
    Patient.objects.filter(pk=patient.pk).update(sms_opt_out=False)
