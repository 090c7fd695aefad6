"""The diagnosis codes a Good Faith Estimate or a superbill names (docs/domain.md "Cash pay"),
registered with ``patients.billing.estimates`` in ``PrescriptionsConfig.ready``."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ObjectDoesNotExist

from patients.billing.estimates import DiagnosisCode
from patients.models import Patient
from prescriptions.models import PrescriptionOrder
from prescriptions.orders.icd10 import CODES_BY_CONDITION


def patient_diagnoses(
    patient: Patient, *, on: dt.date | None = None, self_reported: bool = True
) -> list[DiagnosisCode]:
    """The indication of the patient's latest signed order — with ``on``, the latest signed on or
    before that date on the patient's clock, the one that applied to a visit that day. Without
    such an order and when ``self_reported``, the intake's conditions that map to exactly one
    ICD-10-CM code (a condition with several possible codes waits for the physician to choose),
    marked as self-reported: a physician never recorded them, so no claim document prints them."""
    orders = PrescriptionOrder.objects.filter(patient=patient, signed_at__isnull=False).exclude(indication_code="")
    if on is not None:
        day_after = dt.datetime.combine(
            on + dt.timedelta(days=1), dt.time.min, tzinfo=zoneinfo.ZoneInfo(patient.time_zone_name)
        )
        orders = orders.filter(signed_at__lt=day_after)
    order = orders.order_by("-signed_at", "-pk").only("indication_code", "indication_text").first()
    if order is not None:
        return [DiagnosisCode(order.indication_code, order.indication_text)]
    if not self_reported:
        return []
    try:
        conditions = patient.intake.conditions or []
    except ObjectDoesNotExist:
        return []
    diagnoses = []
    for condition in conditions:
        codes = CODES_BY_CONDITION.get(condition, [])
        if len(codes) == 1:
            code, text = codes[0]
            diagnoses.append(DiagnosisCode(code, text, self_reported=True))
    return diagnoses
