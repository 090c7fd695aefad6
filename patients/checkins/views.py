"""The patient's PEG-3 check-in page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from patients.checkins.forms import CheckInForm
from patients.checkins.services import checkin_record
from patients.models import CheckIn
from patients.selectors import patient_for_user
from portal.access import Role, get_scoped_or_404, role_required
from portal.forms import add_service_errors


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
                result = checkin_record(patient=patient, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if result.triage.show_emergency_advice or result.triage.hold_for_opioids:
                    return redirect("patients:checkin_safety", pk=result.checkin.pk)
                messages.success(request, "Thank you. Your check-in was saved and your physician can see it.")
                return redirect("patients:home")
    else:
        form = CheckInForm(initial={"kind": request.GET.get("kind", CheckIn.Kind.WEEKLY)})
    return render(request, "patients/checkin_form.html", {"form": form})


@require_http_methods(["GET", "HEAD"])
@role_required(Role.PATIENT)
def checkin_safety(request: HttpRequest, pk: int) -> HttpResponse:
    """What to do now, after a check-in that reported a red flag or opioid use (the patient's own
    check-in only)."""
    patient = patient_for_user(request.user)
    checkin = get_scoped_or_404(CheckIn.objects.filter(patient=patient), pk=pk)
    return render(request, "patients/checkins/safety.html", {"checkin": checkin})
