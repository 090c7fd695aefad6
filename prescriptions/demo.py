"""Demo compounding pharmacies with different state licenses, and their staff."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.demo import demo_user, ensure_demo_totp
from portal.models import ServiceState, User
from prescriptions.models import Pharmacy, PharmacyLicense, PharmacyMembership, StateDefaultPharmacy

PHARMACIES = [
    {
        "name": "Prairie Compounding Pharmacy",
        "address_line1": "410 Locust St",
        "city": "Des Moines",
        "state_code": "IA",
        "postal_code": "50309",
        "phone": "515-555-0142",
        "email": "orders@prairie-compounding.example",
        "licenses": [
            ("IA", "IA-PH-3310", 500),
            ("IL", "054-021876", 420),
            ("MO", "2020-031245", 380),
            ("TX", "TX-NR-33871", 55),
        ],
        "staff": ("rx.prairie", "Dana", "Hughes"),
        "default_for": ["IA", "IL", "MO"],
    },
    {
        "name": "Gulf Coast Compounding",
        "address_line1": "2200 Bayshore Blvd",
        "city": "Tampa",
        "state_code": "FL",
        "postal_code": "33606",
        "phone": "813-555-0199",
        "email": "rx@gulfcoast-compounding.example",
        "licenses": [("FL", "PH-31877", 600), ("GA", "PHNR-009912", 365), ("TX", "TX-NR-40022", 300)],
        "staff": ("rx.gulfcoast", "Luis", "Ortega"),
        "default_for": ["FL", "GA", "TX"],
    },
]


def seed(today: dt.date) -> dict:
    states = {s.code: s for s in ServiceState.objects.all()}
    pharmacies = {}
    for spec in PHARMACIES:
        spec = dict(spec)
        licenses = spec.pop("licenses")
        staff_local, staff_first, staff_last = spec.pop("staff")
        default_for = spec.pop("default_for")
        pharmacy, _ = Pharmacy.objects.update_or_create(name=spec.pop("name"), defaults=spec)
        for code, number, days in licenses:
            PharmacyLicense.objects.update_or_create(
                pharmacy=pharmacy,
                state=states[code],
                number=number,
                defaults={"expires_on": today + dt.timedelta(days=days), "verified_at": timezone.now()},
            )
        staff = demo_user(staff_local, role=User.Role.PHARMACY, first_name=staff_first, last_name=staff_last)
        ensure_demo_totp(staff)
        PharmacyMembership.objects.update_or_create(user=staff, defaults={"pharmacy": pharmacy})
        for code in default_for:
            StateDefaultPharmacy.objects.update_or_create(state=states[code], defaults={"pharmacy": pharmacy})
        pharmacies[pharmacy.name] = pharmacy
    return {"pharmacies": pharmacies}
