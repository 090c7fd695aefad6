"""Writes of follow-up visits: the patient's one open follow-up kept in step with what the rules
derive from their plan and their visits (docs/domain.md "Follow-ups").

The plan lives in ``prescriptions``, which imports this app and not the other way round, so it
registers where the dose changes come from (:func:`register_dose_change_source`); every change to
a plan or a visit then calls :func:`followup_sync`, which recomputes and stores the result."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.followups.reminders import followup_reminders_cancel, followup_reminders_schedule
from patients.followups.rules import DoseChange, Obligation, followup_obligation
from patients.models import Appointment, FollowUp, Patient, RecallContact, VisitType
from portal.models import User

DoseChangeSource = Callable[[Patient], list[DoseChange]]
_dose_change_source: DoseChangeSource | None = None


def register_dose_change_source(source: DoseChangeSource) -> None:
    """Called once by the app that owns the plan (``prescriptions``) in ``AppConfig.ready``."""
    global _dose_change_source
    _dose_change_source = source


def dose_changes_of(patient: Patient) -> list[DoseChange]:
    """The patient's dose changes as the plan app gives them (none without a plan)."""
    return _dose_change_source(patient) if _dose_change_source else []


def treatment_start_day(patient: Patient):
    """The day the patient first took LDN under a plan (or will), or None."""
    return min((change.day for change in dose_changes_of(patient)), default=None)


def _visit_days(patient: Patient, status: str) -> list:
    zone = zoneinfo.ZoneInfo(patient.time_zone_name)
    moments = Appointment.objects.filter(patient=patient, status=status).values_list("starts_at", flat=True)
    return [moment.astimezone(zone).date() for moment in moments]


def _booked_visit_after(patient: Patient, counts_from) -> Appointment | None:
    """The first booked follow-up visit on a day after ``counts_from``: the one that will satisfy
    the obligation (a visit on or before that day does not)."""
    zone = zoneinfo.ZoneInfo(patient.time_zone_name)
    booked = Appointment.objects.filter(
        patient=patient, status=Appointment.Status.BOOKED, visit_type__kind=VisitType.Kind.FOLLOW_UP
    ).order_by("starts_at")
    return next((a for a in booked if a.starts_at.astimezone(zone).date() > counts_from), None)


def _close(followup: FollowUp, *, status: str, reason: str) -> None:
    followup.status, followup.closed_at = status, timezone.now()
    followup.save(update_fields=["status", "closed_at"])
    followup_reminders_cancel(followup, reason=reason)


@transaction.atomic
def followup_sync(*, patient: Patient) -> FollowUp | None:
    """Recompute the patient's follow-up from their dose changes and completed visits, and make the
    stored one match: the open follow-up is moved when the plan changed, completed when a visit
    satisfied it (the next one opens), cancelled when nothing is owed; a booked follow-up visit
    after the day it counts from is linked to it (status "Visit booked"). Its reminders follow."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)  # serialise per patient
    changes = dose_changes_of(patient)
    seen = _visit_days(patient, Appointment.Status.COMPLETED)
    obligation = followup_obligation(changes, seen)
    current = FollowUp.objects.filter(patient=patient, status__in=[FollowUp.Status.PENDING, FollowUp.Status.BOOKED])
    current = current.first()
    if current is not None and not _same(current, obligation):
        satisfied = current.counts_from is not None and any(day > current.counts_from for day in seen)
        if satisfied:
            _close(current, status=FollowUp.Status.COMPLETED, reason="follow-up completed")
        elif obligation is None:
            _close(current, status=FollowUp.Status.CANCELLED, reason="no follow-up is owed any more")
        else:
            _close(current, status=FollowUp.Status.SUPERSEDED, reason="replaced after a plan change")
        current = None
    if obligation is None:
        return None
    if current is None:
        current = FollowUp(patient=patient)
    current.reason, current.counts_from, current.due_on = obligation.reason, obligation.counts_from, obligation.due_on
    visit = _booked_visit_after(patient, obligation.counts_from)
    current.status = FollowUp.Status.BOOKED if visit else FollowUp.Status.PENDING
    current.save()
    if visit is not None and visit.followup_id != current.pk:
        Appointment.objects.filter(pk=visit.pk).update(followup=current)
    followup_reminders_schedule(current)
    return current


def _same(followup: FollowUp, obligation: Obligation | None) -> bool:
    return (
        obligation is not None
        and followup.reason == obligation.reason
        and followup.counts_from == obligation.counts_from
    )


def followup_next_for(patient: Patient) -> FollowUp | None:
    """The patient's open follow-up."""
    return (
        FollowUp.objects.filter(patient=patient, status__in=[FollowUp.Status.PENDING, FollowUp.Status.BOOKED])
        .order_by("due_on", "pk")
        .first()
    )


RECALL_NOTE_MAX_LENGTH = 500


@transaction.atomic
def recall_contact_record(
    *, followup: FollowUp, by: User, outcome: str, note: str = "", now: dt.datetime | None = None
) -> RecallContact:
    """Write down one attempt to reach a patient about a due follow-up ("called, no answer").
    Only a follow-up still due (not booked, not closed) can be chased."""
    note = (note or "").strip()
    if outcome not in RecallContact.Outcome.values:
        raise ValidationError({"outcome": "Choose what happened."})
    if len(note) > RECALL_NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note under {RECALL_NOTE_MAX_LENGTH} characters."})
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.status != FollowUp.Status.PENDING:
        raise ValidationError("This follow-up is no longer waiting: a visit was booked or it was closed.")
    return RecallContact.objects.create(
        followup=followup, patient_id=followup.patient_id, by=by, outcome=outcome, note=note, at=now or timezone.now()
    )
