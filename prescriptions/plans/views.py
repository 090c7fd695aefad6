"""The physician's plan page and the patient's dose calendar."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from patients.selectors import patient_get_for
from portal.access import Role, role_required
from portal.audit import access_record
from portal.forms import add_service_errors
from prescriptions.dosing import TEMPLATES, fmt_amount
from prescriptions.models import PlanTemplate
from prescriptions.plans import selectors as plan_selectors
from prescriptions.plans import services as plan_services
from prescriptions.plans.forms import PlanForm, StepFormSet, steps_from_formset


def _plan_initial(current, today):
    initial = {"start_date": today}
    steps = []
    if current is not None:
        initial.update(
            template=PlanTemplate.CUSTOM,
            formulation=current.formulation,
            dosing_time=current.dosing_time,
            high_dose_reason=current.high_dose_reason,
            followup_due_in_days=current.followup_due_in_days,
        )
        steps = [{"dose_mg": s.dose_mg, "days": s.days} for s in current.step_list]
    return initial, steps


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PHYSICIAN)
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a plan, or write a new version of it (any dose or timing change)."""
    patient = patient_get_for(request.user, pk)
    access_record(request, patient_user=patient.user, action="plan.new")
    current = plan_selectors.current_plan_for(patient)
    today = patient.today()
    if request.method == "POST":
        form = PlanForm(request.POST)
        formset = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                steps = steps_from_formset(formset) if data["template"] == PlanTemplate.CUSTOM else None
                plan = plan_services.titration_plan_create(
                    patient=patient,
                    physician=request.user,
                    start_date=data["start_date"],
                    template=data["template"],
                    steps=steps,
                    formulation=data["formulation"],
                    dosing_time=data["dosing_time"],
                    high_dose_reason=data["high_dose_reason"],
                    override_reason=data["override_reason"],
                    note=data["note"],
                    followup_due_in_days=data["followup_due_in_days"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                what = "started" if plan.version == 1 else f"changed (version {plan.version})"
                messages.success(request, f"Plan {what}. The follow-up visit and the patient's schedule are updated.")
                return redirect("patients:chart", pk=patient.pk)
    else:
        initial, steps = _plan_initial(current, today)
        form = PlanForm(initial=initial)
        formset = StepFormSet(prefix="steps", initial=steps)
    intake = getattr(patient, "intake", None)
    context = {
        "patient": patient,
        "intake": intake,
        "current": current,
        "form": form,
        "formset": formset,
        "templates": {
            key: [f"{fmt_amount(s.dose_mg)} mg" + (f" × {s.days} d" if s.days else "") for s in steps]
            for key, steps in TEMPLATES.items()
        },
    }
    return render(request, "prescriptions/plan_form.html", context)
