"""The patient's preferred pharmacy after the intake, from their profile (served here because this
app owns pharmacies; the profile page in patients links to it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from patients.selectors import patient_for_user
from portal.access import Role, role_required
from prescriptions.pharmacies.forms import PharmacyChoiceForm
from prescriptions.pharmacies.selectors import pharmacies_for_state, preferred_pharmacy_of_patient
from prescriptions.pharmacies.services import pharmacy_preference_change


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def profile_pharmacy(request: HttpRequest) -> HttpResponse:
    """Choose, change or clear the preferred pharmacy among those licensed for the patient's state.
    Before the intake is submitted the choice is the intake's own step."""
    patient = patient_for_user(request.user)
    intake = getattr(patient, "intake", None) if patient else None
    if patient is None or intake is None or not intake.is_submitted:
        return redirect("prescriptions:intake_pharmacy")
    pharmacies = pharmacies_for_state(patient.state_id)
    current = preferred_pharmacy_of_patient(patient)
    initial = {"pharmacy": current.pharmacy if current else None}
    form = PharmacyChoiceForm(request.POST or None, pharmacies=pharmacies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pharmacy_preference_change(patient=patient, pharmacy=form.cleaned_data["pharmacy"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            chosen = form.cleaned_data["pharmacy"]
            messages.success(
                request,
                f"Saved: your next prescriptions go to {chosen.name}."
                if chosen
                else "Saved: the practice will choose a pharmacy licensed for your state.",
            )
            return redirect("patients:profile")
    return render(
        request,
        "prescriptions/profile_pharmacy.html",
        {"form": form, "patient": patient, "no_pharmacies": not pharmacies.exists()},
    )
