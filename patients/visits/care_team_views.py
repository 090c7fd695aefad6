"""The care team books, moves and cancels visits on a patient's behalf (the patient phoned, or a
recall call ended with "yes, book me"): the patient's own booking rules and pages, the care
team's scope (docs/domain.md "Care team")."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from patients.selectors import patient_get_for
from patients.visits.forms import CancelByPhysicianForm
from patients.visits.selectors import appointment_get_for
from patients.visits.services import care_team_may_move
from patients.visits.views import slot_picker
from portal.access import CARE_TEAM_ROLES, role_required
from portal.audit import access_record


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CARE_TEAM_ROLES)
def book_for_patient(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for(request.user, pk)
    access_record(request, patient_user=patient.user, action="appointment.book_for")
    return slot_picker(request, patient=patient, replacing=None, on_behalf=True)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CARE_TEAM_ROLES)
def reschedule_for_patient(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_get_for(request.user, pk)
    access_record(request, patient_user=appointment.patient.user, action="appointment.reschedule_for")
    if not care_team_may_move(appointment, request.user, now=timezone.now()):
        messages.error(request, "This visit can no longer be moved: it has started or is no longer booked.")
        return redirect("patients:chart", pk=appointment.patient_id)
    return slot_picker(
        request,
        patient=appointment.patient,
        replacing=appointment,
        on_behalf=True,
        extra_context={"cancel_form": CancelByPhysicianForm()},
    )
