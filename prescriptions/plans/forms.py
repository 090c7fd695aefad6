"""Forms of the plan page: field validation only; the rules live in prescriptions.plans.services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from patients.followups.rules import FOLLOWUP_DEFAULT_DAYS, FOLLOWUP_MAX_DAYS, FOLLOWUP_MIN_DAYS
from patients.models import CareItem
from portal.forms import DateInput
from prescriptions.dosing import HIGH_DOSE_MG, MAX_STEPS, TEMPLATES, Step
from prescriptions.models import DosingTime, Formulation, PauseKind, PlanTemplate


class PlanForm(forms.Form):
    template = forms.ChoiceField(
        label="Schedule", choices=PlanTemplate.choices, initial=PlanTemplate.STANDARD, widget=forms.RadioSelect
    )
    formulation = forms.ChoiceField(
        label="Formulation", choices=Formulation.choices, initial=Formulation.ORAL_LIQUID, widget=forms.RadioSelect
    )
    dosing_time = forms.ChoiceField(
        label="When to take it",
        choices=DosingTime.choices,
        initial=DosingTime.BEDTIME,
        widget=forms.RadioSelect,
        help_text="Bedtime by default; morning when LDN disturbs sleep (vivid dreams, insomnia).",
    )
    start_mode = forms.ChoiceField(
        label="When does the patient start?",
        choices=[("arrival", "The day after the medicine arrives"), ("date", "On a date")],
        initial="date",
        widget=forms.RadioSelect,
        required=False,
        help_text="A first plan usually starts when the medicine arrives: the patient or the pharmacy says when.",
    )
    start_date = forms.DateField(label="First day of this plan (on a date)", widget=DateInput, required=False)
    followup_due_in_days = forms.IntegerField(
        label="Follow-up visit due after (days)",
        min_value=FOLLOWUP_MIN_DAYS,
        max_value=FOLLOWUP_MAX_DAYS,
        initial=FOLLOWUP_DEFAULT_DAYS,
        help_text=f"{FOLLOWUP_MIN_DAYS}–{FOLLOWUP_MAX_DAYS} days after the start or the dose change.",
    )
    high_dose_reason = forms.CharField(
        label="Reason for a dose above 4.5 mg",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when any step is above 4.5 mg.",
    )
    override_reason = forms.CharField(
        label="Screening override reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the screening deferred treatment or found the patient not eligible.",
    )
    note = forms.CharField(
        label="Why this plan or change (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, may_start_on_arrival: bool = True, screening_needs_override: bool = True, **kwargs):
        """Only the fields that apply to this patient are on the form: a start on the medicine's
        arrival is for a first plan (or one still waiting for it), and the override reason for a
        screening that deferred treatment or found the patient not eligible. A value posted for a
        field not on the form is ignored."""
        super().__init__(*args, **kwargs)
        if not may_start_on_arrival:
            del self.fields["start_mode"]
            self.fields["start_date"].label = "First day of this version"
        if not screening_needs_override:
            del self.fields["override_reason"]

    def clean(self):
        """Values of fields that do not apply to the choices made are cleared, never used: the
        start date of a plan starting on arrival, and the high-dose reason of a template that stays
        at 4.5 mg or less (the hand-written steps are read only for "Write the steps by hand")."""
        data = super().clean()
        template = data.get("template")
        if template and not high_dose_reason_applies(template):
            data["high_dose_reason"] = ""
        data["start_mode"] = data.get("start_mode") or "date"
        if data["start_mode"] == "arrival":
            data["start_date"] = None
        elif data.get("start_date") is None and "start_date" not in self.errors:
            self.add_error(
                "start_date",
                "Give the first day of the plan, or choose to start when the medicine arrives."
                if "start_mode" in self.fields
                else "Give the first day of this version.",
            )
        data.setdefault("override_reason", "")
        return data


def steps_apply(template: str | None) -> bool:
    """The hand-written steps are read for "Write the steps by hand" only."""
    return template == PlanTemplate.CUSTOM


def high_dose_reason_applies(template: str) -> bool:
    """A reason is asked for a step above 4.5 mg: hand-written steps, or a template that has one."""
    if steps_apply(template):
        return True
    return any(step.dose_mg > HIGH_DOSE_MG for step in TEMPLATES.get(template, ()))


class StepForm(forms.Form):
    dose_mg = forms.DecimalField(
        label="Dose (mg)",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.5", "max": "9"}),
    )
    days = forms.IntegerField(
        label="Days (empty for the maintenance step)",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"min": "7", "max": "21"}),
    )


StepFormSet = forms.formset_factory(StepForm, extra=0, min_num=MAX_STEPS, max_num=MAX_STEPS, validate_max=True)


def steps_from_formset(formset) -> list[Step]:
    """The hand-written steps: filled rows in order; a row with days but no dose is an error."""
    steps = []
    for number, row in enumerate(formset.cleaned_data, start=1):
        dose, days = row.get("dose_mg"), row.get("days")
        if dose is None and days is None:
            continue
        if dose is None:
            raise ValidationError(f"Row {number}: enter the dose.")
        steps.append(Step(dose, days))
    return steps


class PauseForm(forms.Form):
    kind = forms.ChoiceField(
        label="What to do",
        choices=[
            (PauseKind.HOLD, "Hold: no LDN until I review again"),
            (PauseKind.STOP, "Stop LDN"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose hold or stop."},
    )
    reason = forms.CharField(
        label="Reason (the chart shows it; the patient is told only not to take LDN)",
        max_length=300,
        error_messages={"required": "Say why you hold or stop the plan."},
    )

    def __init__(self, *args, stop_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if stop_only:  # a held plan can still be stopped
            self.fields["kind"].choices = [(PauseKind.STOP, "Stop LDN")]


class CareItemResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="What you did",
        choices=CareItem.Resolution.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you did."},
    )
    resume_on = forms.DateField(
        label="If you resume the plan: from",
        required=False,
        widget=DateInput,
        help_text="Empty: today, or the day the opioid washout ends if that is later.",
    )
    note = forms.CharField(
        label="Note (what you decided and why)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Write a short note: what you decided and why."},
    )
