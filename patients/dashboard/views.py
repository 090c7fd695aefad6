"""The patient's home page: what to do next."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from patients.checkins.peg import peg_response
from patients.checkins.selectors import checkin_due, plan_start_baseline, recent_checkins_with_baseline
from patients.followups.services import followup_next_for, treatment_start_day
from patients.models import ReviewStatus, TreatmentPhase
from patients.payments.gateway import payments_enabled
from patients.payments.selectors import visits_to_pay_for
from patients.selectors import patient_for_dashboard
from portal.access import Role, role_required

# While LDN is held or stopped the reading that fits is the one about starting (the washout, starting
# low again): the library tags articles by before-first-visit, titration and stable only.
READING_PHASE = {TreatmentPhase.ON_HOLD: "before-first-visit", TreatmentPhase.STOPPED: "before-first-visit"}


def reading_phase(phase: str) -> str:
    return READING_PHASE.get(phase, phase)


@require_safe
@role_required(Role.PATIENT)
def patient_home(request: HttpRequest) -> HttpResponse:
    patient = patient_for_dashboard(request.user)
    intake = getattr(patient, "intake", None) if patient else None
    checkins, _ = recent_checkins_with_baseline(patient) if patient else ([], None)
    # Response is measured from the plan's start (the last check-in on or before it).
    baseline = plan_start_baseline(patient, treatment_start_day(patient)) if checkins else None
    latest = checkins[0] if checkins else None
    context = {
        "patient": patient,
        "intake": intake,
        "ReviewStatus": ReviewStatus,
        "latest_checkin": latest,
        "recent_checkins": checkins,
        "response": peg_response(baseline.score if baseline else None, latest.score if latest else None),
        "checkin_due": bool(patient and checkin_due(patient, last_checkin=latest)),
        "phase": reading_phase(patient.treatment_phase) if patient else "before-first-visit",
        "next_followup": followup_next_for(patient) if patient else None,
        "to_pay": visits_to_pay_for(request.user) if patient and payments_enabled() else [],
    }
    return render(request, "patients/patient_home.html", context)
