"""Reads of pharmacies: a staff member's own pharmacy, its queues, and the pharmacies a patient
may choose."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from patients.models import Patient
from portal.models import User
from prescriptions.models import (
    Pharmacy,
    PharmacyLicense,
    PharmacyPreference,
    PharmacyPriceRange,
)


def pharmacy_for(user: User) -> Pharmacy | None:
    """The one pharmacy a pharmacy-staff user belongs to (None if not yet assigned), with its
    licenses."""
    if not user.is_authenticated or user.role != User.Role.PHARMACY:
        return None
    return (
        Pharmacy.objects.filter(memberships__user=user, active=True)
        .prefetch_related(
            Prefetch("licenses", queryset=PharmacyLicense.objects.select_related("state").order_by("state__code", "pk"))
        )
        .order_by("pk")
        .first()
    )


def pharmacies_for_state(state_id: int | None) -> QuerySet[Pharmacy]:
    """Active pharmacies with a license active today for ``state_id`` (the patient's choices)."""
    if state_id is None:
        return Pharmacy.objects.none()
    active_ids = PharmacyLicense.objects.active_on(timezone.localdate()).filter(state_id=state_id)
    return Pharmacy.objects.filter(active=True, licenses__in=active_ids).distinct().order_by("name")


def preferred_pharmacy_of_patient(patient: Patient) -> PharmacyPreference | None:
    """The patient's pharmacy choice (its ``pharmacy`` is None for "no preference"), or None. The
    chart's read of the patient brings it along (``select_related``), so it costs no query there."""
    try:
        return patient.pharmacy_preference
    except ObjectDoesNotExist:
        return None


def medication_price_ranges() -> list:
    """Every active pharmacy's monthly price ranges, for the public prices page (no patient involved)."""
    return list(
        PharmacyPriceRange.objects.filter(pharmacy__active=True)
        .select_related("pharmacy")
        .order_by("pharmacy__name", "formulation")
    )
