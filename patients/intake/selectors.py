"""Reads of a patient's intake records (``patient`` already scoped by patients.selectors)."""

from __future__ import annotations

import datetime as dt

from patients.models import Consent, Intake, Patient


def consents_for(patient: Patient) -> list[Consent]:
    return list(Consent.objects.filter(patient=patient).order_by("kind", "-given_at", "pk"))


def washout_ends_on(patient: Patient) -> dt.date | None:
    """The day the patient's opioid washout ends (the screening's deferral, moved by any later
    check-in reporting opioid use), or None."""
    return Intake.objects.filter(patient=patient).values_list("deferred_until", flat=True).first()
