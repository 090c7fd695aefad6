"""Writes and rules about pharmacies: the patient's preference and where an order is routed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from patients.intake.services import intake_mark_step
from patients.models import Patient
from portal.models import US_STATE_NAMES, ServiceState
from prescriptions.models import Pharmacy, PharmacyLicense, PharmacyPreference, StateDefaultPharmacy


@transaction.atomic
def pharmacy_preference_set(*, patient: Patient, pharmacy: Pharmacy | None) -> PharmacyPreference:
    """Record the patient's preferred pharmacy (or none) and mark that intake step done."""
    preference = pharmacy_preference_change(patient=patient, pharmacy=pharmacy)
    intake_mark_step(patient=patient, step="pharmacy")
    return preference


def pharmacy_preference_change(*, patient: Patient, pharmacy: Pharmacy | None) -> PharmacyPreference:
    """The preferred pharmacy (or none: the practice chooses), at any time; the row's history keeps
    every choice. Orders already sent stay with their pharmacy; the next one follows this."""
    if pharmacy is not None and not pharmacy.active:
        raise ValidationError({"pharmacy": "That pharmacy is not taking new patients through the portal."})
    preference, _ = PharmacyPreference.objects.update_or_create(patient=patient, defaults={"pharmacy": pharmacy})
    return preference


def pharmacy_licensed_for(pharmacy: Pharmacy, state: ServiceState, day: dt.date) -> bool:
    return pharmacy.active and PharmacyLicense.objects.active_on(day).filter(pharmacy=pharmacy, state=state).exists()


def service_state_require(code: str) -> ServiceState:
    """The ship-to state must be one the practice serves (docs/domain.md "Service states and licenses", point 3)."""
    state = ServiceState.objects.filter(code=code, active=True).first()
    if state is None:
        name = US_STATE_NAMES.get(code, code)
        raise ValidationError({"ship_to_state": f"The practice does not serve {name}, so an order cannot ship there."})
    return state


@dataclass(frozen=True)
class Route:
    """Where an order would go and why ("the patient's choice, licensed in Texas")."""

    pharmacy: Pharmacy
    why: str


def pharmacy_route_explained(*, patient: Patient, ship_to_state: str, day: dt.date) -> Route:
    """Where a signed order goes: the patient's preferred pharmacy when it holds a license active
    on ``day`` for the ship-to state, else the practice's default pharmacy for that state (when it
    does), else a refusal that names what is missing (docs/domain.md "Prescription orders")."""
    state = service_state_require(ship_to_state)
    problems = []
    preference = PharmacyPreference.objects.select_related("pharmacy").filter(patient=patient).first()
    preferred = preference.pharmacy if preference else None
    if preferred is not None:
        if pharmacy_licensed_for(preferred, state, day):
            return Route(preferred, f"the patient's choice, licensed in {state.name}")
        problems.append(f"the patient's preferred pharmacy, {preferred.name}, has no active license for {state.name}")
    default = StateDefaultPharmacy.objects.select_related("pharmacy").filter(state=state).first()
    if default is None:
        problems.append(f"the practice has no default pharmacy for {state.name}")
    elif pharmacy_licensed_for(default.pharmacy, state, day):
        why = f"the practice's default for {state.name}"
        return Route(default.pharmacy, why + (f" ({problems[0]})" if problems else " (the patient has no preference)"))
    else:
        problems.append(f"the default pharmacy for {state.name}, {default.pharmacy.name}, has no active license there")
    raise ValidationError(
        "No pharmacy can fill this order: " + "; ".join(problems) + ". Ask practice staff to update the "
        "pharmacy licenses or the default pharmacy for the state.",
        code="no_pharmacy",
    )


def pharmacy_route(*, patient: Patient, ship_to_state: str, day: dt.date) -> Pharmacy:
    """The pharmacy of :func:`pharmacy_route_explained`."""
    return pharmacy_route_explained(patient=patient, ship_to_state=ship_to_state, day=day).pharmacy
