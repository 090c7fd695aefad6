"""Every read of patient records that depends on who is asking. All scoping of patient records
lives here."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from patients.models import FollowUp, Intake, Patient, ReviewStatus
from portal.access import CARE_TEAM_ROLES, get_scoped_or_404
from portal.models import User
from portal.selectors import care_team_states, licensed_states


def patient_list_for(user: User, *, day: dt.date | None = None) -> QuerySet[Patient]:
    """Who sees which patients:
    - a patient: only their own record;
    - a physician: patients living in a state where the physician holds a license active on
      ``day`` (the practice works as one care team, docs/domain.md "Roles and access"); an expired license is none;
    - a care coordinator: patients living in any state the practice serves;
    - everyone else (pharmacy staff, practice staff outside the admin): nobody.
    """
    base = Patient.objects.select_related("user", "state", "intake")
    if not user.is_authenticated:
        return base.none()
    if user.role == User.Role.PATIENT:
        return base.filter(user=user)
    if user.role in CARE_TEAM_ROLES:
        return base.filter(state_id__in=care_team_states(user, day=day))
    return base.none()


def patient_get_for(user: User, pk: int) -> Patient:
    """One patient record within ``user``'s scope, else 404. The pharmacy choice (a prescriptions
    relation, named here without an import) comes in the same read, for the chart's intake panel."""
    return get_scoped_or_404(
        patient_list_for(user).select_related("intake__reviewed_by", "pharmacy_preference__pharmacy"), pk=pk
    )


def patient_for_user(user: User) -> Patient | None:
    """The patient record of a signed-in patient (None before they have one), with its state and
    intake."""
    return Patient.objects.select_related("state", "intake").filter(user=user).first()


# What the dashboard reads of the patient, their state and their intake (not the answers).
DASHBOARD_COLUMNS = (
    *("user_id", "legal_first_name", "timezone", "treatment_phase"),
    *("state__code", "state__name", "state__timezone", "state__active"),
    *("intake__completed_steps", "intake__submitted_at", "intake__screening_outcome", "intake__deferred_until"),
    *("intake__review_status", "intake__review_note"),
)


def patient_for_dashboard(user: User) -> Patient | None:
    """:func:`patient_for_user` with only what the dashboard shows."""
    return (
        Patient.objects.select_related("state", "intake")
        .filter(user_id=user.pk)
        .only(*DASHBOARD_COLUMNS)
        .order_by("pk")
        .first()
    )


# What a row of the clinic's patient list shows (the intake's answers stay out of it).
PATIENT_ROW_FIELDS = (
    *("legal_first_name", "legal_last_name", "treatment_phase", "user__first_name", "user__last_name", "user__email"),
    *("state__code", "intake__review_status", "intake__screening_outcome", "intake__deferred_until"),
)


def patient_list_rows(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    """A scoped (and searched) patient list in name order, with only the columns a row shows."""
    return (
        queryset.select_related("user", "state", "intake")
        .only(*PATIENT_ROW_FIELDS)
        .order_by("legal_last_name", "legal_first_name", "id")
    )


def patient_search(
    queryset: QuerySet[Patient],
    *,
    q: str = "",
    state_code: str = "",
    review_status: str = "",
    screening_outcome: str = "",
    followup: str = "",
    today: dt.date | None = None,
) -> QuerySet[Patient]:
    """Filter a scoped patient list by the clinic list's controls."""
    if q:
        for word in q.split()[:4]:
            # One subquery per table, so that PostgreSQL can answer each from its trigram indexes
            # (patients migration 0006); an OR across the join would make it scan.
            by_legal_name = Patient.objects.filter(
                Q(legal_first_name__icontains=word) | Q(legal_last_name__icontains=word)
            ).values("pk")
            by_account = User.objects.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            ).values("pk")
            queryset = queryset.filter(Q(pk__in=by_legal_name) | Q(user_id__in=by_account))
    if state_code:
        queryset = queryset.filter(state__code=state_code)
    if review_status == ReviewStatus.NOT_SUBMITTED:
        queryset = queryset.filter(Q(intake__isnull=True) | Q(intake__review_status=ReviewStatus.NOT_SUBMITTED))
    elif review_status:
        queryset = queryset.filter(intake__review_status=review_status)
    if screening_outcome:
        queryset = queryset.filter(intake__screening_outcome=screening_outcome)
    if followup:
        today = today or timezone.localdate()
        open_followups = FollowUp.objects.filter(status__in=[FollowUp.Status.PENDING, FollowUp.Status.BOOKED])
        if followup == "overdue":
            # Overdue: the due date has passed and no visit was booked for it.
            due = open_followups.filter(status=FollowUp.Status.PENDING, due_on__lt=today)
        else:
            due = open_followups.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))
        queryset = queryset.filter(pk__in=due.values("patient_id"))
    return queryset


def review_queue_for(physician: User) -> QuerySet[Intake]:
    """Submitted intakes waiting for review, from patients in the physician's licensed states."""
    return (
        Intake.objects.select_related("patient__user", "patient__state")
        .filter(
            review_status=ReviewStatus.PENDING,
            patient__state_id__in=licensed_states(physician),
        )
        .order_by("submitted_at")
    )
