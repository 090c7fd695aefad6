"""Every read of pharmacies, plans and orders that depends on who is asking. All object scoping of
this app lives here; outside a user's scope a record is a 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import IntegerField, Prefetch, QuerySet, Subquery
from django.utils import timezone

from patients.models import Patient, TreatmentPhase
from portal.access import get_scoped_or_404
from portal.models import User
from portal.selectors import licensed_states
from prescriptions.models import (
    OrderEvent,
    OrderStatus,
    Pharmacy,
    PharmacyLicense,
    PharmacyMembership,
    PharmacyPreference,
    PlanEvent,
    PrescriptionOrder,
    RefillRequest,
    TitrationPlan,
    TitrationStep,
)

S = OrderStatus


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


# --- plans -------------------------------------------------------------------------------------


STEPS_IN_ORDER = Prefetch("steps", queryset=TitrationStep.objects.order_by("sequence"))


def plan_versions_for(patient: Patient) -> list[TitrationPlan]:
    """All versions of a patient's plan, oldest first, with their steps and events. ``patient``
    must already be a record the asking user may see (``patients.selectors.patient_get_for``)."""
    events = PlanEvent.objects.select_related("actor").order_by("-effective_on", "-created_at", "-pk")
    return list(
        TitrationPlan.objects.filter(patient=patient)
        .prefetch_related(STEPS_IN_ORDER, Prefetch("events", queryset=events))
        .order_by("version")
    )


def plan_schedule_for(patient: Patient) -> list[TitrationPlan]:
    """A patient's plan versions with their steps only: enough for ``dose_on``."""
    return list(TitrationPlan.objects.filter(patient=patient).prefetch_related(STEPS_IN_ORDER).order_by("version"))


def current_plan_for(patient: Patient) -> TitrationPlan | None:
    return TitrationPlan.objects.filter(patient=patient, superseded_at__isnull=True).prefetch_related("steps").first()


def plans_reaching_maintenance() -> list[TitrationPlan]:
    """Current plans of titrating patients whose maintenance step has begun in the patient's own
    time zone."""
    plans = (
        TitrationPlan.objects.filter(superseded_at__isnull=True, patient__treatment_phase=TreatmentPhase.TITRATION)
        .select_related("patient__state")
        .prefetch_related("steps")
    )
    # In chunks: each chunk's steps come in one query whose id list stays far below PostgreSQL's
    # limit of 65,535 parameters, however many patients are titrating.
    return [plan for plan in plans.iterator(chunk_size=2000) if plan.maintenance_starts_on <= plan.patient.today()]


# --- orders ------------------------------------------------------------------------------------


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
        return _routed_to(base, pharmacy_id__in=membership)
    if user.role == User.Role.PATIENT:
        return base.filter(patient__user=user, signed_at__isnull=False)
    return base.none()


def _routed_to(orders: QuerySet[PrescriptionOrder], **pharmacy) -> QuerySet[PrescriptionOrder]:
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
    return _routed_to(PrescriptionOrder.objects.all(), pharmacy_id=pharmacy.pk).filter(status__in=statuses)


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


def clinic_order_counts(user: User) -> dict[str, int]:
    """How many pharmacy questions, drafts and refill requests wait for a physician (three counts
    on indexed columns)."""
    orders = order_list_for(user).select_related(None).order_by()
    return {
        "questions": orders.filter(status=S.NEEDS_CLARIFICATION).count(),
        "drafts": orders.filter(status=S.DRAFT).count(),
        "refills": refill_requests_for(user).select_related(None).order_by().count(),
    }


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


def preferred_pharmacy_of_patient(patient: Patient) -> PharmacyPreference | None:
    """The patient's pharmacy choice (its ``pharmacy`` is None for "no preference"), or None. The
    chart's read of the patient brings it along (``select_related``), so it costs no query there."""
    try:
        return patient.pharmacy_preference
    except ObjectDoesNotExist:
        return None
