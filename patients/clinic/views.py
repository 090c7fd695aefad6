"""The physician's clinic: home, review queue, patient list and chart."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from patients.checkins.peg import peg_response
from patients.checkins.selectors import baseline_at_start, checkins_for
from patients.clinic.forms import PatientFilterForm
from patients.clinic.review import screening_flags
from patients.clinic.selectors import chart_signed_notes_for, chart_threads_for, chart_visits_for, work_list_for
from patients.followups.selectors import recall_counts_for
from patients.followups.services import treatment_start_day
from patients.intake import services as intake_services
from patients.intake.forms import ReviewForm
from patients.intake.selectors import consents_for
from patients.messaging.selectors import unread_thread_count_for
from patients.models import ReviewStatus
from patients.safety.selectors import open_care_items_for
from patients.selectors import patient_get_for, patient_list_for, patient_list_rows, patient_search, review_queue_for
from patients.visits.selectors import appointments_upcoming_for, physician_time_zone
from patients.zones import shown_in, zone_label
from portal.access import CARE_TEAM_ROLES, Role, role_required
from portal.audit import access_record, access_record_list
from portal.forms import flash_refusal
from portal.selectors import licenses_expiring, physician_licenses_for

PAGE_SIZE = 25
CLINIC_HOME_VISITS = 5
# Items of each kind on the clinic home's work list (the longest waiting); more are rare, and the
# list links to the page listing them all.
CLINIC_HOME_ITEMS = 50


@require_safe
@role_required(*CARE_TEAM_ROLES)
def clinic_home(request: HttpRequest) -> HttpResponse:
    """What the physician has to act on, as one work list ordered by urgency and then by waiting
    time (safety items, pharmacy questions, failed faxes, drafts, intakes, refill requests,
    patients' messages; patients.clinic.selectors), then the next visits and their licenses."""
    access_record_list(request, action="clinic.home")
    if request.user.role == Role.COORDINATOR:
        return _coordinator_home(request)
    licenses = list(physician_licenses_for(request.user))
    with shown_in(physician_time_zone(request.user)) as zone:
        return render(
            request,
            "patients/clinic_home.html",
            {
                "licenses": licenses,
                "expiring_licenses": licenses_expiring(licenses, today=timezone.localdate()),
                "work": work_list_for(request.user, limit=CLINIC_HOME_ITEMS),
                "patient_count": patient_list_for(request.user).count(),
                "next_visits": list(appointments_upcoming_for(request.user)[:CLINIC_HOME_VISITS]),
                "zone_label": zone_label(zone.key),
            },
        )


def _coordinator_home(request: HttpRequest) -> HttpResponse:
    """The coordinator's work list: patients who need attention (to reach them; physicians resolve
    the items), conversations waiting for the care team, recalls, and the next visits."""
    recalls = recall_counts_for(request.user)
    with shown_in(physician_time_zone(request.user)) as zone:
        return render(
            request,
            "patients/coordinator_home.html",
            {
                "care_items": list(open_care_items_for(request.user)[:CLINIC_HOME_ITEMS]),
                "recalls_overdue": recalls["overdue"],
                "recalls_due": recalls["due"],
                "mine_unread": unread_thread_count_for(request.user, show="mine"),
                "unassigned_unread": unread_thread_count_for(request.user, show="unassigned"),
                "next_visits": list(appointments_upcoming_for(request.user)[:CLINIC_HOME_VISITS]),
                "patient_count": patient_list_for(request.user).count(),
                "zone_label": zone_label(zone.key),
            },
        )


@require_safe
@role_required(Role.PHYSICIAN)
def review_queue(request: HttpRequest) -> HttpResponse:
    access_record_list(request, action="reviews.list")
    page = Paginator(review_queue_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "patients/review_queue.html", {"page": page})


@require_safe
@role_required(*CARE_TEAM_ROLES)
def patient_list(request: HttpRequest) -> HttpResponse:
    access_record_list(request, action="patients.list")
    form = PatientFilterForm(request.GET or None)
    queryset = patient_list_for(request.user)
    if form.is_valid() and any(form.cleaned_data.values()):
        data = form.cleaned_data
        queryset = patient_search(
            queryset,
            q=data["q"],
            state_code=data["state"],
            review_status=data["review_status"],
            followup=data["followup"],
            screening_outcome=data["screening"],
        )
    page = Paginator(patient_list_rows(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "querystring": query.urlencode(),
    }
    return render(request, "patients/patient_list.html", context)


@require_safe
@role_required(*CARE_TEAM_ROLES)
def patient_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's chart. A care coordinator reads it to help the patient (visits, contact,
    response) without the physician's decisions: no intake review, no plan or order actions.

    A physician opening the chart of an intake waiting for review sees it in review mode: the
    screening flags, the answers and the decision first; the plan and order actions stay hidden
    until the intake is approved (the plan and order services refuse them before that too)."""
    patient = patient_get_for(request.user, pk)
    access_record(request, patient_user=patient.user, action="chart.view")
    intake = getattr(patient, "intake", None)
    checkins = checkins_for(patient)
    # Response is measured from the plan's start (the last check-in on or before it).
    baseline = baseline_at_start(checkins, treatment_start_day(patient), patient.time_zone_name)
    latest = checkins[-1] if checkins else None
    can_prescribe = request.user.role == Role.PHYSICIAN
    review_mode = can_prescribe and intake is not None and intake.review_status == ReviewStatus.PENDING
    context = {
        "patient": patient,
        "intake": intake,
        "consents": consents_for(patient),
        "checkins": checkins,
        "baseline": baseline,
        "latest_score": latest.score if latest else None,
        "response": peg_response(baseline.score if baseline else None, latest.score if latest else None),
        "review_mode": review_mode,
        "review_form": ReviewForm() if review_mode else None,
        "flags": screening_flags(intake, zone_name=patient.time_zone_name) if review_mode else [],
        "can_prescribe": can_prescribe,
        # docs/domain.md "Intake and screening": no plan or order before the intake is approved.
        "can_start_plan": can_prescribe and intake is not None and intake.review_status == ReviewStatus.APPROVED,
        "visits": chart_visits_for(request.user, patient),
        "signed_notes": chart_signed_notes_for(request.user, patient),
        "threads": chart_threads_for(request.user, patient),
    }
    # Times on the chart (check-ins, consents) read in the physician's own zone, as on every
    # other clinic page.
    with shown_in(physician_time_zone(request.user)):
        return render(request, "patients/patient_chart.html", context)


@require_POST
@role_required(Role.PHYSICIAN)
def intake_review(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            intake_services.intake_review(patient=patient, physician=request.user, **form.cleaned_data)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, "Review saved. The patient was told to check their portal.")
    else:
        messages.error(request, "Choose approve or decline.")
    return redirect("patients:chart", pk=patient.pk)
