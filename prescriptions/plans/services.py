"""Titration plans: creating a version, and noticing when its maintenance dose is reached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients.followups.rules import FOLLOWUP_DEFAULT_DAYS, FOLLOWUP_MAX_DAYS, FOLLOWUP_MIN_DAYS
from patients.followups.services import followup_sync
from patients.intake.screening import washout_refusal
from patients.models import Intake, Patient, ReviewStatus, ScreeningOutcome, TreatmentPhase
from patients.services import patient_set_treatment_phase
from portal.access import physician_license_in
from portal.models import User
from portal.reminders import portal_update_notify
from prescriptions.dosing import TEMPLATES, Step, dose_on, validate_steps
from prescriptions.models import DosingTime, Formulation, PlanEvent, PlanTemplate, TitrationPlan, TitrationStep

# How far from today a plan version may start: a physician may record a start a patient already
# made this week, or schedule one for after a planned visit, but not rewrite months of history.
START_PAST_DAYS, START_FUTURE_DAYS = 14, 90


def physician_require_role(physician: User) -> None:
    if physician.role != User.Role.PHYSICIAN:
        raise PermissionDenied("Only physicians manage titration plans and prescriptions.")


def physician_require_scope(*, physician: User, patient: Patient) -> None:
    """The physician must hold a license active today in the patient's state (docs/domain.md "Roles and access")."""
    physician_require_role(physician)
    if physician_license_in(physician, patient.state) is None:
        raise PermissionDenied("You need an active license in the patient's state for this.")


def intake_require_cleared(
    *, patient: Patient, override_reason: str = "", first_dose_on: dt.date | None = None
) -> Intake:
    """A physician approves every intake before the first plan or prescription; a not-eligible
    screening also needs a recorded override. The opioid washout holds whatever the override: a
    first dose (``first_dose_on``, given when LDN starts from no dose) may not come before the
    screening's deferral date (docs/domain.md "Intake and screening")."""
    intake = Intake.objects.filter(patient=patient).first()
    if intake is None or intake.review_status != ReviewStatus.APPROVED:
        raise ValidationError("A physician must review and approve this patient's intake before treatment starts.")
    refusal = washout_refusal(intake.deferred_until, first_dose_on) if first_dose_on else None
    if refusal:
        raise ValidationError({"start_date": refusal}, code="washout")
    not_eligible = intake.screening_outcome == ScreeningOutcome.NOT_ELIGIBLE
    if not_eligible and not (intake.override_reason.strip() or override_reason.strip()):
        raise ValidationError(
            {"override_reason": "The screening found the patient not eligible. Record why you start a plan anyway."}
        )
    return intake


def _change_kind(current: TitrationPlan | None, *, start_date: dt.date, first_dose: Decimal, dosing_time: str) -> str:
    if current is None:
        return PlanEvent.Kind.START
    previous = dose_on(current, start_date)
    if previous is not None and first_dose > previous:
        return PlanEvent.Kind.DOSE_INCREASE
    if previous is not None and first_dose < previous:
        return PlanEvent.Kind.DOSE_DECREASE
    if dosing_time != current.dosing_time:
        return PlanEvent.Kind.TIMING_CHANGE
    return PlanEvent.Kind.PLAN_CHANGE


