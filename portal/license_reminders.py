"""Warn practice admins 60 and 30 days before a physician or pharmacy license expires.

Every concrete subclass of ``portal.models.License`` is covered (physician licenses here,
pharmacy licenses in prescriptions) without importing the apps that define them."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from portal.models import License, Reminder, User
from portal.notifications import email_message
from portal.reminders import local_moment, register_reminder_kind, reminder_schedule

WARNING_DAYS = (60, 30)
SEND_HOUR = 9


def license_models() -> list[type[License]]:
    return [m for m in apps.get_models() if issubclass(m, License)]


def state_activation_refusal(state, *, day: dt.date | None = None) -> str | None:
    """Why ``state`` cannot be served yet, or None: a state is activated only when at least one
    physician and one pharmacy hold a license active there (docs/domain.md "Service states and
    licenses"). Pharmacy licenses are found as the other kinds of ``License``."""
    day = day or timezone.localdate()
    physicians = pharmacies = False
    for model in license_models():
        found = model.objects.active_on(day).filter(state=state).exists()
        if model._meta.label_lower == "portal.physicianlicense":
            physicians = physicians or found
        else:
            pharmacies = pharmacies or found
    missing = [what for what, ok in (("a physician", physicians), ("a pharmacy", pharmacies)) if not ok]
    if missing:
        return (
            f"{state.name} cannot be served yet: no {' and no '.join(m.split(' ', 1)[1] for m in missing)} "
            f"holds an active, verified license there. Add and verify {' and '.join(missing)} license first."
        )
    return None


def practice_admins():
    return User.objects.filter(is_active=True, is_staff=True, role=User.Role.STAFF)


def license_reminders_schedule(*, today: dt.date | None = None) -> int:
    """Make sure each verified license expiring within 60 days has its warnings scheduled.
    Idempotent: keys are unique per license, warning and admin."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(WARNING_DAYS))
    admins = list(practice_admins())
    scheduled = 0
    for model in license_models():
        for license_ in model.objects.filter(verified_at__isnull=False, expires_on__gte=today, expires_on__lte=horizon):
            days_left = (license_.expires_on - today).days
            for days in WARNING_DAYS:
                # A 60-day warning found with 30 or fewer days left is replaced by the 30-day one.
                if days == 60 and days_left <= 30:
                    continue
                send_on = max(today, license_.expires_on - dt.timedelta(days=days))
                for admin in admins:
                    reminder_schedule(
                        kind=f"license-expiry-{days}",
                        recipient=admin,
                        subject=f"{model._meta.label_lower}:{license_.pk}",
                        due_at=local_moment(send_on, SEND_HOUR, settings.TIME_ZONE),
                        time_zone=settings.TIME_ZONE,
                    )
                    scheduled += 1
    return scheduled


def _license_still_expiring(reminder: Reminder) -> str | None:
    label, _, pk = reminder.subject.partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return "unknown license type"
    license_ = model.objects.filter(pk=pk).first()
    if license_ is None:
        return "license removed"
    days = int(reminder.kind.rsplit("-", 1)[1])
    if (license_.expires_on - timezone.localdate()).days > days:
        return "license renewed"
    return None


def _license_of(reminder: Reminder) -> License | None:
    label, _, pk = reminder.subject.partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return model.objects.select_related("state").filter(pk=pk).first()


def _license_render(reminder: Reminder):
    """Which license (holder, state, number), on which day it expires and how many days are left
    on the day the email goes out: staff data only, no patient's."""
    license_ = _license_of(reminder)
    return email_message(
        user=reminder.recipient,
        name="license-expiry",
        context={
            "holder": license_.holder_label,
            "state": license_.state.name,
            "number": license_.number,
            "expires_on": license_.expires_on,
            "days_left": (license_.expires_on - timezone.localdate()).days,
        },
    )


def register() -> None:
    register_reminder_kind(
        *(f"license-expiry-{d}" for d in WARNING_DAYS), check=_license_still_expiring, render=_license_render
    )
