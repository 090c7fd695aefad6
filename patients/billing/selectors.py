"""Reads about prices, estimates and superbills (docs/domain.md "Cash pay"). Billing documents
are the patient's own: only that patient reads them through the portal; practice staff use the
admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from patients.billing.business_days import billing_today
from patients.models import Fee, FeeSchedule, GoodFaithEstimate, Superbill, VisitType
from portal.access import get_scoped_or_404
from portal.models import User


def fee_schedule_on(day: dt.date) -> FeeSchedule | None:
    """The fee-schedule version in force for a visit on ``day``: the latest one that starts on or
    before it, or None when the practice had not published prices yet."""
    return FeeSchedule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def fee_for(*, visit_type: VisitType, day: dt.date) -> Fee | None:
    """The price of a ``visit_type`` visit on ``day`` (with its schedule loaded), or None when no
    schedule covers the day or the schedule has no price for that kind of visit."""
    schedule = fee_schedule_on(day)
    if schedule is None:
        return None
    return Fee.objects.select_related("schedule", "visit_type").filter(schedule=schedule, visit_type=visit_type).first()


@dataclass(frozen=True)
class CurrentPrices:
    """What the public prices page shows: the schedule in force today, its fees, and the next
    version when one is already published."""

    schedule: FeeSchedule | None
    fees: list[Fee]
    upcoming: FeeSchedule | None
    upcoming_fees: list[Fee]


def _fees_of(schedule: FeeSchedule | None) -> list[Fee]:
    if schedule is None:
        return []
    fees = schedule.fees.select_related("visit_type")
    # The initial consultation first, as a new patient reads the list.
    return sorted(fees, key=lambda fee: (fee.visit_type.kind != VisitType.Kind.INITIAL, fee.visit_type.kind))


def current_prices(*, today: dt.date | None = None) -> CurrentPrices:
    """The prices in force today (in the billing time zone) and the next published version, if any."""
    today = today or billing_today()
    schedule = fee_schedule_on(today)
    upcoming = FeeSchedule.objects.filter(effective_from__gt=today).order_by("effective_from").first()
    return CurrentPrices(
        schedule=schedule, fees=_fees_of(schedule), upcoming=upcoming, upcoming_fees=_fees_of(upcoming)
    )


def estimate_list_for(user: User) -> QuerySet[GoodFaithEstimate]:
    """The Good Faith Estimates ``user`` may read: a patient's own, newest first; nobody else's
    (staff read them in the admin)."""
    if not user.is_authenticated or user.role != User.Role.PATIENT:
        return GoodFaithEstimate.objects.none()
    return GoodFaithEstimate.objects.filter(patient__user=user).select_related("appointment", "fee_schedule")


def estimate_get_for(user: User, pk: int) -> GoodFaithEstimate:
    """One estimate ``user`` may read, else 404."""
    return get_scoped_or_404(estimate_list_for(user), pk=pk)


def superbill_list_for(user: User) -> QuerySet[Superbill]:
    """The superbills ``user`` may read: a patient's own, newest first; nobody else's."""
    if not user.is_authenticated or user.role != User.Role.PATIENT:
        return Superbill.objects.none()
    return Superbill.objects.filter(patient__user=user)


def superbill_get_for(user: User, pk: int) -> Superbill:
    """One superbill ``user`` may read, else 404."""
    return get_scoped_or_404(superbill_list_for(user), pk=pk)
