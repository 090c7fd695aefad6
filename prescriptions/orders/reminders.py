"""Refill reminders: when an order's supply ends within 7 days, the patient is reminded to ask
for a refill (docs/domain.md "Reminders"). Scheduled through the reminder engine when an order is sent."""

from __future__ import annotations

import datetime as dt

from patients.reminders import patient_reminder_skip_reason
from portal.models import Reminder
from portal.reminders import local_moment, register_reminder_kind, reminder_schedule
from prescriptions.models import OrderStatus, PrescriptionOrder, RefillRequest, TitrationPlan

REFILL_KIND = "refill-due"
DAYS_BEFORE_SUPPLY_ENDS = 7
SEND_HOUR = 9


def refill_reminder_schedule(order: PrescriptionOrder) -> Reminder:
    patient = order.patient
    zone = patient.time_zone_name
    send_on = order.supply_ends_on - dt.timedelta(days=DAYS_BEFORE_SUPPLY_ENDS)
    return reminder_schedule(
        kind=REFILL_KIND,
        recipient=patient.user,
        subject=f"prescriptions.prescriptionorder:{order.pk}",
        due_at=local_moment(send_on, SEND_HOUR, zone),
        time_zone=zone,
    )


def _refill_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    order = PrescriptionOrder.objects.select_related("patient__state").filter(pk=pk).first()
    if order is None:
        return "order removed"
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
        return "order did not go ahead"
    newer = PrescriptionOrder.objects.filter(patient=order.patient, created_at__gt=order.created_at).exclude(
        status__in=[OrderStatus.CANCELLED, OrderStatus.REJECTED]
    )
    if newer.exists():
        return "a newer order covers the next supply"
    if RefillRequest.objects.filter(order=order, status=RefillRequest.Status.PENDING).exists():
        return "a refill was already requested"
    if TitrationPlan.objects.filter(
        patient=order.patient, superseded_at__isnull=True, paused_on__isnull=False
    ).exists():
        return "the plan is on hold or stopped"
    return patient_reminder_skip_reason(order.patient, reminder.channel)


def register() -> None:
    register_reminder_kind(REFILL_KIND, check=_refill_check)
