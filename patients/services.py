"""Writes to the patient record itself: made on first need, and where the patient is in treatment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from patients.models import (
    Patient,
    TreatmentPhase,
)
from portal.models import User


@transaction.atomic
def patient_ensure(*, user: User) -> Patient:
    """The patient record of a patient account, made on first need."""
    if user.role != User.Role.PATIENT:
        raise PermissionDenied("Only patient accounts have a patient record.")
    patient, _ = Patient.objects.select_related("state").get_or_create(user=user)
    return patient


@transaction.atomic
def patient_set_treatment_phase(*, patient: Patient, phase: str) -> Patient:
    """Where the patient is in treatment (before the first visit, titrating, stable); set by the
    prescriptions app when plans start or reach maintenance."""
    if phase not in TreatmentPhase.values:
        raise ValidationError(f"Unknown treatment phase “{phase}”.")
    Patient.objects.filter(pk=patient.pk).update(treatment_phase=phase)
    patient.treatment_phase = phase
    return patient
