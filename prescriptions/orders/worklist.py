"""What the physician's work list (``patients.clinic.selectors``) shows of orders: pharmacy
questions that hold an order, faxes that failed, drafts to sign and refill requests, as plain
values. Registered in ``PrescriptionsConfig.ready``; one query per kind, each scoped to the
physician's licensed states by the selectors it reads."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator

from patients.clinic.selectors import WorkItem, WorkKind
from portal.models import User
from prescriptions.fax import selectors as fax_selectors
from prescriptions.orders import selectors as order_selectors

# Longer notes are cut on the list; the order page shows them whole.
NOTE_WORDS = 30


def _order_url(order_id: int) -> str:
    return reverse("prescriptions:clinic_order", args=[order_id])


def _quoted(note: str) -> str:
    note = " ".join((note or "").split())
    return f" “{Truncator(note).words(NOTE_WORDS)}”" if note else ""


def _question_text(order) -> str:
    pharmacy = order.pharmacy.name if order.pharmacy else "The pharmacy"
    question = _quoted(order.question)
    return f"{pharmacy} asks about order {order.number} before going on" + (f":{question}" if question else ".")


def order_work_items(physician: User, *, limit: int) -> list[WorkItem]:
    """At most ``limit + 1`` items of each kind, the longest waiting first."""
    items = [
        WorkItem(
            kind=WorkKind.PHARMACY_QUESTION,
            patient_id=order.patient_id,
            patient_name=order.patient.full_name,
            text=_question_text(order),
            since=order.asked_at or order.updated_at,
            url=_order_url(order.pk),
        )
        for order in order_selectors.pharmacy_questions_for(physician)[: limit + 1]
    ]
    faxes = fax_selectors.failed_faxes_for(physician).select_related("order__patient__user")
    items += [
        WorkItem(
            kind=WorkKind.FAILED_FAX,
            patient_id=fax.order.patient_id,
            patient_name=fax.order.patient.full_name,
            text=f"The fax of order {fax.order.number} to {fax.pharmacy.name} failed"
            f"{f' ({fax.reason})' if fax.reason else ''}: the pharmacy has not received it. Send it again.",
            since=fax.failed_at or fax.created_at,
            url=_order_url(fax.order_id),
        )
        for fax in faxes[: limit + 1]
    ]
    items += [
        WorkItem(
            kind=WorkKind.DRAFT,
            patient_id=order.patient_id,
            patient_name=order.patient.full_name,
            text=f"Order {order.number} is written and waits for a signature.",
            since=order.created_at,
            url=_order_url(order.pk),
        )
        for order in order_selectors.drafts_to_sign_for(physician)[: limit + 1]
    ]
    items += [
        WorkItem(
            kind=WorkKind.REFILL,
            patient_id=request.patient_id,
            patient_name=request.patient.full_name,
            text=f"Asks for a refill of order {request.order.number}.{_quoted(request.patient_note)}",
            since=request.created_at,
            url=_order_url(request.order_id),
        )
        for request in order_selectors.refill_requests_for(physician)[: limit + 1]
    ]
    return items
