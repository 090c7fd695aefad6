"""Demo data for the practice core: staff, physicians and their licenses.

Each app that has demo data exposes ``seed(today)`` in its ``demo`` module; ``seed_demo`` calls
them in INSTALLED_APPS order, so imports still run one way (docs/architecture.md "Apps and layers")."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from portal.models import PhysicianLicense, ServiceState, User

DEMO_PASSWORD = "ldn-demo-2026"
# Fixed so that demo logins can be typed into any authenticator app (README lists it). Demo only.
DEMO_TOTP_SECRET = "LDNCAREDEMOTOTPSECRETKEY234567AB"
DEMO_DOMAIN = "demo.ldncare.example"


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def demo_user(local: str, *, role: str, first_name: str, last_name: str, **extra) -> User:
    """Create or refresh one demo account with a verified email address."""
    email = demo_email(local)
    user, created = User.objects.get_or_create(
        email=email, defaults={"role": role, "first_name": first_name, "last_name": last_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    else:
        changed = {"role": role, "first_name": first_name, "last_name": last_name, **extra}
        if any(getattr(user, k) != v for k, v in changed.items()):
            for key, value in changed.items():
                setattr(user, key, value)
            user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def demo_ensure(model, *, values: dict, keep_if_set: tuple[str, ...] = (), **lookup):
    """``get_or_create``, then save only the fields whose values differ: seeding again writes no
    change history for a record it did not change. A field in ``keep_if_set`` (a verification
    time) keeps the value it has when both it and the new one are set."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if created:
        return obj
    changed = [
        field
        for field, value in values.items()
        if getattr(obj, field) != value
        and not (field in keep_if_set and getattr(obj, field) is not None and value is not None)
    ]
    if changed:
        for field in changed:
            setattr(obj, field, values[field])
        obj.save(update_fields=changed)
    return obj


def ensure_demo_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


PHYSICIANS = [
    # local part, first, last, NPI, [(state, kind, number, expires in days from today, verified)]
    (
        "dr.rivera",
        "Elena",
        "Rivera",
        "1234567893",
        [
            ("TX", "full", "TX-R-55120", 400, True),
            ("FL", "fl_telehealth", "TPMC-3021", 500, True),
            ("GA", "full", "GA-078812", 300, True),
        ],
    ),
    (
        "dr.chen",
        "Michael",
        "Chen",
        "1457389264",
        [
            ("IA", "full", "IA-MD-40212", 365, True),
            ("IL", "full", "036-140021", 700, True),
            ("MO", "full", "2019-004411", 45, True),
        ],
    ),
    (
        "dr.okafor",
        "Grace",
        "Okafor",
        "1639172605",
        [
            ("TX", "full", "TX-Q-90311", -20, True),
            ("MO", "full", "2021-017733", 25, True),
            ("IL", "full", "036-155502", 600, False),
        ],
    ),
]


def seed(today: dt.date) -> dict:
    admin = demo_user(
        "admin", role=User.Role.STAFF, first_name="Pat", last_name="Admin", is_staff=True, is_superuser=True
    )
    ensure_demo_totp(admin)
    coordinator = demo_user("nora.quinn", role=User.Role.COORDINATOR, first_name="Nora", last_name="Quinn")
    ensure_demo_totp(coordinator)
    states = {s.code: s for s in ServiceState.objects.all()}
    physicians = {}
    for local, first, last, npi, licenses in PHYSICIANS:
        physician = demo_user(local, role=User.Role.PHYSICIAN, first_name=first, last_name=last, npi=npi)
        ensure_demo_totp(physician)
        for code, kind, number, days, verified in licenses:
            demo_ensure(
                PhysicianLicense,
                physician=physician,
                state=states[code],
                number=number,
                values={
                    "kind": kind,
                    "expires_on": today + dt.timedelta(days=days),
                    "verified_at": timezone.now() if verified else None,
                },
                keep_if_set=("verified_at",),
            )
        physicians[local] = physician
    return {"admin": admin, "coordinator": coordinator, "physicians": physicians}
