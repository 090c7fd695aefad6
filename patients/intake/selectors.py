"""Reads of a patient's intake records (``patient`` already scoped by patients.selectors)."""

from __future__ import annotations

from patients.models import Consent, Patient


def consents_for(patient: Patient) -> list[Consent]:
    return list(Consent.objects.filter(patient=patient).order_by("kind", "-given_at", "pk"))
