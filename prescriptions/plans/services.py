"""Titration plans: creating a version, and noticing when its maintenance dose is reached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients.checkins.selectors import opioid_question_answered_since
from patients.followups.rules import FOLLOWUP_DEFAULT_DAYS, FOLLOWUP_MAX_DAYS, FOLLOWUP_MIN_DAYS
from patients.followups.services import followup_sync
from patients.intake.screening import washout_refusal
from patients.intake.selectors import washout_ends_on
from patients.models import Appointment, CareItem, Intake, Patient, ReviewStatus, ScreeningOutcome, TreatmentPhase
from patients.safety.services import care_item_close
from patients.services import patient_set_treatment_phase
from portal.access import physician_license_in
from portal.models import User
from portal.reminders import portal_update_notify
from prescriptions.dosing import (
    RESTART_AFTER_DAYS_OFF,
    RESTART_MAX_FIRST_DOSE_MG,
    TEMPLATES,
    Step,
    dose_on,
    fmt_amount,
    steps_of,
    validate_steps,
)
from prescriptions.models import (
    DosingTime,
    Formulation,
    PauseKind,
    PlanEvent,
    PlanTemplate,
    TitrationPlan,
    TitrationStep,
)

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
    *, patient: Patient, override_reason: str = "", first_dose_on: dt.date | None = None, field: str = "start_date"
) -> Intake:
    """A physician approves every intake before the first plan or prescription; a not-eligible
    screening also needs a recorded override. The opioid washout holds whatever the override: a
    first dose (``first_dose_on``, given when LDN starts from no dose) may not come before the
    screening's deferral date (docs/domain.md "Intake and screening"); that refusal sits on
    ``field`` (the plan's start date, or an order's supply start)."""
    intake = Intake.objects.filter(patient=patient).first()
    if intake is None or intake.review_status != ReviewStatus.APPROVED:
        raise ValidationError("A physician must review and approve this patient's intake before treatment starts.")
    refusal = washout_refusal(intake.deferred_until, first_dose_on) if first_dose_on else None
    if refusal:
        raise ValidationError({field: refusal})
    not_eligible = intake.screening_outcome == ScreeningOutcome.NOT_ELIGIBLE
    if not_eligible and not (intake.override_reason.strip() or override_reason.strip()):
        raise ValidationError(
            {"override_reason": "The screening found the patient not eligible. Record why you start a plan anyway."}
        )
    return intake


def _change_kind(
    current: TitrationPlan | None, *, start_date: dt.date, first_dose: Decimal, maintenance: Decimal, dosing_time: str
) -> str:
    if current is None:
        return PlanEvent.Kind.START
    previous = dose_on(current, start_date)
    if previous is None and current.is_paused:
        return PlanEvent.Kind.RESUME
    if previous is not None and first_dose > previous:
        return PlanEvent.Kind.DOSE_INCREASE
    if previous is not None and first_dose < previous:
        return PlanEvent.Kind.DOSE_DECREASE
    if current.maintenance_step and maintenance != current.maintenance_step.dose_mg:
        return PlanEvent.Kind.MAINTENANCE_CHANGE
    if dosing_time != current.dosing_time:
        return PlanEvent.Kind.TIMING_CHANGE
    return PlanEvent.Kind.PLAN_CHANGE


def _restart_rules(current: TitrationPlan, *, start_date: dt.date, first_dose: Decimal) -> None:
    """Taking LDN again after a stop: the patient has answered the opioid question since the stop
    (a check-in: the re-screen) and, after more than 7 days off, starts low again."""
    if current.pause_kind != PauseKind.STOP:
        return
    if not opioid_question_answered_since(current.patient, current.paused_on):
        raise ValidationError(
            "Before LDN restarts the patient must answer the opioid question again: ask them to log a check-in "
            "from their dashboard (it asks about opioid medicines), then restart the plan."
        )
    days_off = (start_date - current.paused_on).days
    if days_off > RESTART_AFTER_DAYS_OFF and first_dose > RESTART_MAX_FIRST_DOSE_MG:
        raise ValidationError(
            {
                "template": f"After {days_off} days off LDN the patient starts low again: the first step can be at "
                f"most {fmt_amount(RESTART_MAX_FIRST_DOSE_MG)} mg (choose the restart template)."
            }
        )


def _require_deciding_visit(visit: Appointment, *, patient: Patient, physician: User) -> None:
    """A version records the decision of a visit of this patient with this physician that took place."""
    if visit.patient_id != patient.pk:
        raise ValidationError("That visit is another patient's: the plan can only record this patient's visit.")
    if visit.physician_id != physician.pk:
        raise ValidationError("Only the visit's physician records its dose decision.")
    if visit.status != Appointment.Status.COMPLETED:
        raise ValidationError("Record the visit as completed before writing its dose decision.")


@transaction.atomic
def titration_plan_create(
    *,
    patient: Patient,
    physician: User,
    start_date: dt.date | None = None,
    start_on_arrival: bool = False,
    template: str = PlanTemplate.STANDARD,
    steps: Sequence[Step] | None = None,
    formulation: str = Formulation.ORAL_LIQUID,
    dosing_time: str = DosingTime.BEDTIME,
    high_dose_reason: str = "",
    override_reason: str = "",
    note: str = "",
    followup_due_in_days: int = FOLLOWUP_DEFAULT_DAYS,
    visit: Appointment | None = None,
) -> TitrationPlan:
    """Start a patient's plan, or make a new version of it (a dose change, a switch to morning).

    Records the change as a :class:`PlanEvent`, recomputes the follow-up from the new dose changes
    (each one, scheduled steps included, owes a visit 7–28 days after it) and sets the treatment
    phase, all in this one transaction. ``visit``: the visit whose decision this version is; its
    visit note names the version."""
    physician_require_scope(physician=physician, patient=patient)
    if visit is not None:
        _require_deciding_visit(visit, patient=patient, physician=physician)
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
    if start_on_arrival:
        # Day 1 comes with the medicine (plan_mark_arrived); until then today stands in for it.
        start_date = today
    elif start_date is None:
        raise ValidationError({"start_date": "Give the first day, or start the plan when the medicine arrives."})
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
    # On arrival, the first day is not known yet: the washout moves it when the medicine comes.
    first_dose_on = start_date if starts_from_none and not start_on_arrival else None
    intake_require_cleared(patient=patient, override_reason=override_reason, first_dose_on=first_dose_on)
    if start_on_arrival and current is not None and not current.is_awaiting_arrival:
        raise ValidationError(
            {"start_date": "Only a first plan starts when the medicine arrives: give this version its first day."}
        )
    if current is not None and current.is_paused:
        _restart_rules(current, start_date=start_date, first_dose=chosen[0].dose_mg)
    kind = _change_kind(
        current,
        start_date=start_date,
        first_dose=chosen[0].dose_mg,
        maintenance=chosen[-1].dose_mg,
        dosing_time=dosing_time,
    )
    previous_dose = dose_on(current, start_date) if current else None
    if kind == PlanEvent.Kind.MAINTENANCE_CHANGE:
        previous_dose = current.maintenance_step.dose_mg
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
        starts_on_arrival=start_on_arrival,
        high_dose_reason=high_dose_reason.strip(),
        screening_override_reason=override_reason.strip(),
        note=note.strip(),
        followup_due_in_days=followup_due_in_days,
        visit=visit,
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
        dose_mg=chosen[-1].dose_mg if kind == PlanEvent.Kind.MAINTENANCE_CHANGE else chosen[0].dose_mg,
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


PAUSE_REASON_MAX_LENGTH = 300


@transaction.atomic
def plan_pause(
    *, patient: Patient, kind: str, reason: str, by: User | None, on: dt.date | None = None
) -> TitrationPlan:
    """Hold the current plan (until a physician reviews) or stop it, from ``on`` (the patient's
    today): no dose from that day anywhere (dashboard, calendar, chart, orders), no refill or
    follow-up reminder while it lasts. ``by`` is None when the portal holds it (opioid use
    reported in a check-in). A stop after a hold keeps the day the dose ended."""
    if by is not None:
        physician_require_scope(physician=by, patient=patient)
    if kind not in PauseKind.values:
        raise ValidationError({"kind": "Choose hold or stop."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the chart and the patient's care team will see it."})
    if len(reason) > PAUSE_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {PAUSE_REASON_MAX_LENGTH} characters."})
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    plan = TitrationPlan.objects.select_for_update().filter(patient=patient, superseded_at__isnull=True).first()
    if plan is None:
        raise ValidationError("This patient has no plan to hold or stop.")
    if plan.is_paused and not (plan.pause_kind == PauseKind.HOLD and kind == PauseKind.STOP):
        raise ValidationError(f"The plan is already {plan.get_pause_kind_display().lower()}.")
    day = on or patient.today()
    previous = dose_on(plan, day - dt.timedelta(days=1))
    plan.paused_on = plan.paused_on or day
    plan.pause_kind, plan.pause_reason = kind, reason
    plan.save(update_fields=["paused_on", "pause_kind", "pause_reason"])
    PlanEvent.objects.create(
        patient=patient,
        plan=plan,
        kind=PlanEvent.Kind.HOLD if kind == PauseKind.HOLD else PlanEvent.Kind.STOP,
        effective_on=plan.paused_on,
        previous_dose_mg=previous,
        reason=reason,
        actor=by,
    )
    phase = TreatmentPhase.ON_HOLD if kind == PauseKind.HOLD else TreatmentPhase.STOPPED
    patient_set_treatment_phase(patient=patient, phase=phase)
    followup_sync(patient=patient)
    portal_update_notify(user_id=patient.user_id, time_zone=patient.time_zone_name)
    return plan


def resume_steps(plan: TitrationPlan, *, start_date: dt.date) -> tuple[str, list[Step]]:
    """The steps a paused plan resumes with: after a hold or a stop of up to 7 days, the step the
    patient was on (in full) and the ones after it; after a longer stop, the restart template."""
    days_off = (start_date - plan.paused_on).days
    if plan.pause_kind == PauseKind.STOP and days_off > RESTART_AFTER_DAYS_OFF:
        return PlanTemplate.RESTART, list(TEMPLATES[PlanTemplate.RESTART])
    steps, offset = steps_of(plan), max((plan.paused_on - plan.start_date).days - 1, 0)
    for index, step in enumerate(steps):
        if step.days is None or offset < step.days:
            return PlanTemplate.CUSTOM, steps[index:]
        offset -= step.days
    return PlanTemplate.CUSTOM, steps[-1:]


def plan_resume(*, patient: Patient, physician: User, start_date: dt.date, note: str = "") -> TitrationPlan:
    """Take LDN again: a new version of the paused plan from ``start_date`` (see
    :func:`resume_steps`), with every rule of a new version: the washout, the re-screen after a
    stop, a low first step after more than 7 days off."""
    plan = TitrationPlan.objects.prefetch_related("steps").filter(patient=patient, superseded_at__isnull=True).first()
    if plan is None or not plan.is_paused:
        raise ValidationError("The plan is not on hold or stopped.")
    template, steps = resume_steps(plan, start_date=start_date)
    return titration_plan_create(
        patient=patient,
        physician=physician,
        start_date=start_date,
        template=template,
        steps=steps,
        formulation=plan.formulation,
        dosing_time=plan.dosing_time,
        high_dose_reason=plan.high_dose_reason,
        note=note or "Resumed after review",
        followup_due_in_days=plan.followup_due_in_days,
    )


def hold_for_opioid_exposure(sender, *, patient: Patient, reported_on: dt.date, **kwargs) -> None:
    """Receiver of ``patients.safety.services.opioid_exposure_reported``: the patient reported
    opioid use in a check-in, so LDN is held until a physician reviews it (nothing to hold before
    a plan, or when it is already held or stopped)."""
    plan = TitrationPlan.objects.filter(patient=patient, superseded_at__isnull=True).first()
    if plan is None or plan.is_paused:
        return
    plan_pause(patient=patient, kind=PauseKind.HOLD, reason="Opioid exposure reported", by=None, on=reported_on)


def earliest_resume_day(patient: Patient) -> dt.date:
    """Today, or the end of the opioid washout when it is later."""
    return max(patient.today(), washout_ends_on(patient) or patient.today())


@transaction.atomic
def care_item_resolve(
    *, item: CareItem, physician: User, resolution: str, note: str, resume_on: dt.date | None = None
) -> CareItem:
    """A physician resolves a safety item: resume the plan (from ``resume_on``, by default the end
    of any washout), stop it, or record a call or a review; the note is kept with who and when.
    A refused resume or stop leaves the item open. Who may resolve it is checked by
    ``care_item_close`` (and again by the plan's services for a resume or a stop)."""
    item = care_item_close(item=item, physician=physician, resolution=resolution, note=note)
    if resolution == CareItem.Resolution.RESUMED:
        plan_resume(
            patient=item.patient, physician=physician, start_date=resume_on or earliest_resume_day(item.patient)
        )
    elif resolution == CareItem.Resolution.STOPPED:
        plan_pause(
            patient=item.patient, kind=PauseKind.STOP, reason=note.strip()[:PAUSE_REASON_MAX_LENGTH], by=physician
        )
    return item


@transaction.atomic
def plan_mark_arrived(*, patient: Patient, arrived_on: dt.date) -> TitrationPlan | None:
    """The medicine arrived (the patient says so, or the pharmacy marked the order delivered,
    whichever comes first): a plan waiting for it starts the next day, or on the day the opioid
    washout ends when that is later. Returns the plan it started, or None when none was waiting."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    plan = TitrationPlan.objects.select_for_update().filter(patient=patient, superseded_at__isnull=True).first()
    if plan is None or not plan.is_awaiting_arrival:
        return None
    start = max(arrived_on + dt.timedelta(days=1), washout_ends_on(patient) or arrived_on)
    plan.arrived_on, plan.start_date = arrived_on, start
    plan.save(update_fields=["arrived_on", "start_date"])
    PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.START).update(effective_on=start)
    followup_sync(patient=patient)
    return plan
