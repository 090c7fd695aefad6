"""The diagnosis codes a Good Faith Estimate or a superbill names (docs/domain.md "Cash pay"),
registered with ``patients.billing.estimates`` in ``PrescriptionsConfig.ready``."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from patients.models import Patient
from prescriptions.models import PrescriptionOrder
from prescriptions.orders.icd10 import CODES_BY_CONDITION


def patient_diagnoses(patient: Patient) -> list[tuple[str, str]]:
    """The indication of the patient's latest signed order; before any order, the intake's
    conditions that map to exactly one ICD-10-CM code (a condition with several possible codes
    waits for the physician to choose)."""
    order = (
        PrescriptionOrder.objects.filter(patient=patient, signed_at__isnull=False)
        .exclude(indication_code="")
        .order_by("-signed_at", "-pk")
        .only("indication_code", "indication_text")
        .first()
    )
    if order is not None:
        return [(order.indication_code, order.indication_text)]
    try:
        conditions = patient.intake.conditions or []
    except ObjectDoesNotExist:
        return []
    diagnoses = []
    for condition in conditions:
        codes = CODES_BY_CONDITION.get(condition, [])
        if len(codes) == 1:
            diagnoses.append(codes[0])
    return diagnoses