@transaction.atomic
def titration_plan_create(
    *,
    patient: Patient,
    physician: User,
    start_date: dt.date,
    template: str = PlanTemplate.STANDARD,
    steps: Sequence[Step] | None = None,
    formulation: str = Formulation.ORAL_LIQUID,
    dosing_time: str = DosingTime.BEDTIME,
    high_dose_reason: str = "",
    override_reason: str = "",
    note: str = "",
    followup_due_in_days: int = FOLLOWUP_DEFAULT_DAYS,
) -> TitrationPlan:
    """Start a patient's plan, or make a new version of it (a dose change, a switch to morning).

    Records the change as a :class:`PlanEvent`, recomputes the follow-up from the new dose changes
    (each one, scheduled steps included, owes a visit 7–28 days after it) and sets the treatment
    phase, all in this one transaction."""
    physician_require_scope(physician=physician, patient=patient)
    # Serialise plan changes per patient: versions are numbered from the current one.
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if not patient.is_in_served_state:
        raise ValidationError("The practice no longer serves the patient's state, so no new plan can start there.")
    if template not in PlanTemplate.values:
        raise ValidationError({"template": "Choose a template or write the steps by hand."})
    if formulation not in Formulation.values:
        raise ValidationError({"formulation": "Choose capsules or an oral liquid."})
    if dosing_time not in DosingTime.values:
        raise ValidationError({"dosing_time": "Choose bedtime or morning."})
    chosen = list(TEMPLATES[template]) if template != PlanTemplate.CUSTOM else list(steps or [])
    validate_steps(chosen, high_dose_reason=high_dose_reason)
    if not FOLLOWUP_MIN_DAYS <= followup_due_in_days <= FOLLOWUP_MAX_DAYS:
        raise ValidationError(
            {"followup_due_in_days": f"Choose a follow-up {FOLLOWUP_MIN_DAYS} to {FOLLOWUP_MAX_DAYS} days out."}
        )
    today = patient.today()
    if not today - dt.timedelta(days=START_PAST_DAYS) <= start_date <= today + dt.timedelta(days=START_FUTURE_DAYS):
        raise ValidationError(
            {"start_date": f"Start between {START_PAST_DAYS} days ago and {START_FUTURE_DAYS} days from today."}
        )
    current = (
        TitrationPlan.objects.select_for_update()
        .prefetch_related("steps")
        .filter(patient=patient, superseded_at__isnull=True)
        .first()
    )
    if current is not None and start_date < current.start_date:
        raise ValidationError(
            {"start_date": f"A new version cannot start before the current one ({current.start_date:%B %-d, %Y})."}
        )
    # The washout applies to a version that starts LDN from no dose: a first plan (or, later, a restart).
    starts_from_none = current is None or dose_on(current, start_date) is None
    intake_require_cleared(
        patient=patient, override_reason=override_reason, first_dose_on=start_date if starts_from_none else None
    )
    kind = _change_kind(current, start_date=start_date, first_dose=chosen[0].dose_mg, dosing_time=dosing_time)
    previous_dose = dose_on(current, start_date) if current else None
    if current is not None:
        # The partial unique index allows one current plan: retire the old one first.
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    last_version = TitrationPlan.objects.filter(patient=patient).order_by("-version").values_list("version", flat=True)
    plan = TitrationPlan.objects.create(
        patient=patient,
        version=(last_version.first() or 0) + 1,
        template=template,
        formulation=formulation,
        dosing_time=dosing_time,
        start_date=start_date,
        high_dose_reason=high_dose_reason.strip(),
        screening_override_reason=override_reason.strip(),
        note=note.strip(),
        followup_due_in_days=followup_due_in_days,
        created_by=physician,
    )
    TitrationStep.objects.bulk_create(
        TitrationStep(plan=plan, sequence=number, dose_mg=step.dose_mg, days=step.days)
        for number, step in enumerate(chosen, start=1)
    )
    PlanEvent.objects.create(
        patient=patient,
        plan=plan,
        kind=kind,
        effective_on=start_date,
        dose_mg=chosen[0].dose_mg,
        previous_dose_mg=previous_dose,
        followup_due_in_days=followup_due_in_days,
        actor=physician,
    )
    followup_sync(patient=patient)
    phase = TreatmentPhase.STABLE if len(chosen) == 1 else TreatmentPhase.TITRATION
    patient_set_treatment_phase(patient=patient, phase=phase)
    portal_update_notify(user_id=patient.user_id, time_zone=patient.time_zone_name)
    return plan


@transaction.atomic
def plan_mark_maintenance_reached(*, plan_id: int, today: dt.date | None = None) -> bool:
    """Mark a titrating patient stable once their current plan reaches its maintenance step.
    Idempotent: returns False when there is nothing to do."""
    plan = (
        TitrationPlan.objects.select_for_update(of=("self",))
        .select_related("patient__state")
        .prefetch_related("steps")
        .filter(pk=plan_id, superseded_at__isnull=True)
        .first()
    )
    if plan is None or plan.patient.treatment_phase != TreatmentPhase.TITRATION:
        return False
    day = today or plan.patient.today()
    if day < plan.maintenance_starts_on:
        return False
    _, created = PlanEvent.objects.get_or_create(
        plan=plan,
        kind=PlanEvent.Kind.MAINTENANCE_REACHED,
        defaults={
            "patient": plan.patient,
            "effective_on": plan.maintenance_starts_on,
            "dose_mg": plan.maintenance_step.dose_mg,
        },
    )
    patient_set_treatment_phase(patient=plan.patient, phase=TreatmentPhase.STABLE)
    return True
