"""The intake's pharmacy step, served here because this app owns pharmacies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from patients.intake.services import intake_ensure
from patients.intake.views import after_step_saved, finishing_later, step_context, step_url
from patients.services import patient_ensure
from portal.access import Role, role_required
from prescriptions.models import PharmacyPreference
from prescriptions.pharmacies.forms import PharmacyChoiceForm
from prescriptions.pharmacies.selectors import pharmacies_for_state
from prescriptions.pharmacies.services import pharmacy_preference_set


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def intake_pharmacy(request: HttpRequest) -> HttpResponse:
    """The intake's optional pharmacy step: pharmacies licensed for the patient's state."""
    patient = patient_ensure(user=request.user)
    intake = intake_ensure(patient=patient)
    if intake.is_submitted:
        return redirect("patients:intake_result")
    if not patient.is_in_served_state:
        return redirect(step_url("about"))
    pharmacies = pharmacies_for_state(patient.state_id)
    current = PharmacyPreference.objects.filter(patient=patient).first()
    initial = {"pharmacy": current.pharmacy if current else None}
    if request.method == "POST":
        form = PharmacyChoiceForm(request.POST, pharmacies=pharmacies, initial=initial)
        if finishing_later(request) and not form.has_changed():
            return after_step_saved(request, intake)
        if form.is_valid():
            try:
                pharmacy_preference_set(patient=patient, pharmacy=form.cleaned_data["pharmacy"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return after_step_saved(request, intake)
    else:
        form = PharmacyChoiceForm(pharmacies=pharmacies, initial=initial)
    context = {
        "form": form,
        "finish_later_refused": request.method == "POST" and finishing_later(request),
        "no_pharmacies": not pharmacies.exists(),
        **step_context("pharmacy", intake),
    }
    return render(request, "patients/intake/step.html", context)
