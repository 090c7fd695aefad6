"""The multi-step intake at /intake/ and the waitlist for states not served."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from patients.intake.forms import STEP_FORMS, WaitlistForm
from patients.intake.services import (
    INTAKE_STEPS,
    STEP_FIELDS,
    STEP_NAMES,
    intake_ensure,
    intake_missing_steps,
    intake_record_consents,
    intake_save_about,
    intake_save_step,
    intake_submit,
    waitlist_join,
)
from patients.models import Intake, Patient
from patients.services import patient_ensure
from portal.access import Role, role_required
from portal.audit import client_ip
from portal.forms import add_service_errors, flash_refusal
from portal.models import US_STATE_NAMES
from portal.selectors import served_state_names


def step_url(step: str) -> str:
    if step == "pharmacy":
        return reverse("prescriptions:intake_pharmacy")
    return reverse("patients:intake_step", args=[step])


def next_step_url(intake: Intake) -> str:
    missing = intake_missing_steps(intake)
    return step_url(missing[0]) if missing else reverse("patients:intake_summary")


FINISH_LATER = "finish_later"

FINISH_LATER_MESSAGE = "Saved. You can finish your intake any time from your portal."


def finishing_later(request: HttpRequest) -> bool:
    """The step was posted with "Save and finish later" rather than "Save and continue"."""
    return FINISH_LATER in request.POST


def after_step_saved(request: HttpRequest, intake: Intake) -> HttpResponse:
    """Where a saved step leads: the patient's home after "Save and finish later", else the next step."""
    if finishing_later(request):
        messages.success(request, FINISH_LATER_MESSAGE)
        return redirect("patients:home")
    intake.refresh_from_db()
    messages.success(request, "Saved. You can leave and come back at any time.")
    return redirect(next_step_url(intake))


def _initial_for(step: str, patient: Patient, intake: Intake) -> dict:
    if step == "about":
        initial = {
            f: getattr(patient, f)
            for f in ("legal_first_name", "legal_last_name", "date_of_birth", "phone", "address_line1",
                      "address_line2", "city", "postal_code", "timezone")
        }  # fmt: skip
        initial["state_code"] = patient.state.code if patient.state_id else ""
        if not initial["legal_first_name"]:
            initial["legal_first_name"] = patient.user.first_name
            initial["legal_last_name"] = patient.user.last_name
        return initial
    if step == "consents":
        return {}
    return {f: getattr(intake, f) for f in STEP_FIELDS[step]}


def step_context(step: str, intake: Intake) -> dict:
    labels = dict(INTAKE_STEPS)
    return {
        "step": step,
        "step_label": labels[step],
        "step_number": STEP_NAMES.index(step) + 1,
        "step_count": len(STEP_NAMES) + 1,
        "steps": [
            {"name": n, "label": lbl, "done": n in intake.completed_steps, "url": step_url(n)}
            for n, lbl in INTAKE_STEPS
        ],
    }


@require_safe
@role_required(Role.PATIENT)
def intake_start(request: HttpRequest) -> HttpResponse:
    patient = patient_ensure(user=request.user)
    intake = intake_ensure(patient=patient)
    if intake.is_submitted:
        return redirect("patients:intake_result")
    return redirect(next_step_url(intake))


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def intake_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404("No such step.")
    patient = patient_ensure(user=request.user)
    intake = intake_ensure(patient=patient)
    if intake.is_submitted:
        messages.info(request, "Your intake is already submitted. Message your care team to change an answer.")
        return redirect("patients:intake_result")
    if step != "about" and not patient.is_in_served_state:
        if patient.state_id:
            messages.warning(
                request,
                f"We no longer serve {patient.state.name}. Check where you live, or join the waitlist.",
            )
        return redirect(step_url("about"))
    form_class = STEP_FORMS[step]
    unserved_state = None
    initial = _initial_for(step, patient, intake)
    if request.method == "POST":
        form = form_class(request.POST, initial=initial)
        if finishing_later(request) and not form.has_changed():
            return after_step_saved(request, intake)  # nothing typed since the last save: all is kept
        if form.is_valid():
            try:
                if step == "about":
                    intake_save_about(patient=patient, data=form.cleaned_data)
                elif step == "consents":
                    kinds = [k for k in ("telehealth", "off_label", "privacy") if form.cleaned_data.get(k)]
                    intake_record_consents(patient=patient, kinds=kinds, ip_address=client_ip(request))
                else:
                    intake_save_step(patient=patient, step=step, data=form.cleaned_data)
            except ValidationError as exc:
                if getattr(exc, "code", None) == "unserved_state":
                    unserved_state = form.cleaned_data["state_code"]
                add_service_errors(form, exc)
            else:
                return after_step_saved(request, intake)
    else:
        form = form_class(initial=initial)
    context = {
        "form": form,
        # The answers could not be saved yet: the page says so and keeps what was typed.
        "finish_later_refused": request.method == "POST" and finishing_later(request),
        "patient": patient,
        "unserved_state": unserved_state,
        "unserved_state_name": US_STATE_NAMES.get(unserved_state or ""),
        "state_no_longer_served": step == "about" and patient.state_id and not patient.state.active,
        "served_states": served_state_names() if step == "about" else [],
        **step_context(step, intake),
    }
    status = 200
    return render(request, "patients/intake/step.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def intake_summary(request: HttpRequest) -> HttpResponse:
    patient = patient_ensure(user=request.user)
    intake = intake_ensure(patient=patient)
    if intake.is_submitted:
        return redirect("patients:intake_result")
    if request.method == "POST":
        try:
            intake_submit(patient=patient)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, "Thank you. Your intake was sent to our physicians.")
            return redirect("patients:intake_result")
    context = {
        "patient": patient,
        "intake": intake,
        "consents": patient.consents.all(),
        "missing": intake_missing_steps(intake),
        **step_context("about", intake),
        "step": "summary",
        "step_label": "Review and submit",
        "step_number": len(STEP_NAMES) + 1,
    }
    return render(request, "patients/intake/summary.html", context)


@require_safe
@role_required(Role.PATIENT)
def intake_result(request: HttpRequest) -> HttpResponse:
    patient = patient_ensure(user=request.user)
    intake = intake_ensure(patient=patient)
    if not intake.is_submitted:
        return redirect(next_step_url(intake))
    return render(request, "patients/intake/result.html", {"patient": patient, "intake": intake})


@require_http_methods(["GET", "HEAD", "POST"])
def waitlist(request: HttpRequest) -> HttpResponse:
    """Open to anyone: a visitor need not create an account to hear when we reach their state."""
    initial = {"state_code": request.GET.get("state", "").upper()[:2]}
    if request.user.is_authenticated:
        initial["email"] = request.user.email
    if request.method == "POST":
        form = WaitlistForm(request.POST)
        if form.is_valid():
            try:
                entry = waitlist_join(**form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return render(request, "patients/waitlist_done.html", {"state_name": US_STATE_NAMES[entry.state_code]})
    else:
        form = WaitlistForm(initial=initial)
    return render(request, "patients/waitlist.html", {"form": form})
