"""The patient's home page: what to do next."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from patients.checkins.presenters import pain_progress
from patients.checkins.selectors import checkin_due, plan_start_baseline, recent_checkins_with_baseline
from patients.dashboard.selectors import Onboarding, onboarding_for
from patients.followups.services import followup_next_for, treatment_start_day
from patients.models import FollowUp, ReviewStatus, TreatmentPhase
from patients.payments.gateway import payments_enabled
from patients.payments.selectors import visits_to_pay_for
from patients.selectors import patient_for_dashboard
from portal.access import Role, role_required

# While LDN is held or stopped the reading that fits is the one about starting (the washout, starting
# low again): the library tags articles by before-first-visit, titration and stable only.
READING_PHASE = {TreatmentPhase.ON_HOLD: "before-first-visit", TreatmentPhase.STOPPED: "before-first-visit"}


def reading_phase(phase: str) -> str:
    return READING_PHASE.get(phase, phase)


def primary_action(
    onboarding: Onboarding | None, *, to_pay: bool, next_followup: FollowUp | None, checkin_due: bool
) -> str:
    """Which one thing on the home gets the primary button: the getting-started step while the
    checklist shows (even when that step's action has no button, so nothing competes with the
    explanation), else paying, booking a due follow-up, or the weekly check-in."""
    if onboarding is not None:
        return "onboarding"
    if to_pay:
        return "pay"
    if next_followup is not None and next_followup.status == FollowUp.Status.PENDING:
        return "followup"
    return "checkin" if checkin_due else ""


@require_safe
@role_required(Role.PATIENT)
def patient_home(request: HttpRequest) -> HttpResponse:
    patient = patient_for_dashboard(request.user)
    intake = getattr(patient, "intake", None) if patient else None
    checkins, _ = recent_checkins_with_baseline(patient) if patient else ([], None)
    # Response is measured from the plan's start (the last check-in on or before it).
    baseline = plan_start_baseline(patient, treatment_start_day(patient)) if checkins else None
    latest = checkins[0] if checkins else None
    to_pay = visits_to_pay_for(request.user) if patient and payments_enabled() else []
    onboarding = onboarding_for(patient, payment_due=bool(to_pay))
    next_followup = followup_next_for(patient) if patient else None
    due = bool(patient and checkin_due(patient, last_checkin=latest))
    context = {
        "patient": patient,
        "intake": intake,
        "ReviewStatus": ReviewStatus,
        "latest_checkin": latest,
        "recent_checkins": checkins,
        # Only once there is a check-in after the start to compare with.
        "progress": pain_progress(baseline.score, latest.score) if baseline and latest.pk != baseline.pk else None,
        "checkin_due": due,
        "phase": reading_phase(patient.treatment_phase) if patient else "before-first-visit",
        "next_followup": next_followup,
        "to_pay": to_pay,
        "onboarding": onboarding,
        "primary": primary_action(onboarding, to_pay=bool(to_pay), next_followup=next_followup, checkin_due=due),
    }
    return render(request, "patients/patient_home.html", context)
