"""An order as a FHIR R4 ``MedicationRequest`` with a contained compounded ``Medication``.

Codes used (checked against their code systems):
- SNOMED CT dose forms 385049006 |Capsule| and 385023001 |Oral solution|; route 26643006 |Oral route|.
- FDA UNII Z6375YW9SF naltrexone hydrochloride; OP1R32D61U microcrystalline cellulose.
- HL7 EventTiming HS (before sleep) and MORN (morning); UCUM mg, mL, d; v3 orderableDrugForm CAP.
- ICD-10-CM for the indication.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from prescriptions.dosing import DoseSegment, amount_words, capsules_per_dose, fmt_amount, ml_per_dose
from prescriptions.models import Filler, OrderStatus, PrescriptionOrder

SNOMED = "http://snomed.info/sct"
UNII = "http://fdasis.nlm.nih.gov"
UCUM = "http://unitsofmeasure.org"
ORDERABLE_DRUG_FORM = "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
EVENT_TIMING = {"bedtime": "HS", "morning": "MORN"}

DOSE_FORMS = {
    "capsule": {"system": SNOMED, "code": "385049006", "display": "Capsule"},
    "oral_liquid": {"system": SNOMED, "code": "385023001", "display": "Oral solution"},
}
ORAL_ROUTE = {"system": SNOMED, "code": "26643006", "display": "Oral route"}
NALTREXONE_HCL = {"system": UNII, "code": "Z6375YW9SF", "display": "NALTREXONE HYDROCHLORIDE"}
FILLER_CODES = {
    Filler.MICROCRYSTALLINE_CELLULOSE: {"system": UNII, "code": "OP1R32D61U", "display": "MICROCRYSTALLINE CELLULOSE"},
}

# Our statuses → MedicationRequest.status (active | on-hold | cancelled | completed | draft | …).
FHIR_STATUS = {
    OrderStatus.DRAFT: "draft",
    OrderStatus.SIGNED: "active",
    OrderStatus.SENT: "active",
    OrderStatus.RECEIVED: "active",
    OrderStatus.IN_REVIEW: "active",
    OrderStatus.NEEDS_CLARIFICATION: "on-hold",
    OrderStatus.COMPOUNDING: "active",
    OrderStatus.SHIPPED: "active",
    OrderStatus.DELIVERED: "completed",
    OrderStatus.REJECTED: "cancelled",
    OrderStatus.CANCELLED: "cancelled",
}


def _number(value: Decimal) -> float | int:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _days(days: int) -> dict[str, Any]:
    return {"value": days, "unit": "days", "system": UCUM, "code": "d"}


def _mg(value: Decimal) -> dict[str, Any]:
    return {"value": _number(value), "unit": "mg", "system": UCUM, "code": "mg"}


def _medication(order: PrescriptionOrder) -> dict[str, Any]:
    if order.is_capsule:
        per_unit = {"value": 1, "unit": "capsule", "system": ORDERABLE_DRUG_FORM, "code": "CAP"}
        strength = order.capsule_strength_mg
        name = f"Naltrexone hydrochloride {fmt_amount(strength)} mg capsule (compounded)"
    else:
        per_unit = {"value": 1, "unit": "mL", "system": UCUM, "code": "mL"}
        strength = order.concentration_mg_per_ml
        name = f"Naltrexone hydrochloride {fmt_amount(strength)} mg/mL oral solution (compounded)"
    ingredients = [
        {
            "itemCodeableConcept": {"coding": [NALTREXONE_HCL], "text": "naltrexone hydrochloride"},
            "isActive": True,
            "strength": {"numerator": _mg(strength), "denominator": per_unit},
        }
    ]
    if order.is_capsule and order.filler:
        filler = {"text": str(Filler(order.filler).label).lower()}
        if order.filler in FILLER_CODES:
            filler["coding"] = [FILLER_CODES[order.filler]]
        ingredients.append({"itemCodeableConcept": filler, "isActive": False})
    return {
        "resourceType": "Medication",
        "id": "compounded-ldn",
        "code": {"text": name},
        "status": "active",
        "form": {"coding": [DOSE_FORMS[order.formulation]], "text": DOSE_FORMS[order.formulation]["display"]},
        "ingredient": ingredients,
    }


def _dosage(order: PrescriptionOrder, sequence: int, segment: DoseSegment) -> dict[str, Any]:
    strength = order.capsule_strength_mg if order.is_capsule else order.concentration_mg_per_ml
    if order.is_capsule:
        dose = {"value": capsules_per_dose(segment.dose_mg, strength), "unit": "capsule"}
        dose.update({"system": ORDERABLE_DRUG_FORM, "code": "CAP"})
    else:
        dose = {"value": _number(ml_per_dose(segment.dose_mg, strength)), "unit": "mL", "system": UCUM, "code": "mL"}
    amount = amount_words(segment.dose_mg, formulation=order.formulation, strength=strength)
    when = "at bedtime" if order.dosing_time == "bedtime" else "in the morning"
    length = "every day (maintenance)" if segment.is_maintenance else f"for {segment.days} days"
    return {
        "sequence": sequence,
        "text": f"Take {amount} by mouth {when} {length}",
        "timing": {
            "repeat": {
                "boundsDuration": _days(segment.days),
                "frequency": 1,
                "period": 1,
                "periodUnit": "d",
                "when": [EVENT_TIMING[order.dosing_time]],
            }
        },
        "route": {"coding": [ORAL_ROUTE]},
        "doseAndRate": [{"doseQuantity": dose}],
    }


def medication_request(order: PrescriptionOrder) -> dict[str, Any]:
    """The FHIR R4 JSON of ``order`` (plain dicts, ready for ``JsonResponse``)."""
    segments = [DoseSegment.from_json(s) for s in order.dose_segments]
    if order.is_capsule:
        quantity = {"value": _number(order.quantity), "unit": "capsule", "system": ORDERABLE_DRUG_FORM, "code": "CAP"}
    else:
        quantity = {"value": _number(order.quantity), "unit": "mL", "system": UCUM, "code": "mL"}
    patient_name = order.patient_name or order.patient.full_name
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": str(order.pk),
        "contained": [_medication(order)],
        "identifier": [{"system": f"{settings.SITE_URL}/orders", "value": order.number}],
        "status": FHIR_STATUS[order.status],
        "intent": "order",
        "medicationReference": {"reference": "#compounded-ldn"},
        "subject": {"reference": f"Patient/{order.patient_id}", "display": patient_name},
        "requester": {
            "identifier": {"system": NPI, "value": order.prescriber_npi or order.prescriber.npi},
            "display": order.prescriber_name or order.prescriber.display_name,
        },
        "reasonCode": [
            {"coding": [{"system": ICD10_CM, "code": order.indication_code, "display": order.indication_text}]}
        ],
        "courseOfTherapyType": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy",
                    "code": "continuous",
                    "display": "Continuous long term therapy",
                }
            ]
        },
        "dosageInstruction": [_dosage(order, n, s) for n, s in enumerate(segments, start=1)],
        "dispenseRequest": {
            "quantity": quantity,
            "expectedSupplyDuration": _days(order.days_supply),
            "numberOfRepeatsAllowed": order.refills,
        },
        "substitution": {"allowedBoolean": False},
        "note": [{"text": order.sig}],
    }
    if order.signed_at:
        resource["authoredOn"] = order.signed_at.isoformat()
    if order.pharmacy_id:
        resource["dispenseRequest"]["performer"] = {
            "reference": f"Organization/{order.pharmacy_id}",
            "display": order.pharmacy.name,
        }
    return resource
