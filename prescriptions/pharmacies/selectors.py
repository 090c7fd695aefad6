"""Reads of pharmacies: a staff member's own pharmacy, its queues, and the pharmacies a patient
may choose."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import IntegerField, Prefetch, QuerySet, Subquery
from django.utils import timezone

from patients.models import Patient
from portal.models import User
from prescriptions.models import (
    OrderStatus,
    Pharmacy,
    PharmacyLicense,
    PharmacyPreference,
    PrescriptionOrder,
)
from prescriptions.orders.selectors import routed_to


def pharmacy_for(user: User) -> Pharmacy | None:
    """The one pharmacy a pharmacy-staff user belongs to (None if not yet assigned), with its
    licenses."""
    if not user.is_authenticated or user.role != User.Role.PHARMACY:
        return None
    return (
        Pharmacy.objects.filter(memberships__user=user, active=True)
        .prefetch_related(
            Prefetch("licenses", queryset=PharmacyLicense.objects.select_related("state").order_by("state__code", "pk"))
        )
        .order_by("pk")
        .first()
    )


def pharmacies_for_state(state_id: int | None) -> QuerySet[Pharmacy]:
    """Active pharmacies with a license active today for ``state_id`` (the patient's choices)."""
    if state_id is None:
        return Pharmacy.objects.none()
    active_ids = PharmacyLicense.objects.active_on(timezone.localdate()).filter(state_id=state_id)
    return Pharmacy.objects.filter(active=True, licenses__in=active_ids).distinct().order_by("name")


S = OrderStatus


# Pharmacy queues: (key, label, statuses), in the order staff work them.
PHARMACY_QUEUES: list[tuple[str, str, tuple[str, ...]]] = [
    ("new", "New", (S.SENT, S.RECEIVED)),
    ("in_review", "In review", (S.IN_REVIEW,)),
    ("needs_clarification", "Needs clarification", (S.NEEDS_CLARIFICATION,)),
    ("compounding", "Compounding", (S.COMPOUNDING,)),
    ("shipped", "Shipped", (S.SHIPPED,)),
    ("closed", "Delivered or closed", (S.DELIVERED, S.REJECTED, S.CANCELLED)),
]


QUEUE_STATUSES = {key: statuses for key, _, statuses in PHARMACY_QUEUES}


# What a queue row shows: details copied at signing, so the list needs no joins.
QUEUE_COLUMNS = (
    *("id", "status", "signed_at", "patient_name", "formulation", "capsule_strength_mg", "concentration_mg_per_ml"),
    *("quantity", "quantity_unit", "ship_to_state", "prescriber_name", "tracking_number", "carrier"),
)


def _queue(pharmacy: Pharmacy, statuses) -> QuerySet[PrescriptionOrder]:
    return routed_to(PrescriptionOrder.objects.all(), pharmacy_id=pharmacy.pk).filter(status__in=statuses)


def pharmacy_queue_for(pharmacy: Pharmacy, queue: str) -> QuerySet[PrescriptionOrder]:
    """One queue of a pharmacy, newest first, to be sliced into pages; ``pharmacy`` comes from
    :func:`pharmacy_for` (the user's own)."""
    statuses = QUEUE_STATUSES.get(queue, QUEUE_STATUSES["new"])
    return _queue(pharmacy, statuses).order_by("-signed_at", "-id").only(*QUEUE_COLUMNS)


# A queue tab counts its orders up to this many ("100+" beyond), so the tabs cost the same for a
# pharmacy with a few hundred orders and one with a hundred thousand delivered ones.
QUEUE_COUNT_CAP = 100


class _CappedCount(Subquery):
    """How many rows a subquery sliced to ``[:cap]`` yields: reads at most ``cap`` index entries."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


def pharmacy_queue_counts(pharmacy: Pharmacy, *, cap: int | None = None) -> dict[str, int]:
    """Orders per queue of a pharmacy (from :func:`pharmacy_for`), each counted up to ``cap + 1``
    (that value means "more than ``cap``"), in one query that reads at most ``cap + 1`` index
    entries per queue."""
    cap = (cap or QUEUE_COUNT_CAP) + 1  # one more, to tell "exactly the cap" from "more than it"
    counts = [
        _CappedCount(_queue(pharmacy, statuses).order_by().values("pk")[:cap]) for statuses in QUEUE_STATUSES.values()
    ]
    row = Pharmacy.objects.filter(pk=pharmacy.pk).values_list(*counts).first()
    return dict(zip(QUEUE_STATUSES, row or (0,) * len(QUEUE_STATUSES), strict=True))


def preferred_pharmacy_of_patient(patient: Patient) -> PharmacyPreference | None:
    """The patient's pharmacy choice (its ``pharmacy`` is None for "no preference"), or None. The
    chart's read of the patient brings it along (``select_related``), so it costs no query there."""
    try:
        return patient.pharmacy_preference
    except ObjectDoesNotExist:
        return None
