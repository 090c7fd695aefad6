"""Every read of prescription orders and refill requests that depends on who is asking. All
scoping of orders lives here; outside a user's scope an order is a 404."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery

from patients.models import Patient
from portal.access import get_scoped_or_404
from portal.models import User
from portal.selectors import licensed_states
from prescriptions.models import (
    CompoundingRecord,
    OrderEvent,
    OrderStatus,
    OrderVerification,
    Pharmacy,
    PharmacyMembership,
    PrescriptionOrder,
    RefillRequest,
)

S = OrderStatus


def order_list_for(user: User, *, day: dt.date | None = None) -> QuerySet[PrescriptionOrder]:
    """Who sees which orders:
    - a physician: orders of patients living in a state where they hold a license active on
      ``day`` (the practice is one care team), drafts included;
    - pharmacy staff: orders routed to their own pharmacy, from the moment they are sent;
    - a patient: their own orders once signed (drafts are the physician's working copy);
    - anyone else: none.
    """
    base = PrescriptionOrder.objects.select_related("pharmacy", "patient")
    if not user.is_authenticated or not user.is_active:
        return base.none()
    if user.role == User.Role.PHYSICIAN:
        return base.filter(patient__state_id__in=licensed_states(user, day=day))
    if user.role == User.Role.PHARMACY:
        membership = PharmacyMembership.objects.filter(user=user, pharmacy__active=True).values("pharmacy_id")
        return routed_to(base, pharmacy_id__in=membership)
    if user.role == User.Role.PATIENT:
        return base.filter(patient__user=user, signed_at__isnull=False)
    return base.none()


def routed_to(orders: QuerySet[PrescriptionOrder], **pharmacy) -> QuerySet[PrescriptionOrder]:
    """What a pharmacy sees of ``orders``: those routed to it (``pharmacy_id=…`` or
    ``pharmacy_id__in=…``), from the moment they are sent."""
    return orders.filter(**pharmacy).exclude(status__in=[S.DRAFT, S.SIGNED])


def order_get_for(user: User, pk: int) -> PrescriptionOrder:
    """One order within ``user``'s scope (with what its pages show), else 404."""
    queryset = order_list_for(user).select_related("plan", "prescriber", "patient__user", "patient__state")
    queryset = queryset.prefetch_related(
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("at", "id")),
        "plan__steps",
    )
    return get_scoped_or_404(queryset, pk=pk)


def orders_of_patient(patient: Patient) -> list[PrescriptionOrder]:
    """A patient's orders, newest first, for the physician's chart (``patient`` already scoped)."""
    return list(
        PrescriptionOrder.objects.filter(patient=patient)
        .select_related("pharmacy")
        .only("patient_id", "status", "created_at", "pharmacy__name")  # what the chart's list shows
        .order_by("-created_at", "-id")
    )


