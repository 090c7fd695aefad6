"""Where new orders would go after a patient moves, for the move's confirm page (patients.profile):
the routing rule of signing (``pharmacy_route_explained``), read without raising."""

from __future__ import annotations

import datetime as dt

from patients.models import Patient
from patients.profile.selectors import PharmacyAfterMove
from portal.models import ServiceState
from prescriptions.models import StateDefaultPharmacy
from prescriptions.pharmacies.selectors import preferred_pharmacy_of_patient
from prescriptions.pharmacies.services import pharmacy_licensed_for


def pharmacy_after_move(patient: Patient, state: ServiceState, day: dt.date) -> PharmacyAfterMove:
    preference = preferred_pharmacy_of_patient(patient)
    preferred = preference.pharmacy if preference else None
    default = StateDefaultPharmacy.objects.select_related("pharmacy").filter(state=state).first()
    return PharmacyAfterMove(
        preferred_name=preferred.name if preferred else "",
        preferred_ships_there=preferred is not None and pharmacy_licensed_for(preferred, state, day),
        default_name=default.pharmacy.name if default else "",
    )
