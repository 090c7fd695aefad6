"""Every write and every rule of the prescriptions app (DESIGN.md §2: services), by topic."""

from prescriptions.services.orders import (
    TRANSITIONS,
    allowed_next,
    default_capsule_strength,
    order_content,
    order_content_hash,
    order_content_intact,
    order_draft_create,
    order_draft_update,
    order_quantity,
    order_sign,
    order_transition,
    ship_to_from_patient,
)
from prescriptions.services.pharmacies import pharmacy_preference_set, pharmacy_route
from prescriptions.services.plans import plan_mark_maintenance_reached, titration_plan_create
from prescriptions.services.refills import refill_request_approve, refill_request_create, refill_request_decline

__all__ = [
    "TRANSITIONS",
    "allowed_next",
    "default_capsule_strength",
    "order_content",
    "order_content_hash",
    "order_content_intact",
    "order_draft_create",
    "order_draft_update",
    "order_quantity",
    "order_sign",
    "order_transition",
    "pharmacy_preference_set",
    "pharmacy_route",
    "plan_mark_maintenance_reached",
    "refill_request_approve",
    "refill_request_create",
    "refill_request_decline",
    "ship_to_from_patient",
    "titration_plan_create",
]
