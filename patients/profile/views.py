"""The patient's profile pages and the chart's "mark reviewed" action (docs/domain.md "Profile and
moving")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from patients.intake.services import waitlist_join
from patients.payments.selectors import cancellation_refund_preview
from patients.profile import services
from patients.profile.forms import ContactForm, HealthAnswersForm, MoveConfirmForm, MoveStateForm
from patients.profile.selectors import move_plan_for, profile_patient_for
from patients.selectors import patient_get_for
from patients.zones import shown_in
from portal.access import Role, role_required
from portal.forms import add_service_errors, flash_refusal


def _health_initial(intake) -> dict:
    return {
        "takes_opioids": intake.takes_opioids,
        "opioid_names": intake.opioid_names,
        "opioid_last_dose": intake.opioid_last_dose,
        "other_medications": intake.other_medications,
        "no_known_allergies": intake.no_known_allergies,
        "allergies": intake.allergies,
    }


def _contact_initial(patient) -> dict:
    fields = ("phone", "address_line1", "address_line2", "city", "postal_code")
    return {name: getattr(patient, name) for name in fields}


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def profile(request: HttpRequest) -> HttpResponse:
    """Contact details and, once the intake is submitted, medicines and allergies. Each form posts
    here with its ``section``; a refused form is shown again with its errors and nothing saved."""
    patient = profile_patient_for(request.user)
    if patient is None or patient.state_id is None:
        messages.info(request, "Start with your intake: it asks where you live and how to reach you.")
        return redirect("patients:intake")
    intake = getattr(patient, "intake", None)
    health_open = bool(intake and intake.is_submitted)
    contact_form = ContactForm(initial=_contact_initial(patient))
    health_form = HealthAnswersForm(initial=_health_initial(intake)) if health_open else None
    section = request.POST.get("section")
    if request.method == "POST" and section == "contact":
        contact_form = ContactForm(request.POST, initial=_contact_initial(patient))
        if contact_form.is_valid():
            try:
                services.patient_contact_update(patient=patient, **contact_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(contact_form, exc)
            else:
                messages.success(request, "Your contact details are saved.")
                return redirect("patients:profile")
    elif request.method == "POST" and section == "health" and health_open:
        health_form = HealthAnswersForm(request.POST, initial=_health_initial(intake))
        if health_form.is_valid():
            try:
                result = services.health_answers_update(patient=patient, by=request.user, **health_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(health_form, exc)
            else:
                if result.opioid_item:
                    messages.warning(
                        request,
                        "Thank you for telling us. Do not take LDN until your physician says so: LDN blocks "
                        "opioid medicines, and taken together it can set off withdrawal. A physician will "
                        "review what you told us.",
                    )
                elif result.changed:
                    messages.success(request, "Your answers are saved. A physician will review the change.")
                else:
                    messages.info(request, "Nothing changed in your answers.")
                return redirect("patients:profile")
    elif request.method == "POST":
        messages.error(request, "That form could not be saved here. Please try again.")
        return redirect("patients:profile")
    context = {
        "patient": patient,
        "intake": intake,
        "contact_form": contact_form,
        "health_form": health_form,
    }
    return render(request, "patients/profile/profile.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def profile_move(request: HttpRequest) -> HttpResponse:
    """Moving to another state: choose it (GET), read what changes, then confirm with the new
    address (POST ``action=move``); a state the practice does not serve offers its waitlist
    (POST ``action=waitlist``) and changes nothing."""
    patient = profile_patient_for(request.user)
    if patient is None or patient.state_id is None:
        messages.info(request, "Start with your intake: it asks where you live.")
        return redirect("patients:intake")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "waitlist":
        try:
            entry = waitlist_join(email=request.user.email, state_code=request.POST.get("state", ""))
        except ValidationError as exc:
            flash_refusal(request, exc)
            return redirect("patients:profile_move")
        messages.success(
            request,
            f"You are on the waitlist for {move_plan_for(patient, entry.state_code).state_name}. We will email "
            "you once, when we can care for people there. Your state in your record has not changed.",
        )
        return redirect("patients:profile")
    confirm_form = None
    if action == "move":
        confirm_form = MoveConfirmForm(request.POST)
        state_code = request.POST.get("state", "")
        if confirm_form.is_valid():
            data = confirm_form.cleaned_data
            try:
                result = services.patient_move(
                    patient=patient,
                    by=request.user,
                    state_code=data["state"],
                    address_line1=data["address_line1"],
                    address_line2=data["address_line2"],
                    city=data["city"],
                    postal_code=data["postal_code"],
                )
            except ValidationError as exc:
                add_service_errors(confirm_form, exc)
            else:
                moved = result.patient
                parts = [f"Your home state is now {moved.state.name}."]
                if result.cancelled:
                    parts.append(
                        f"{len(result.cancelled)} visit(s) with physicians not licensed in {moved.state.name} "
                        "were cancelled: please book a new visit."
                    )
                parts.extend(refund.message for refund in result.refunds)
                messages.success(request, " ".join(parts))
                return redirect("patients:appointment_list" if result.cancelled else "patients:profile")
    elif action is not None:
        messages.error(request, "That could not be done here. Please choose your new state again.")
        return redirect("patients:profile_move")
    else:
        state_code = request.GET.get("state", "")
    state_form = MoveStateForm({"state": state_code} if state_code else None)
    if not state_form.is_valid():
        return render(request, "patients/profile/move_choose.html", {"patient": patient, "form": state_form})
    plan = move_plan_for(patient, state_form.cleaned_data["state"])
    if confirm_form is None and plan.served and not plan.same_state:
        confirm_form = MoveConfirmForm(initial={"state": plan.state_code})
    with shown_in(patient.time_zone_name):
        to_cancel = [(visit, cancellation_refund_preview(visit)) for visit in plan.visits_to_cancel]
        return render(
            request,
            "patients/profile/move_confirm.html",
            {
                "patient": patient,
                "plan": plan,
                "form": confirm_form,
                "to_cancel": to_cancel,
                "choose_url": reverse("patients:profile_move"),
            },
        )


@require_POST
@role_required(Role.PHYSICIAN)
def health_changes_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    """The chart's "Mark reviewed": closes the flags listed on the page the physician read."""
    patient = patient_get_for(request.user, pk)
    ids = [int(value) for value in request.POST.getlist("change") if value.isdigit()]
    try:
        count = services.health_answer_changes_review(patient=patient, physician=request.user, change_ids=ids)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"Marked {count} change(s) to the patient's answers as reviewed.")
    return redirect("patients:chart", pk=patient.pk)
