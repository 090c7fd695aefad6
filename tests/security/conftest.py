"""The world the security tests act in: one patient's records of every kind, their care team and
pharmacy, and an outsider of each role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from patients.billing.services import estimate_issue_for_visit, receipt_prepare, superbill_request
from patients.messaging.services import thread_start
from patients.models import Appointment, Attachment, FollowUp, TimeOff, VisitType, WeeklyAvailability
from patients.safety.services import care_item_raise
from patients.tests.factories import FeeScheduleFactory, appointment_at, paid_payment
from portal.models import ServiceState
from prescriptions.models import FaxTransmission, StateDefaultPharmacy
from prescriptions.orders.refills import refill_request_create
from prescriptions.tests.factories import advance, approve_intake, make_draft, make_plan, sign

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def world(patient, other_patient, physician, outsider_physician, pharmacy_user, outsider_pharmacy_user,
          coordinator, admin_user, private_storage):  # fmt: skip
    approve_intake(patient, physician)
    pharmacy = pharmacy_user.pharmacy_membership.pharmacy
    StateDefaultPharmacy.objects.update_or_create(state=ServiceState.objects.get(code="TX"),
                                                  defaults={"pharmacy": pharmacy})  # fmt: skip
    order = sign(make_draft(make_plan(patient, physician), physician), physician)
    advance(order, pharmacy_user, "received", "in_review", "compounding", "shipped")
    refill = refill_request_create(order=order, patient=patient)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    appointment = Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.order_by("pk").first(),
        location_state=ServiceState.objects.get(code="TX"), starts_at=start, ends_at=start + dt.timedelta(minutes=45),
    )  # fmt: skip
    availability = WeeklyAvailability.objects.create(physician=physician, weekday=1, start_time=dt.time(9),
                                                     end_time=dt.time(12))  # fmt: skip
    time_off = TimeOff.objects.create(physician=physician, starts_at=start + dt.timedelta(days=5),
                                      ends_at=start + dt.timedelta(days=6))  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):  # the file is written once the message commits
        thread = thread_start(patient=patient, author=patient.user, subject="Question", body="Hello",
                              attachment=SimpleUploadedFile("scan.pdf", PDF, "application/pdf"))  # fmt: skip
    # Cash pay: the visit's Good Faith Estimate, a paid payment with its receipt, a superbill, each
    # with its PDF rendered (tasks run eagerly once their transaction commits).
    schedule = FeeScheduleFactory(effective_from=start.date() - dt.timedelta(days=400))
    past = appointment_at(patient, start - dt.timedelta(days=10), physician=physician, status="completed")
    with TestCase.captureOnCommitCallbacks(execute=True):
        estimate = estimate_issue_for_visit(appointment=appointment, reason="scheduled")
    with TestCase.captureOnCommitCallbacks(execute=True):
        payment = receipt_prepare(payment=paid_payment(past, schedule, paid_at=past.starts_at))
    with TestCase.captureOnCommitCallbacks(execute=True):
        superbill = superbill_request(
            patient=patient, period_start=past.starts_at.date(), period_end=timezone.localdate()
        )
    objects = {
        "patient": patient.pk,
        "estimate": estimate.pk,
        "payment": payment.pk,
        "superbill": superbill.pk,
        "appointment": appointment.pk,
        "availability": availability.pk,
        "time_off": time_off.pk,
        "thread": thread.pk,
        "attachment": Attachment.objects.get(message__thread=thread).pk,
        "order": order.pk,
        "refill": refill.pk,
        # A fax that failed, for the physician's "send the fax again".
        "fax": FaxTransmission.objects.create(
            order=order,
            pharmacy=pharmacy,
            to_number="+15125550199",
            status="failed",
            reason="Busy",
            requested_by=physician,
        ).pk,
        "checkin": patient.checkins.first().pk,
        "care_item": care_item_raise(patient=patient, priority="urgent", reasons=["Red flag: Chest pain"]).pk,
        "followup": (
            FollowUp.objects.filter(patient=patient, status__in=["pending", "booked"]).first()
            or FollowUp.objects.create(patient=patient, reason="start", due_on=timezone.localdate())
        ).pk,
    }
    insiders = {"patient": patient.user, "physician": physician, "pharmacy": pharmacy_user,
                "coordinator": coordinator, "admin": admin_user}  # fmt: skip
    outsiders = {"patient": other_patient.user, "physician": outsider_physician, "pharmacy": outsider_pharmacy_user}
    # A second physician in the same state: inside the care team, but not the owner of hours.
    from portal.tests.factories import PhysicianLicenseFactory, state

    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    return {
        "objects": objects,
        "insiders": insiders,
        "outsiders": outsiders,
        "colleague": colleague,
        "patient": patient,
    }
