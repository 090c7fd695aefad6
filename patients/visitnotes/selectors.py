"""Reads about visit notes that depend on who is asking (docs/domain.md "Visit notes and after-visit
summaries")."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from patients.models import Appointment, VisitNote, VisitNoteAddendum
from patients.selectors import patient_list_for
from portal.access import get_scoped_or_404
from portal.models import User


def visit_note_appointments_for(user: User) -> QuerySet[Appointment]:
    """The visits whose note page ``user`` may open:
    - a physician: their own visits (the note is theirs to write), and any visit with a signed note
      of a patient in their scope (a colleague licensed in the patient's state reads the record and
      may add an addendum; a draft stays with its author);
    - everyone else: none (the patient reads the signed summary on their visits page).
    """
    if not user.is_authenticated or user.role != User.Role.PHYSICIAN:
        return Appointment.objects.none()
    return Appointment.objects.select_related(
        "patient__user", "patient__state", "physician", "visit_type", "location_state"
    ).filter(
        Q(physician=user) | Q(visit_note__signed_at__isnull=False, patient__in=patient_list_for(user).values("pk"))
    )


def visit_note_appointment_get_for(user: User, pk: int) -> Appointment:
    """One visit whose note page ``user`` may open, else 404."""
    return get_scoped_or_404(visit_note_appointments_for(user), pk=pk)


def visit_note_own_appointment_get_for(user: User, pk: int) -> Appointment:
    """One of ``user``'s own visits, whose note they write and sign, else 404 (a colleague's too)."""
    return get_scoped_or_404(visit_note_appointments_for(user).filter(physician=user), pk=pk)


def visit_note_of(appointment: Appointment) -> VisitNote | None:
    return VisitNote.objects.select_related("author", "signed_by").filter(appointment=appointment).first()


def visit_note_addenda(note: VisitNote | None) -> list[VisitNoteAddendum]:
    if note is None:
        return []
    return list(note.addenda.select_related("author").order_by("signed_at", "pk"))


def visit_summaries_for(user: User, *, latest: int) -> dict[int, VisitNote]:
    """The signed after-visit summaries of ``user``'s ``latest`` visits with one, by visit (one
    query, however many visits). Only a patient has any; drafts and the clinician's sections are
    never read here. Notes are signed only on completed visits, so the summaries of a patient's
    ``latest`` past visits are among these."""
    if not user.is_authenticated or user.role != User.Role.PATIENT:
        return {}
    notes = (
        VisitNote.objects.filter(appointment__patient__user=user, signed_at__isnull=False)
        .only("appointment_id", "signed_at", "summary_decided", "summary_next_steps", "summary_next_visit")
        .order_by("-appointment__starts_at")[:latest]
    )
    return {note.appointment_id: note for note in notes}
