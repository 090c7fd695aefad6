"""The patient's own pages: the dashboard and check-ins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from patients import services
from patients.forms import CheckInForm
from patients.models import CheckIn, ReviewStatus
from patients.response import peg_response
from patients.selectors import checkin_due, patient_for_dashboard, patient_for_user, recent_checkins_with_baseline
from patients.services import followup_next_for
from portal.access import Role, role_required
from portal.forms import add_service_errors


@require_safe
@role_required(Role.PATIENT)
def patient_home(request: HttpRequest) -> HttpResponse:
    patient = patient_for_dashboard(request.user)
    intake = getattr(patient, "intake", None) if patient else None
    checkins, baseline = recent_checkins_with_baseline(patient) if patient else ([], None)
    latest = checkins[0] if checkins else None
    context = {
        "patient": patient,
        "intake": intake,
        "ReviewStatus": ReviewStatus,
        "latest_checkin": latest,
        "recent_checkins": checkins,
        "response": peg_response(baseline.score if baseline else None, latest.score if latest else None),
        "checkin_due": bool(patient and checkin_due(patient, last_checkin=latest)),
        "phase": patient.treatment_phase if patient else "before-first-visit",
        "next_followup": followup_next_for(patient) if patient else None,
    }
    return render(request, "patients/patient_home.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def checkin_new(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    intake = getattr(patient, "intake", None) if patient else None
    if intake is None or not intake.is_submitted:
        messages.info(request, "Please finish your intake first; it records your starting pain scores.")
        return redirect("patients:intake")
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                services.checkin_record(patient=patient, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Thank you. Your check-in was saved and your physician can see it.")
                return redirect("patients:home")
    else:
        form = CheckInForm(initial={"kind": request.GET.get("kind", CheckIn.Kind.WEEKLY)})
    return render(request, "patients/checkin_form.html", {"form": form})
