"""Visit-tomorrow and refill reminders are scheduled by the apps that own visits and orders."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from patients.models import Appointment, VisitType
from portal.models import Reminder, ServiceState
from portal.reminders import reminder_send
from prescriptions.models import StateDefaultPharmacy
from prescriptions.tests.factories import approve_intake, make_draft, make_plan, sign


@pytest.mark.django_db
def test_booking_a_visit_schedules_a_reminder_the_day_before_and_cancelling_silences_it(patient, physician):
    from patients.visits.reminders import appointment_reminder_schedule

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    appointment = Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.first(),
        location_state=ServiceState.objects.get(code="TX"), starts_at=start, ends_at=start + dt.timedelta(minutes=20),
    )  # fmt: skip
    reminder = appointment_reminder_schedule(appointment)
    assert reminder.kind == "appointment-tomorrow"
    # 10:00 in the patient's zone on the day before the visit, whatever the hour of the visit (the
    # window "24 to 12 hours before" this replaced failed for a visit after 10:00 local).
    zone = zoneinfo.ZoneInfo(patient.time_zone_name)
    visit_day = start.astimezone(zone).date()
    assert reminder.due_at == dt.datetime.combine(visit_day - dt.timedelta(days=1), dt.time(10), tzinfo=zone)
    appointment.status = Appointment.Status.CANCELLED
    appointment.save()
    Reminder.objects.filter(pk=reminder.pk).update(status="queued")
    noon = timezone.now().astimezone(dt.UTC).replace(hour=18, minute=0)
    import time_machine

    with time_machine.travel(noon, tick=False):
        assert reminder_send(reminder.pk) == "skipped"


@pytest.mark.django_db
def test_sending_an_order_schedules_a_refill_reminder_a_week_before_the_supply_ends(patient, physician, pharmacy_user):
    approve_intake(patient, physician)
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": pharmacy_user.pharmacy_membership.pharmacy}
    )
    plan = make_plan(patient, physician)
    order = sign(make_draft(plan, physician), physician)
    reminder = Reminder.objects.get(kind="refill-due", subject=f"prescriptions.prescriptionorder:{order.pk}")
    local = reminder.due_at.astimezone(__import__("zoneinfo").ZoneInfo(patient.time_zone_name))
    assert local.date() == order.supply_ends_on - dt.timedelta(days=7)
    assert local.hour == 9
    # a newer order for the next supply makes the reminder unnecessary
    sign(make_draft(plan, physician), physician)
    Reminder.objects.filter(pk=reminder.pk).update(status="queued")
    import time_machine

    with time_machine.travel(reminder.due_at, tick=False):
        assert reminder_send(reminder.pk) == "skipped"
    assert Reminder.objects.get(pk=reminder.pk).status_reason == "a newer order covers the next supply"
