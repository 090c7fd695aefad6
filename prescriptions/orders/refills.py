"""Refill requests: a patient asks for more; a physician approves it into a new draft order (which
is then signed like any order) or declines it with a reason."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from portal.models import User
from portal.reminders import portal_update_notify
from prescriptions.models import Filler, Formulation, OrderStatus, PrescriptionOrder, RefillRequest, TitrationPlan
from prescriptions.orders.services import default_capsule_strength, order_draft_create
from prescriptions.plans.services import physician_require_scope

S = OrderStatus

REFILLABLE = (S.SHIPPED, S.DELIVERED)


@transaction.atomic
def refill_request_create(*, order: PrescriptionOrder, patient: Patient, note: str = "") -> RefillRequest:
    if order.patient_id != patient.pk:
        raise PermissionDenied("This is not your order.")
    order = PrescriptionOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in REFILLABLE:
        raise ValidationError("You can ask for a refill once this order has shipped.")
    if RefillRequest.objects.filter(order=order, status=RefillRequest.Status.PENDING).exists():
        raise ValidationError("You have already asked for a refill of this order; your care team will answer soon.")
    request = RefillRequest.objects.create(order=order, patient=patient, patient_note=note.strip()[:500])
    portal_update_notify(user_id=order.prescriber_id)
    return request


def _lock_pending_request(refill_request: RefillRequest, physician: User) -> RefillRequest:
    request = (
        RefillRequest.objects.select_for_update(of=("self",))
        .select_related("order", "patient")
        .get(pk=refill_request.pk)
    )
    physician_require_scope(physician=physician, patient=request.patient)
    if request.status != RefillRequest.Status.PENDING:
        raise ValidationError("This refill request has already been answered.")
    return request


@transaction.atomic
def refill_request_approve(*, refill_request: RefillRequest, physician: User) -> PrescriptionOrder:
    """Approve a refill into a new draft order from the patient's current plan; the physician
    then reviews and signs it like any order."""
    request = _lock_pending_request(refill_request, physician)
    previous = request.order
    plan = (
        TitrationPlan.objects.prefetch_related("steps")
        .filter(patient_id=request.patient_id, superseded_at__isnull=True)
        .first()
    )
    if plan is None:
        raise ValidationError("The patient has no current titration plan to refill from.")
    today = request.patient.today()
    # The new supply starts when the previous one runs out, or today if that has passed.
    start = max(today, previous.supply_ends_on + dt.timedelta(days=1), plan.start_date)
    same_form = previous.formulation == plan.formulation
    strength = previous.capsule_strength_mg if same_form else None
    suggested = None
    if plan.formulation == Formulation.CAPSULE:
        suggested = default_capsule_strength(plan, start=start, days=previous.days_supply)
        strength = strength or suggested
    common = {
        "plan": plan,
        "physician": physician,
        "indication_code": previous.indication_code,
        "indication_text": previous.indication_text,
        "filler": previous.filler or Filler.MICROCRYSTALLINE_CELLULOSE,
        "concentration_mg_per_ml": previous.concentration_mg_per_ml if same_form else None,
        "supply_start": start,
        "days_supply": previous.days_supply,
        "refills": previous.refills,
        "ship_to": {
            "ship_to_name": previous.ship_to_name,
            "ship_to_line1": previous.ship_to_line1,
            "ship_to_line2": previous.ship_to_line2,
            "ship_to_city": previous.ship_to_city,
            "ship_to_state": previous.ship_to_state,
            "ship_to_postal_code": previous.ship_to_postal_code,
        },
        "refill_of": previous,
    }
    try:
        new_order = order_draft_create(capsule_strength_mg=strength, **common)
    except ValidationError:
        if plan.formulation != Formulation.CAPSULE or strength == suggested:
            raise
        # The old capsule strength does not fit the current doses: fall back to one that does.
        new_order = order_draft_create(capsule_strength_mg=suggested, **common)
    request.status = RefillRequest.Status.APPROVED
    request.decided_by, request.decided_at, request.new_order = physician, timezone.now(), new_order
    request.save(update_fields=["status", "decided_by", "decided_at", "new_order"])
    portal_update_notify(user_id=request.patient.user_id, time_zone=request.patient.time_zone_name)
    return new_order


@transaction.atomic
def refill_request_decline(*, refill_request: RefillRequest, physician: User, note: str) -> RefillRequest:
    request = _lock_pending_request(refill_request, physician)
    if not note.strip():
        raise ValidationError({"note": "Say why; the patient will read it."})
    request.status = RefillRequest.Status.DECLINED
    request.decided_by, request.decided_at, request.decision_note = physician, timezone.now(), note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    portal_update_notify(user_id=request.patient.user_id, time_zone=request.patient.time_zone_name)
    return request
