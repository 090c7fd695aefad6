"""Reads of pharmacy data that depend on who is asking."""

from __future__ import annotations

from django.db.models import Prefetch

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
