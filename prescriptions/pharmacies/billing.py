"""The pharmacy's part of a Good Faith Estimate (docs/domain.md "Cash pay"): the pharmacy that would
fill the patient's prescription, as a co-provider with its estimated monthly price.
``patients.billing.estimates`` cannot import this app, so :func:`pharmacy_items` is registered
there in ``PrescriptionsConfig.ready`` (the diagnosis codes come from ``prescriptions.orders.billing``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from patients.billing.business_days import billing_today
from patients.models import Patient
from prescriptions.models import Formulation, Pharmacy, TitrationPlan
from prescriptions.pharmacies.services import pharmacy_route

MEDICATION_DESCRIPTION = "Compounded low-dose naltrexone, one month's supply"


def _pharmacy_for(patient: Patient) -> Pharmacy | None:
    # The pharmacy an order would be routed to today: the patient's choice when it is licensed for
    # their state, else the practice's default for the state.
    if patient.state_id is None:
        return None
    try:
        return pharmacy_route(patient=patient, ship_to_state=patient.state.code, day=billing_today())
    except ValidationError:
        return None


def _formulation_of(patient: Patient) -> str | None:
    plan = TitrationPlan.objects.filter(patient=patient).order_by("-version").only("formulation").first()
    return plan.formulation if plan is not None else None


def pharmacy_items(patient: Patient) -> list[dict]:
    """The pharmacy as a co-provider with its monthly range for the patient's formulation (or, before
    any plan, the range across the formulations it prices). Nothing when no pharmacy would fill the
    order or it has given the practice no prices."""
    pharmacy = _pharmacy_for(patient)
    if pharmacy is None:
        return []
    ranges = list(pharmacy.price_ranges.all())
    formulation = _formulation_of(patient)
    chosen = [price for price in ranges if price.formulation == formulation] or ranges
    if not chosen:
        return []
    low = min(price.low_cents for price in chosen)
    high = max(price.high_cents for price in chosen)
    confirmed = max(price.updated_on for price in chosen)
    forms = ", ".join(sorted({Formulation(price.formulation).label.lower() for price in chosen}))
    return [
        {
            "provider": {
                "name": pharmacy.name,
                "npi": pharmacy.npi,
                "tin": pharmacy.tin,
                "phone": pharmacy.phone,
                "address_lines": [
                    line
                    for line in (
                        pharmacy.address_line1,
                        pharmacy.address_line2,
                        f"{pharmacy.city}, {pharmacy.state_code} {pharmacy.postal_code}",
                    )
                    if line
                ],
                "locations": [
                    f"Compounded at the pharmacy in {pharmacy.city}, {pharmacy.state_code}, "
                    f"and shipped to the patient in {patient.state.code}"
                ],
            },
            "items": [
                {
                    "description": f"{MEDICATION_DESCRIPTION} ({forms})",
                    "low_cents": low,
                    "high_cents": high,
                    "note": "Paid to the pharmacy directly, each month of treatment. "
                    f"Price range confirmed by the pharmacy on {confirmed:%B} {confirmed.day}, {confirmed.year}.",
                }
            ],
        }
    ]