def patient_orders_for(user: User) -> list[PrescriptionOrder]:
    """A patient's own orders with their events, for the timeline."""
    return list(
        order_list_for(user)
        .prefetch_related(Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")))
        .order_by("-signed_at", "-id")
    )


# What the dashboard's medication card and the dose calendar read of the latest order.
LATEST_ORDER_COLUMNS = (
    *("patient_id", "status", "signed_at", "formulation", "capsule_strength_mg", "concentration_mg_per_ml"),
    *("carrier", "tracking_number"),
)


def latest_order_for_patient(patient: Patient) -> PrescriptionOrder | None:
    return (
        PrescriptionOrder.objects.filter(patient=patient, signed_at__isnull=False)
        .only(*LATEST_ORDER_COLUMNS)
        .order_by("-signed_at", "-id")
        .first()
    )


def clinic_orders_for(user: User) -> dict[str, list[PrescriptionOrder]]:
    """What a physician has to act on: pharmacy questions, drafts to sign, recent orders."""
    base = order_list_for(user).select_related("patient__user")
    return {
        "questions": list(base.filter(status=S.NEEDS_CLARIFICATION).order_by("updated_at")),
        "drafts": list(base.filter(status=S.DRAFT).order_by("-created_at")[:50]),
        "recent": list(base.exclude(status=S.DRAFT).order_by("-signed_at", "-id")[:25]),
    }


def pharmacy_questions_for(user: User) -> QuerySet[PrescriptionOrder]:
    """Orders held by a pharmacy's question (``needs_clarification``) in ``user``'s scope, each with
    ``question`` and ``asked_at`` from the event that asked it; the longest waiting first."""
    asked = OrderEvent.objects.filter(order=OuterRef("pk"), to_status=S.NEEDS_CLARIFICATION).order_by("-at", "-id")
    return (
        order_list_for(user)
        .filter(status=S.NEEDS_CLARIFICATION)
        .select_related("patient__user")
        .annotate(question=Subquery(asked.values("note")[:1]), asked_at=Subquery(asked.values("at")[:1]))
        .order_by("asked_at", "id")
    )


def drafts_to_sign_for(user: User) -> QuerySet[PrescriptionOrder]:
    """Draft orders in ``user``'s scope (a physician's licensed states), the oldest first."""
    return order_list_for(user).filter(status=S.DRAFT).select_related("patient__user").order_by("created_at", "id")


def refill_requests_for(user: User) -> QuerySet[RefillRequest]:
    """Pending refill requests from patients in the physician's licensed states."""
    if not user.is_authenticated or user.role != User.Role.PHYSICIAN:
        return RefillRequest.objects.none()
    return (
        RefillRequest.objects.filter(status=RefillRequest.Status.PENDING, patient__state_id__in=licensed_states(user))
        .select_related("order", "patient__user")
        .order_by("created_at")
    )


def refill_request_get_for(user: User, pk: int) -> RefillRequest:
    return get_scoped_or_404(refill_requests_for(user), pk=pk)


def refill_requests_of_order(order: PrescriptionOrder) -> list[RefillRequest]:
    return list(RefillRequest.objects.filter(order=order).select_related("new_order").order_by("-created_at"))


def open_refill_request_ids(orders: list[PrescriptionOrder]) -> set[int]:
    """Which of these orders already have a refill request waiting."""
    return set(
        RefillRequest.objects.filter(order__in=[o.pk for o in orders], status=RefillRequest.Status.PENDING).values_list(
            "order_id", flat=True
        )
    )


def physician_action_count(user: User) -> int:
    """Pharmacy questions and refill requests waiting for the physician's care team."""
    questions = order_list_for(user).filter(status=S.NEEDS_CLARIFICATION).count()
    return questions + refill_requests_for(user).count()


def pending_refill_requests_of_patient(patient: Patient) -> list[RefillRequest]:
    return list(
        RefillRequest.objects.filter(patient=patient, status=RefillRequest.Status.PENDING)
        .select_related("order")
        .only("patient_id", "status", "created_at", "order__id")  # the chart links each to its order
        .order_by("created_at", "pk")
    )


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
    "status_changed_at",
)


def _queue(pharmacy: Pharmacy, statuses) -> QuerySet[PrescriptionOrder]:
    return routed_to(PrescriptionOrder.objects.all(), pharmacy_id=pharmacy.pk).filter(status__in=statuses)


# Queues of work in progress list the order that has waited longest in its status first; the
# closed queue lists the most recently closed first.
NEWEST_FIRST_QUEUES = {"closed"}
ORDER_NUMBER = re.compile(r"(?:LDN-?)?0*(\d{1,9})", re.IGNORECASE)


def pharmacy_queue_for(pharmacy: Pharmacy, queue: str) -> QuerySet[PrescriptionOrder]:
    """One queue of a pharmacy, to be sliced into pages: the order waiting longest in its current
    status first (the closed queue: the latest first); ``pharmacy`` comes from
    :func:`pharmacy_for` (the user's own)."""
    statuses = QUEUE_STATUSES.get(queue, QUEUE_STATUSES["new"])
    ordering = ("-status_changed_at", "-id") if queue in NEWEST_FIRST_QUEUES else ("status_changed_at", "id")
    return _queue(pharmacy, statuses).order_by(*ordering).only(*QUEUE_COLUMNS)


def pharmacy_queue_search(pharmacy: Pharmacy, query: str) -> QuerySet[PrescriptionOrder]:
    """Orders of a pharmacy (every queue) whose number is ``query`` ("LDN-000123", "123") or whose
    patient's name (as copied at signing) contains it, the longest waiting first."""
    query = " ".join((query or "").split())
    orders = routed_to(PrescriptionOrder.objects.all(), pharmacy_id=pharmacy.pk)
    if not query:
        return orders.none()
    match = Q(patient_name__icontains=query)
    number = ORDER_NUMBER.fullmatch(query)
    if number:
        match |= Q(pk=int(number.group(1)))
    return orders.filter(match).order_by("status_changed_at", "id").only(*QUEUE_COLUMNS)


def order_verification_latest(order: PrescriptionOrder) -> OrderVerification | None:
    """The newest verification of an order already in the user's scope (from :func:`order_get_for`)."""
    return OrderVerification.objects.filter(order=order).select_related("pharmacist").first()


def compounding_records_of(order: PrescriptionOrder) -> list[CompoundingRecord]:
    """An order's compounding records (``order`` already scoped), the current one first."""
    return list(CompoundingRecord.objects.filter(order=order).select_related("recorded_by"))


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
