"""Every write and rule about visit notes: the draft, the signature that locks it, addenda, and the
email that tells the patient their summary is ready (docs/domain.md "Visit notes and after-visit
summaries")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Appointment, VisitNote, VisitNoteAddendum
from patients.models.visit_notes import NOTE_SECTION_MAX, SUMMARY_SECTION_MAX
from patients.visitnotes.reminders import visit_summary_ready_schedule
from portal.access import physician_license_in
from portal.hashing import content_digest, utc_stamp
from portal.models import User

# The note's sections, in the order the page shows them, with their length limits.
CLINICAL_SECTIONS = {"subjective": NOTE_SECTION_MAX, "assessment": NOTE_SECTION_MAX, "plan": NOTE_SECTION_MAX}
SUMMARY_SECTIONS = {
    "summary_decided": SUMMARY_SECTION_MAX,
    "summary_next_steps": SUMMARY_SECTION_MAX,
    "summary_next_visit": SUMMARY_SECTION_MAX,
}
SECTIONS = {**CLINICAL_SECTIONS, **SUMMARY_SECTIONS}
# What a signature needs: the clinician's conclusion and what the patient is told.
REQUIRED_TO_SIGN = {
    "assessment": "Write the assessment before signing.",
    "plan": "Write the plan before signing.",
    "summary_decided": "Tell the patient what you decided before signing: it is what they read.",
}
LOCKED_MESSAGE = "This note is signed and can no longer be changed. Add an addendum instead."


def visit_note_content(note: VisitNote) -> dict[str, Any]:
    """Everything the signature covers, as plain JSON values."""
    return {
        "note": note.pk,
        "visit": note.appointment_id,
        "author": note.author_id,
        **{name: getattr(note, name) for name in SECTIONS},
        "signed_by": note.signed_by_id,
        "signed_at": utc_stamp(note.signed_at),
    }


def visit_note_content_hash(note: VisitNote) -> str:
    return content_digest(visit_note_content(note))


def visit_note_content_intact(note: VisitNote) -> bool:
    """True while a signed note still matches the hash taken when it was signed."""
    return bool(note.content_hash) and note.content_hash == visit_note_content_hash(note)


def addendum_content_hash(addendum: VisitNoteAddendum) -> str:
    """The addendum's text, author and time, chained to the signed note it adds to."""
    return content_digest(
        {
            "note": addendum.note_id,
            "note_hash": addendum.note.content_hash,
            "author": addendum.author_id,
            "text": addendum.text,
            "signed_at": utc_stamp(addendum.signed_at),
        }
    )


def _require_visit_physician(appointment: Appointment, user: User) -> None:
    if user.role != User.Role.PHYSICIAN or appointment.physician_id != user.pk:
        raise PermissionDenied("Only the visit's physician writes and signs its note.")


def _cleaned_sections(sections: dict[str, str]) -> dict[str, str]:
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"not sections of a visit note: {sorted(unknown)}")
    cleaned, errors = {}, {}
    for name, text in sections.items():
        text = (text or "").strip()
        limit = SECTIONS[name]
        if len(text) > limit:
            errors[name] = f"Keep this section under {limit} characters."
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _draft_refusal(appointment: Appointment, now: dt.datetime) -> str | None:
    """Why no note can be written about this visit now, or None: a note is about a visit that has
    started or taken place."""
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
        return f"This visit is {appointment.get_status_display().lower()}: there is no visit to write a note about."
    if appointment.status == Appointment.Status.BOOKED and now < appointment.starts_at:
        return "The note can be written once the visit has started."
    return None


def visit_note_writable(
    appointment: Appointment, *, user: User, note: VisitNote | None, now: dt.datetime | None = None
) -> bool:
    """True when ``user`` may write or change this visit's draft now (what the note page offers):
    the visit's physician, before signing, once the visit has started."""
    return (
        user.role == User.Role.PHYSICIAN
        and appointment.physician_id == user.pk
        and (note is None or not note.is_signed)
        and _draft_refusal(appointment, now or timezone.now()) is None
    )


@transaction.atomic
def visit_note_save_draft(
    *, appointment: Appointment, physician: User, now: dt.datetime | None = None, **sections: str
) -> VisitNote:
    """Write or change the draft note of a visit that has started (or taken place). Only the
    sections passed are changed. A signed note is refused: it is part of the record."""
    _require_visit_physician(appointment, physician)
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update(of=("self",)).get(pk=appointment.pk)
    refusal = _draft_refusal(appointment, now)
    if refusal:
        raise ValidationError(refusal)
    cleaned = _cleaned_sections(sections)
    note = VisitNote.objects.select_for_update().filter(appointment=appointment).first()
    if note is None:
        return VisitNote.objects.create(appointment=appointment, author=physician, **cleaned)
    if note.is_signed:
        raise ValidationError(LOCKED_MESSAGE, code="locked")
    for name, text in cleaned.items():
        setattr(note, name, text)
    note.save()
    return note


@transaction.atomic
def visit_note_sign(*, appointment: Appointment, physician: User, now: dt.datetime | None = None) -> VisitNote:
    """Sign the visit's draft note: it is locked from now on, its content frozen with a hash, and
    the patient is told (by an email with no health details) that their summary is ready."""
    _require_visit_physician(appointment, physician)
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("patient__user").get(pk=appointment.pk)
    )
    note = VisitNote.objects.select_for_update().filter(appointment=appointment).first()
    if note is None:
        raise ValidationError("Write the note before signing it.")
    if note.is_signed:
        raise ValidationError("This note is already signed. Add an addendum instead.", code="locked")
    if appointment.status != Appointment.Status.COMPLETED:
        raise ValidationError("Record the visit as completed before signing its note.")
    missing = {name: message for name, message in REQUIRED_TO_SIGN.items() if not getattr(note, name).strip()}
    if missing:
        raise ValidationError(missing)
    note.signed_at = now
    note.signed_by = physician
    note.content_hash = visit_note_content_hash(note)
    note.save(update_fields=["signed_at", "signed_by", "content_hash", "updated_at"])
    visit_summary_ready_schedule(note=note, patient=appointment.patient)
    return note


@transaction.atomic
def visit_note_addendum_add(
    *, note: VisitNote, author: User, text: str, now: dt.datetime | None = None
) -> VisitNoteAddendum:
    """Add a signed addendum to a signed note. The visit's physician may, and so may a colleague
    licensed today in the patient's state (a covering physician adding what they learned)."""
    note = VisitNote.objects.select_related("appointment__patient__state").get(pk=note.pk)
    appointment = note.appointment
    if author.role != User.Role.PHYSICIAN or (
        appointment.physician_id != author.pk and physician_license_in(author, appointment.patient.state) is None
    ):
        raise PermissionDenied("Only the visit's physician or a physician licensed in the patient's state adds to it.")
    if not note.is_signed:
        raise ValidationError("The note is still a draft: change the draft instead of adding an addendum.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the addendum."})
    if len(text) > NOTE_SECTION_MAX:
        raise ValidationError({"text": f"Keep the addendum under {NOTE_SECTION_MAX} characters."})
    addendum = VisitNoteAddendum(note=note, author=author, text=text, signed_at=now or timezone.now())
    addendum.content_hash = addendum_content_hash(addendum)
    addendum.save()
    return addendum
