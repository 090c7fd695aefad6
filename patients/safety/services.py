"""Writes of safety work items (docs/domain.md "Safety triage"): raising one (and telling every
physician licensed in the patient's state when it is urgent) and closing one with a note."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from patients.models import CareItem, CheckIn, Message, Patient
from patients.safety.reminders import care_item_alert_schedule
from portal.access import physician_license_in, physicians_licensed_in
from portal.models import User

# Sent (sender=Patient) when a patient reports opioid use: the app that owns the plan holds it.
# Receivers run inside the check-in's transaction, so the hold and the check-in commit together.
opioid_exposure_reported = Signal()

RESOLUTION_NOTE_MAX_LENGTH = 2000


@transaction.atomic
def care_item_raise(
    *,
    patient: Patient,
    priority: str,
    reasons: list[str],
    checkin: CheckIn | None = None,
    message: Message | None = None,
) -> CareItem:
    """Put an item on the clinic home of every physician licensed in the patient's state; an urgent
    one also emails each of them "A patient needs attention in the portal"."""
    if priority not in CareItem.Priority.values:
        raise ValidationError("Unknown priority.")
    item = CareItem.objects.create(
        patient=patient, priority=priority, reasons="\n".join(reasons), checkin=checkin, message=message
    )
    if priority == CareItem.Priority.URGENT:
        care_item_alert_schedule(item, physicians_licensed_in(patient.state))
    return item


@transaction.atomic
def care_item_close(*, item: CareItem, physician: User, resolution: str, note: str) -> CareItem:
    """Resolve an item with what was done and a note; the history keeps who and when."""
    item = CareItem.objects.select_for_update(of=("self",)).select_related("patient__state").get(pk=item.pk)
    if physician.role != User.Role.PHYSICIAN or physician_license_in(physician, item.patient.state) is None:
        raise PermissionDenied("Only a physician licensed in the patient's state resolves this.")
    if not item.is_open:
        raise ValidationError("This item is already resolved.")
    if resolution not in CareItem.Resolution.values:
        raise ValidationError({"resolution": "Choose what you did."})
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Write a short note: what you decided and why."})
    if len(note) > RESOLUTION_NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note under {RESOLUTION_NOTE_MAX_LENGTH} characters."})
    item.resolution, item.resolution_note = resolution, note
    item.resolved_by, item.resolved_at = physician, timezone.now()
    item.save()
    return item
