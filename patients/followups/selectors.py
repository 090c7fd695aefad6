"""Reads of the recall list: follow-ups the care team should chase (docs/domain.md "Care team")."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from patients.models import FollowUp, RecallContact
from patients.selectors import patient_list_for
from portal.access import get_scoped_or_404
from portal.models import User

# A follow-up joins the recall list this many days before it is due.
RECALL_LEAD_DAYS = 7
# The contacts shown under each row (the newest first).
RECALL_CONTACTS_SHOWN = 3


def recall_list_for(user: User, *, today: dt.date | None = None) -> QuerySet[FollowUp]:
    """Follow-ups not booked yet that are overdue or due within a week, of the patients in
    ``user``'s scope: the longest overdue first, each with its newest contacts."""
    today = today or timezone.localdate()
    patients = patient_list_for(user).select_related(None).values("pk")
    return (
        FollowUp.objects.filter(
            status=FollowUp.Status.PENDING,
            due_on__lte=today + dt.timedelta(days=RECALL_LEAD_DAYS),
            patient_id__in=patients,
        )
        .select_related("patient__user", "patient__state")
        .prefetch_related(
            Prefetch(
                "recall_contacts",
                queryset=RecallContact.objects.select_related("by").order_by("-at", "-pk"),
                to_attr="contacts",
            )
        )
        .order_by("due_on", "pk")
    )


def recall_counts_for(user: User, *, today: dt.date | None = None) -> dict[str, int]:
    """How many follow-ups on ``user``'s recall list are overdue and how many are due within the
    week (one query)."""
    today = today or timezone.localdate()
    return (
        recall_list_for(user, today=today)
        .prefetch_related(None)
        .aggregate(overdue=Count("pk", filter=Q(due_on__lt=today)), due=Count("pk", filter=Q(due_on__gte=today)))
    )


def recall_get_for(user: User, pk: int) -> FollowUp:
    """One open follow-up of a patient in ``user``'s scope, else 404."""
    patients = patient_list_for(user).select_related(None).values("pk")
    return get_scoped_or_404(
        FollowUp.objects.select_related("patient__user", "patient__state").filter(
            patient_id__in=patients, status__in=[FollowUp.Status.PENDING, FollowUp.Status.BOOKED]
        ),
        pk=pk,
    )
