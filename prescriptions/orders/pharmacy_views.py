"""The pharmacy workspace: the queue of orders routed to the user's pharmacy, and each order."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from portal.access import Role, role_required
from portal.audit import access_record, access_record_list
from portal.forms import flash_refusal
from portal.paging import open_ended_page
from prescriptions.models import OrderStatus
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders import services as order_services
from prescriptions.pharmacies import selectors as pharmacy_selectors
from prescriptions.pharmacies.forms import PharmacyActionForm

PAGE_SIZE = 25
S = OrderStatus

# The buttons of the order page: target status → (button label, what the note field asks for).
ACTIONS = {
    S.RECEIVED: ("Acknowledge receipt", ""),
    S.IN_REVIEW: ("Start pharmacist review", ""),
    S.NEEDS_CLARIFICATION: ("Ask the physician a question", "Your question"),
    S.COMPOUNDING: ("Start compounding", ""),
    S.SHIPPED: ("Mark shipped", ""),
    S.DELIVERED: ("Mark delivered", ""),
    S.REJECTED: ("Reject the order", "Reason for rejecting"),
}


@require_safe
@role_required(Role.PHARMACY)
def pharmacy_home(request: HttpRequest) -> HttpResponse:
    """The order queue of the user's own pharmacy, one tab per queue, newest first."""
    access_record_list(request, action="pharmacy.queue")
    pharmacy = pharmacy_selectors.pharmacy_for(request.user)
    if pharmacy is None:
        return render(request, "prescriptions/pharmacy_queue.html", {"pharmacy": None})
    queue = request.GET.get("queue", "new")
    if queue not in order_selectors.QUEUE_STATUSES:
        queue = "new"
    page = open_ended_page(order_selectors.pharmacy_queue_for(pharmacy, queue), request.GET.get("page"), PAGE_SIZE)
    counts = order_selectors.pharmacy_queue_counts(pharmacy)
    queues = [(key, label, counts[key]) for key, label, _ in order_selectors.PHARMACY_QUEUES]
    context = {
        "pharmacy": pharmacy,
        "queue": queue,
        "queues": queues,
        "count_cap": order_selectors.QUEUE_COUNT_CAP,
        "page": page,
        "querystring": f"queue={queue}",
    }
    return render(request, "prescriptions/pharmacy_queue.html", context)


@require_safe
@role_required(Role.PHARMACY)
def pharmacy_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything needed to compound and ship the order, printable on one page."""
    order = order_selectors.order_get_for(request.user, pk)
    access_record(request, patient_user=order.patient.user, action="order.view")
    events = list(order.events.all())
    actions = [(to, *ACTIONS[to]) for to in order_services.allowed_next(order.status, Role.PHARMACY)]
    context = {
        "order": order,
        "events": events,
        "quantity": order_services.order_quantity(order),
        "intact": order_services.order_content_intact(order),
        "actions": actions,
        "clarifications": [e for e in events if S.NEEDS_CLARIFICATION in (e.to_status, e.from_status)],
    }
    return render(request, "prescriptions/pharmacy_order.html", context)


@require_POST
@role_required(Role.PHARMACY)
def pharmacy_order_action(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_selectors.order_get_for(request.user, pk)
    form = PharmacyActionForm(request.POST, statuses=[(to, label) for to, (label, _) in ACTIONS.items()])
    if not form.is_valid():
        messages.error(request, "Choose one of the actions on the page.")
        return redirect("prescriptions:pharmacy_order", pk=order.pk)
    data = form.cleaned_data
    try:
        order_services.order_transition(
            order=order,
            actor=request.user,
            to=data["to"],
            note=data["note"],
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"{order.number} is now: {S(data['to']).label.lower()}.")
    return redirect("prescriptions:pharmacy_order", pk=order.pk)
