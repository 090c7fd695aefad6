"""Writes and rules of follow-up visits: scheduled after a start or a dose change, then every 90
days on a stable dose (docs/domain.md "Follow-ups")."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.followups.reminders import followup_reminders_cancel, followup_reminders_schedule
from patients.models import (
    FollowUp,
    Patient,
)

# Follow-up 7–28 days after a start or a dose change (physician's choice, 14 by default), then
# every 90 days on a stable dose (docs/domain.md "Follow-ups").
FOLLOWUP_MIN_DAYS, FOLLOWUP_MAX_DAYS, FOLLOWUP_DEFAULT_DAYS = 7, 28, 14


FOLLOWUP_STABLE_DAYS = 90


@transaction.atomic
def followup_schedule_after_dose_change(
    *, patient: Patient, changed_on: dt.date, due_in_days: int = FOLLOWUP_DEFAULT_DAYS, is_start: bool = False
) -> FollowUp:
    """Schedule the follow-up after a plan starts or its dose changes. An open follow-up that is
    still only pending is replaced (superseded), never duplicated; a booked one is moved to the
    new due date and keeps its visit."""
    if not FOLLOWUP_MIN_DAYS <= due_in_days <= FOLLOWUP_MAX_DAYS:
        raise ValidationError(
            {"due_in_days": f"Choose a follow-up between {FOLLOWUP_MIN_DAYS} and {FOLLOWUP_MAX_DAYS} days."}
        )
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # serialise per patient
    reason = FollowUp.Reason.START if is_start else FollowUp.Reason.DOSE_CHANGE
    due_on = changed_on + dt.timedelta(days=due_in_days)
    open_followup = FollowUp.objects.filter(patient=patient, status__in=["pending", "booked"]).first()
    if open_followup is not None and open_followup.status == FollowUp.Status.BOOKED:
        open_followup.due_on, open_followup.reason = due_on, reason
        open_followup.save(update_fields=["due_on", "reason"])
        followup_reminders_schedule(open_followup)
        return open_followup
    if open_followup is not None:
        open_followup.status = FollowUp.Status.SUPERSEDED
        open_followup.closed_at = timezone.now()
        open_followup.save(update_fields=["status", "closed_at"])
        followup_reminders_cancel(open_followup, reason="replaced after a dose change")
    followup = FollowUp.objects.create(patient=patient, reason=reason, due_on=due_on)
    followup_reminders_schedule(followup)
    return followup


def followup_next_for(patient: Patient) -> FollowUp | None:
    """The patient's open follow-up due first."""
    return (
        FollowUp.objects.filter(patient=patient, status__in=[FollowUp.Status.PENDING, FollowUp.Status.BOOKED])
        .order_by("due_on", "pk")
        .first()
    )


@transaction.atomic
def followup_complete(*, followup: FollowUp, completed_on: dt.date) -> FollowUp:
    """Close a follow-up whose visit took place and schedule the next one 90 days later (the
    stable-dose cadence). A later dose change supersedes that one with a 7–28 day follow-up."""
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if not followup.is_open:
        raise ValidationError("This follow-up is already closed.")
    followup.status = FollowUp.Status.COMPLETED
    followup.closed_at = timezone.now()
    followup.save(update_fields=["status", "closed_at"])
    followup_reminders_cancel(followup, reason="follow-up completed")
    following = FollowUp.objects.create(
        patient=followup.patient,
        reason=FollowUp.Reason.STABLE,
        due_on=completed_on + dt.timedelta(days=FOLLOWUP_STABLE_DAYS),
    )
    followup_reminders_schedule(following)
    return following
