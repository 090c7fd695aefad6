"""Every read of patient records that depends on who is asking. All object scoping lives here."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from patients.models import Patient
from portal.access import get_scoped_or_404
from portal.models import User
from portal.selectors import licensed_state_ids_for


def patient_list_for(user: User, *, day: dt.date | None = None) -> QuerySet[Patient]:
    """Who sees which patients:
    - a patient: only their own record;
    - a physician: patients living in a state where the physician holds a license active on
      ``day`` (the practice works as one care team, DESIGN.md §3);
    - everyone else (pharmacy staff, practice staff outside the admin): nobody.
    """
    base = Patient.objects.select_related("user", "state")
    if not user.is_authenticated:
        return base.none()
    if user.role == User.Role.PATIENT:
        return base.filter(user=user)
    if user.role == User.Role.PHYSICIAN:
        return base.filter(state_id__in=licensed_state_ids_for(user, day=day or timezone.localdate()))
    return base.none()


def patient_get_for(user: User, pk: int) -> Patient:
    """One patient record within ``user``'s scope, else 404."""
    return get_scoped_or_404(patient_list_for(user), pk=pk)


def patient_for_user(user: User) -> Patient | None:
    """The patient record of a signed-in patient (None before they have one)."""
    return Patient.objects.select_related("state").filter(user=user).first()
