"""The physician's plan page and the patient's dose calendar."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from patients.models import Appointment, ScreeningOutcome
from patients.safety import selectors as safety_selectors
from patients.selectors import patient_for_user, patient_get_for
from patients.visits.selectors import physician_time_zone
from patients.zones import shown_in
from portal.access import Role, role_required
from portal.audit import access_record
from portal.forms import add_service_errors, flash_refusal
from prescriptions.dosing import TEMPLATES, Step, fmt_amount
from prescriptions.models import PlanTemplate
from prescriptions.plans import selectors as plan_selectors
from prescriptions.plans import services as plan_services
from prescriptions.plans.forms import (
    CareItemResolveForm,
    PauseForm,
    PlanForm,
    StepFormSet,
    steps_apply,
    steps_from_formset,
)


def _plan_initial(current, patient):
    """A new version starts from the current one; a held or stopped plan resumes where the rules
    say (the step it was on, or the restart template after more than 7 days off), on the first
    day the washout allows."""
    # A first plan starts when the medicine arrives, by default.
    initial = {"start_date": patient.today(), "start_mode": "arrival" if current is None else "date"}
    steps = []
    if current is not None:
        initial.update(
            template=PlanTemplate.CUSTOM,
            formulation=current.formulation,
            dosing_time=current.dosing_time,
            high_dose_reason=current.high_dose_reason,
            followup_due_in_days=current.followup_due_in_days,
        )
        chosen = [Step(s.dose_mg, s.days) for s in current.step_list]
        if current.is_paused:
            initial["start_date"] = plan_services.earliest_resume_day(patient)
            template, chosen = plan_services.resume_steps(current, start_date=initial["start_date"])
            initial["template"] = template
        steps = [{"dose_mg": step.dose_mg, "days": step.days} for step in chosen]
    return initial, steps


def _deciding_visit(request: HttpRequest, patient) -> Appointment | None:
    """``?visit=<id>``: the physician's own visit with this patient whose decision this version is
    (from the visit note page); another visit is a 404, a malformed value is ignored."""
    raw = request.GET.get("visit", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        return None
    return plan_selectors.deciding_visit_get_for(request.user, patient=patient, pk=int(raw))


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PHYSICIAN)
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a plan, or write a new version of it (any dose or timing change), possibly as the
    decision of a visit (``?visit=<id>``, kept by the form's post to the same address)."""
    patient = patient_get_for(request.user, pk)
    access_record(request, patient_user=patient.user, action="plan.new")
    visit = _deciding_visit(request, patient)
    current = plan_selectors.current_plan_for(patient)
    intake = getattr(patient, "intake", None)
    options = {
        # The service starts on arrival only a first plan or one still waiting for its medicine.
        "may_start_on_arrival": current is None or current.is_awaiting_arrival,
        "screening_needs_override": intake is not None
        and intake.screening_outcome in (ScreeningOutcome.DEFERRED, ScreeningOutcome.NOT_ELIGIBLE),
    }
    if request.method == "POST":
        form = PlanForm(request.POST, **options)
        formset = StepFormSet(request.POST, prefix="steps")
        # The hand-written rows are validated only when they are the schedule chosen.
        chosen_template = request.POST.get("template")
        if form.is_valid() and (not steps_apply(chosen_template) or formset.is_valid()):
            data = form.cleaned_data
            try:
                steps = steps_from_formset(formset) if steps_apply(data["template"]) else None
                plan = plan_services.titration_plan_create(
                    patient=patient,
                    physician=request.user,
                    start_date=data["start_date"],
                    start_on_arrival=data["start_mode"] == "arrival",
                    template=data["template"],
                    steps=steps,
                    formulation=data["formulation"],
                    dosing_time=data["dosing_time"],
                    high_dose_reason=data["high_dose_reason"],
                    override_reason=data["override_reason"],
                    note=data["note"],
                    followup_due_in_days=data["followup_due_in_days"],
                    visit=visit,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                what = "started" if plan.version == 1 else f"changed (version {plan.version})"
                messages.success(request, f"Plan {what}. The follow-up visit and the patient's schedule are updated.")
                if visit is not None:
                    return redirect("patients:visit_note", pk=visit.pk)
                return redirect("patients:chart", pk=patient.pk)
    else:
        initial, steps = _plan_initial(current, patient)
        form = PlanForm(initial=initial, **options)
        formset = StepFormSet(prefix="steps", initial=steps)
        chosen_template = initial.get("template", PlanTemplate.STANDARD)
    context = {
        "patient": patient,
        "intake": intake,
        "current": current,
        "visit": visit,
        "form": form,
        "formset": formset,
        # Without script every field shows; the rows' errors only when they were the schedule chosen.
        "steps_apply": steps_apply(chosen_template),
        "templates": {
            key: [f"{fmt_amount(s.dose_mg)} mg" + (f" × {s.days} d" if s.days else "") for s in steps]
            for key, steps in TEMPLATES.items()
        },
    }
    return render(request, "prescriptions/plan_form.html", context)


@require_http_methods(["POST"])
@role_required(Role.PHYSICIAN)
def plan_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """Hold or stop the patient's plan, with a reason (from the chart)."""
    patient = patient_get_for(request.user, pk)
    form = PauseForm(request.POST)
    if form.is_valid():
        try:
            plan = plan_services.plan_pause(
                patient=patient, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(
                request, f"Plan {plan.get_pause_kind_display().lower()}. The patient is told not to take LDN."
            )
    else:
        flash_refusal(request, ValidationError([error for errors in form.errors.values() for error in errors]))
    return redirect("patients:chart", pk=patient.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PHYSICIAN)
def care_item(request: HttpRequest, pk: int) -> HttpResponse:
    """A safety item: what the patient reported, how long it has waited, and the physician's
    resolution (resume, stop, called, reviewed) with a note."""
    item = safety_selectors.care_item_for(request.user, pk)
    if item is None:
        raise Http404("No such item.")
    patient = item.patient  # scoped with the item: a patient in the physician's licensed states
    access_record(request, patient_user=patient.user, action="care_item.view")
    form = CareItemResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and item.is_open:
        try:
            plan_services.care_item_resolve(
                item=item,
                physician=request.user,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
                resume_on=form.cleaned_data["resume_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Resolved. The note is kept with the patient's record.")
            return redirect("patients:clinic_home")
    context = {
        "item": item,
        "patient": patient,
        "form": form,
        "current": plan_selectors.current_plan_for(patient),
        "earliest_resume": plan_services.earliest_resume_day(patient),
    }
    with shown_in(physician_time_zone(request.user)):
        return render(request, "prescriptions/care_item.html", context)


@require_http_methods(["POST"])
@role_required(Role.PATIENT)
def patient_medication_arrived(request: HttpRequest) -> HttpResponse:
    """The patient taps "My medication arrived": a plan waiting for it starts the next day."""
    patient = patient_for_user(request.user)
    plan = plan_services.plan_mark_arrived(patient=patient, arrived_on=patient.today()) if patient else None
    if plan is None:
        messages.info(request, "Thank you. There was no plan waiting for your medication, so nothing changed.")
    else:
        messages.success(request, f"Thank you. Take your first dose on {plan.start_date:%A, %B %-d}.")
    return redirect("patients:home")
