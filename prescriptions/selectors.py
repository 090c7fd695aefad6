"""Reads of pharmacy data that depend on who is asking."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from portal.models import User
from prescriptions.models import Pharmacy, PharmacyLicense, PharmacyMembership


def pharmacy_for(user: User) -> Pharmacy | None:
    """The one pharmacy a pharmacy-staff user belongs to (None if not yet assigned)."""
    if not user.is_authenticated or user.role != User.Role.PHARMACY:
        return None
    membership = (
        PharmacyMembership.objects.select_related("pharmacy")
        .prefetch_related(Prefetch("pharmacy__licenses", queryset=PharmacyLicense.objects.select_related("state")))
        .filter(user=user, pharmacy__active=True)
        .first()
    )
    return membership.pharmacy if membership else None


def pharmacies_for_state(state_id: int | None) -> QuerySet[Pharmacy]:
    """Active pharmacies with a license active today for ``state_id`` (the patient's choices)."""
    if state_id is None:
        return Pharmacy.objects.none()
    active_ids = PharmacyLicense.objects.active_on(timezone.localdate()).filter(state_id=state_id)
    return Pharmacy.objects.filter(active=True, licenses__in=active_ids).distinct().order_by("name")
