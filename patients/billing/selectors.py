"""Reads about prices, estimates and superbills (docs/domain.md "Cash pay"). Billing documents
are the patient's own: only that patient reads them through the portal; practice staff use the
admin."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from patients.billing.business_days import billing_date, billing_today
from patients.models import Appointment, Fee, FeeSchedule, GoodFaithEstimate, Patient, Payment, Superbill, VisitType
from portal.access import get_scoped_or_404
from portal.models import User

# The kinds of billing document, as the render task and the resume task name them.
ESTIMATE, RECEIPT, SUPERBILL = "estimate", "receipt", "superbill"
DOCUMENT_KINDS = (ESTIMATE, RECEIPT, SUPERBILL)


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


def fee_for_visit(appointment: Appointment) -> Fee | None:
    """The price a visit is charged: the one its latest Good Faith Estimate quoted (the version that
    estimate used), else the price in force on the visit's date. Prices published after a booking
    never raise what the patient was told."""
    estimate = (
        GoodFaithEstimate.objects.filter(appointment_id=appointment.pk)
        .select_related("fee_schedule")
        .order_by("-created_at", "-id")
        .first()
    )
    schedule = estimate.fee_schedule if estimate else fee_schedule_on(billing_date(appointment.starts_at))
    if schedule is None:
        return None
    return (
        Fee.objects.select_related("schedule", "visit_type")
        .filter(schedule=schedule, visit_type_id=appointment.visit_type_id)
        .first()
    )


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


def superbill_payments(*, patient: Patient, period_start: dt.date, period_end: dt.date) -> QuerySet[Payment]:
    """The payments a superbill of the period lists: paid and not refunded, for a visit that was
    completed (a past visit still "booked" may have been missed) and that started within the
    period, days counted on the patient's clock as the superbill prints its dates."""
    zone = zoneinfo.ZoneInfo(patient.time_zone_name)
    starts = dt.datetime.combine(period_start, dt.time.min, tzinfo=zone)
    ends = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return (
        Payment.objects.filter(
            patient=patient,
            status=Payment.Status.PAID,
            refunded_cents=0,
            appointment__starts_at__gte=starts,
            appointment__starts_at__lt=ends,
            appointment__status=Appointment.Status.COMPLETED,
        )
        .select_related("appointment__physician", "appointment__location_state", "fee_schedule")
        .order_by("appointment__starts_at", "pk")
    )


def documents_stalled(*, now: dt.datetime | None = None, older_than: dt.timedelta) -> list[tuple[str, int]]:
    """The documents whose render task was lost (a broker outage at creation, a killed worker), as
    ``(kind, pk)``: created longer than ``older_than`` ago and still without a PDF."""
    cutoff = (now or timezone.now()) - older_than
    stalled: list[tuple[str, int]] = []
    stalled += [
        (ESTIMATE, pk)
        for pk in GoodFaithEstimate.objects.filter(pdf="", created_at__lt=cutoff).values_list("pk", flat=True)
    ]
    stalled += [
        (SUPERBILL, pk) for pk in Superbill.objects.filter(pdf="", created_at__lt=cutoff).values_list("pk", flat=True)
    ]
    receipts = Payment.objects.filter(receipt_number__isnull=False, receipt_pdf="").filter(
        Q(paid_at__lt=cutoff) | Q(paid_at__isnull=True, created_at__lt=cutoff)
    )
    stalled += [(RECEIPT, pk) for pk in receipts.values_list("pk", flat=True)]
    return stalled


def visit_estimate(appointment: Appointment) -> GoodFaithEstimate | None:
    """The latest Good Faith Estimate given for a visit, or None (no prices covered its date)."""
    return GoodFaithEstimate.objects.filter(appointment_id=appointment.pk).order_by("-created_at", "-id").first()
