"""Demo patients in several service states."""

from __future__ import annotations

import datetime as dt

from patients.models import Patient
from portal.demo import demo_user
from portal.models import ServiceState, User

PATIENTS = [
    # local part, first, last, state
    ("maria.lopez", "Maria", "Lopez", "TX"),
    ("james.carter", "James", "Carter", "IL"),
    ("aisha.brown", "Aisha", "Brown", "FL"),
    ("tom.nguyen", "Tom", "Nguyen", "MO"),
    ("sara.miller", "Sara", "Miller", "GA"),
    ("li.wang", "Li", "Wang", "IA"),
]


def seed(today: dt.date) -> dict:
    states = {s.code: s for s in ServiceState.objects.all()}
    patients = {}
    for local, first, last, code in PATIENTS:
        user = demo_user(local, role=User.Role.PATIENT, first_name=first, last_name=last)
        patient, _ = Patient.objects.update_or_create(
            user=user, defaults={"state": states[code], "timezone": states[code].timezone}
        )
        patients[local] = patient
    return {"patients": patients}
