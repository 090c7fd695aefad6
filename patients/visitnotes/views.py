"""The physician's visit note page: write and sign the note of their own visit, read a signed one
of a colleague's patient in their states, and add addenda."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from patients.models import Appointment
from patients.visitnotes.forms import AddendumForm, VisitNoteForm
from patients.visitnotes.selectors import (
    visit_note_addenda,
    visit_note_appointment_get_for,
    visit_note_of,
    visit_note_own_appointment_get_for,
)
from patients.visitnotes.services import (
    SECTIONS,
    visit_note_addendum_add,
    visit_note_content_intact,
    visit_note_save_draft,
    visit_note_sign,
    visit_note_writable,
)
from portal.access import Role, role_required
from portal.audit import access_record
from portal.forms import add_service_errors, flash_refusal
from portal.selectors import licensed_state_ids_for


def _note_page(request: HttpRequest, appointment: Appointment, *, form=None, addendum_form=None) -> HttpResponse:
    access_record(request, patient_user=appointment.patient.user, action="visit_note.view")
    note = visit_note_of(appointment)
    writable = visit_note_writable(appointment, user=request.user, note=note)
    context = {
        "appointment": appointment,
        "note": note,
        "addenda": visit_note_addenda(note),
        "is_author": appointment.physician_id == request.user.pk,
        # The same test as the visit page's link: a lapsed license closes the chart, not the note.
        "chart_visible": appointment.patient.state_id in licensed_state_ids_for(request.user),
        "intact": note is not None and note.is_signed and visit_note_content_intact(note),
        "form": (form or VisitNoteForm(instance=note)) if writable else None,
        "can_sign": writable and appointment.status == Appointment.Status.COMPLETED,
        "addendum_form": (addendum_form or AddendumForm()) if note is not None and note.is_signed else None,
    }
    return render(request, "patients/visit_note.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PHYSICIAN)
def visit_note(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the note (a colleague sees it once signed). POST ``action=save|sign``: the visit's
    physician saves the draft, and signs it when asked."""
    if request.method != "POST":
        return _note_page(request, visit_note_appointment_get_for(request.user, pk))
    appointment = visit_note_own_appointment_get_for(request.user, pk)
    form = VisitNoteForm(request.POST)
    if not form.is_valid():
        return _note_page(request, appointment, form=form)
    sections = {name: form.cleaned_data[name] for name in SECTIONS}
    try:
        visit_note_save_draft(appointment=appointment, physician=request.user, **sections)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):  # about the note (signed) or the visit: say so on its page
            flash_refusal(request, exc)
            return redirect("patients:visit_note", pk=appointment.pk)
        add_service_errors(form, exc)
        return _note_page(request, appointment, form=form)
    if request.POST.get("action") != "sign":
        messages.success(request, "Draft saved. Only you can see it until you sign it.")
        return redirect("patients:visit_note", pk=appointment.pk)
    try:
        visit_note_sign(appointment=appointment, physician=request.user)
    except ValidationError as exc:
        messages.info(request, "Draft saved, not signed.")
        add_service_errors(form, exc)
        return _note_page(request, appointment, form=form)
    messages.success(request, "Note signed. The patient is told by email that their visit summary is ready.")
    return redirect("patients:visit_note", pk=appointment.pk)


@require_POST
@role_required(Role.PHYSICIAN)
def visit_note_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = visit_note_appointment_get_for(request.user, pk)
    note = visit_note_of(appointment)
    if note is None or not note.is_signed:
        messages.error(request, "Only a signed note takes an addendum: change the draft instead.")
        return redirect("patients:visit_note", pk=appointment.pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            visit_note_addendum_add(note=note, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Addendum signed and added to the note.")
            return redirect("patients:visit_note", pk=appointment.pk)
    return _note_page(request, appointment, addendum_form=form)
