"""Writes and rules about pharmacies, titration plans and orders."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from patients.models import Patient
from patients.services import intake_mark_step
from prescriptions.models import Pharmacy, PharmacyPreference


@transaction.atomic
def pharmacy_preference_set(*, patient: Patient, pharmacy: Pharmacy | None) -> PharmacyPreference:
    """Record the patient's preferred pharmacy (or none) and mark that intake step done."""
    if pharmacy is not None and not pharmacy.active:
        raise ValidationError({"pharmacy": "That pharmacy is not taking new patients through the portal."})
    preference, _ = PharmacyPreference.objects.update_or_create(patient=patient, defaults={"pharmacy": pharmacy})
    intake_mark_step(patient=patient, step="pharmacy")
    return preference
