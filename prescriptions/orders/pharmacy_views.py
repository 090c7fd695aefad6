"""The pharmacy workspace: the queue of orders routed to the user's pharmacy, and each order with
its one next step: acknowledge (done by opening it), review, the verification checklist, the
compounding record, shipping, delivery (docs/domain.md "Verification and the compounding record")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from portal.access import Role, role_required
from portal.audit import access_record, access_record_list
from portal.forms import add_service_errors, flash_refusal
from portal.paging import open_ended_page
from portal.params import text_param
from prescriptions.models import OrderStatus, PrescriptionOrder
from prescriptions.orders import compounding
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders import services as order_services
from prescriptions.orders.fhir_views import fhir_response
from prescriptions.orders.forms import CompoundingRecordForm, ShipmentForm, VerificationForm
from prescriptions.pharmacies import selectors as pharmacy_selectors
from prescriptions.pharmacies.forms import PharmacyActionForm

PAGE_SIZE = 25
SEARCH_LIMIT = 50
S = OrderStatus

# The buttons of the order page: target status → (button label, what the note field asks for).
# Compounding starts from the verification checklist and shipping has its own form.
ACTIONS = {
    S.RECEIVED: ("Acknowledge receipt", ""),
    S.IN_REVIEW: ("Start pharmacist review", ""),
    S.NEEDS_CLARIFICATION: ("Ask the physician a question", "Your question"),
    S.COMPOUNDING: ("Verified: start compounding", ""),
    S.SHIPPED: ("Mark shipped", ""),
    S.DELIVERED: ("Mark delivered", ""),
    S.REJECTED: ("Reject the order", "Reason for rejecting"),
}
FORM_ACTIONS = {S.COMPOUNDING, S.SHIPPED}

# The one primary step of each status the pharmacy works in: a status to move to, or a form.
PRIMARY = {
    S.SENT: S.RECEIVED,
    S.RECEIVED: S.IN_REVIEW,
    S.IN_REVIEW: "verify",
    S.SHIPPED: S.DELIVERED,
}


@require_safe
@role_required(Role.PHARMACY)
def pharmacy_home(request: HttpRequest) -> HttpResponse:
    """The order queue of the user's own pharmacy, one tab per queue, the longest waiting first;
    or, with ``q``, the pharmacy's orders matching an order number or a patient's name."""
    access_record_list(request, action="pharmacy.queue")
    pharmacy = pharmacy_selectors.pharmacy_for(request.user)
    if pharmacy is None:
        return render(request, "prescriptions/pharmacy_queue.html", {"pharmacy": None})
    queue = request.GET.get("queue", "new")
    if queue not in order_selectors.QUEUE_STATUSES:
        queue = "new"
    query = " ".join(text_param(request, "q", max_length=100).split())
    counts = order_selectors.pharmacy_queue_counts(pharmacy)
    queues = [(key, label, counts[key]) for key, label, _ in order_selectors.PHARMACY_QUEUES]
    context = {
        "pharmacy": pharmacy,
        "queue": queue,
        "queues": queues,
        "count_cap": order_selectors.QUEUE_COUNT_CAP,
        "q": query,
    }
    if query:
        # Results across every queue, not paged: a search that matches more asks for a closer one.
        results = list(order_selectors.pharmacy_queue_search(pharmacy, query)[: SEARCH_LIMIT + 1])
        context |= {"rows": results[:SEARCH_LIMIT], "results": results[:SEARCH_LIMIT]}
        context["more_results"] = len(results) > SEARCH_LIMIT
    else:
        page = open_ended_page(order_selectors.pharmacy_queue_for(pharmacy, queue), request.GET.get("page"), PAGE_SIZE)
        context |= {"page": page, "rows": page, "querystring": f"queue={queue}"}
    return render(request, "prescriptions/pharmacy_queue.html", context)


def _order_page(
    request: HttpRequest,
    order: PrescriptionOrder,
    *,
    verify_form: VerificationForm | None = None,
    record_form: CompoundingRecordForm | None = None,
    ship_form: ShipmentForm | None = None,
) -> HttpResponse:
    events = list(order.events.all())
    allowed = order_services.allowed_next(order.status, Role.PHARMACY)
    records = order_selectors.compounding_records_of(order) if order.status in compounding.RECORDABLE else []
    primary = PRIMARY.get(order.status)
    if order.status == S.COMPOUNDING:
        primary = S.SHIPPED if records else "record"
    actions = [
        (to, *ACTIONS[to], "primary" if to == primary else ("danger" if to == S.REJECTED else "secondary"))
        for to in allowed
        if to not in FORM_ACTIONS
    ]
    context = {
        "order": order,
        "events": events,
        "quantity": order_services.order_quantity(order),
        "intact": order_services.order_content_intact(order),
        "actions": actions,
        "primary": primary,
        "clarifications": [e for e in events if S.NEEDS_CLARIFICATION in (e.to_status, e.from_status)],
        "records": records,
        "verification": (
            order_selectors.order_verification_latest(order) if order.status in compounding.RECORDABLE else None
        ),
    }
    if order.status == S.IN_REVIEW:
        context["dose_checks"] = compounding.dose_checks(order)
        context["verify_form"] = verify_form or VerificationForm()
    if order.status in compounding.RECORDABLE:
        context["record_form"] = record_form or CompoundingRecordForm(correcting=bool(records))
    if order.status == S.COMPOUNDING and records:
        context["ship_form"] = ship_form or ShipmentForm()
    return render(request, "prescriptions/pharmacy_order.html", context)


@require_safe
@role_required(Role.PHARMACY)
def pharmacy_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything needed to compound and ship the order, printable on one page. Opening a newly
    sent order acknowledges it (docs/domain.md "Verification and the compounding record")."""
    order = order_selectors.order_get_for(request.user, pk)
    access_record(request, patient_user=order.patient.user, action="order.view")
    if order.status == S.SENT and request.method == "GET":
        try:
            order_services.order_acknowledge(order=order, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            flash_refusal(request, exc)
        else:
            messages.info(request, f"{order.number} is acknowledged: the practice sees that you have it.")
        order = order_selectors.order_get_for(request.user, pk)
    return _order_page(request, order)


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
        if data["to"] == S.SHIPPED and isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            # Shown on the shipping form with what was typed, so nothing has to be entered again.
            ship_form = ShipmentForm(request.POST)
            ship_form.is_valid()
            add_service_errors(ship_form, exc)
            return _order_page(request, order, ship_form=ship_form)
        flash_refusal(request, exc)
    else:
        messages.success(request, f"{order.number} is now: {S(data['to']).label.lower()}.")
    return redirect("prescriptions:pharmacy_order", pk=order.pk)


def _refused_elsewhere(request: HttpRequest, order: PrescriptionOrder, exc: ValidationError | PermissionDenied):
    """A refusal with no field to sit on (the order moved on, another pharmacy's order): a message."""
    flash_refusal(request, exc)
    return redirect("prescriptions:pharmacy_order", pk=order.pk)


@require_POST
@role_required(Role.PHARMACY)
def pharmacy_order_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The verification checklist: every item confirmed starts compounding."""
    order = order_selectors.order_get_for(request.user, pk)
    form = VerificationForm(request.POST)
    if order.status != S.IN_REVIEW:
        return _refused_elsewhere(request, order, ValidationError("Only an order in pharmacist review is verified."))
    done = f"{order.number} is verified and compounding has started."
    return _form_applied(request, order, form, compounding.order_verify, done, "verify_form")


@require_POST
@role_required(Role.PHARMACY)
def pharmacy_order_compounding(request: HttpRequest, pk: int) -> HttpResponse:
    """The compounding record, or a correction of it (a new row; the first stays as it was)."""
    order = order_selectors.order_get_for(request.user, pk)
    if order.status not in compounding.RECORDABLE:
        return _refused_elsewhere(
            request, order, ValidationError("The compounding record is kept once compounding has started.")
        )
    form = CompoundingRecordForm(request.POST, correcting=bool(order_selectors.compounding_records_of(order)))
    done = f"The compounding record of {order.number} is saved."
    return _form_applied(request, order, form, compounding.compounding_record_create, done, "record_form")


def _form_applied(request, order, form, service, done: str, form_name: str) -> HttpResponse:
    """A valid form goes to ``service``; the order page comes back with the form and its errors
    (the service's own refusals among them), or redirects with ``done`` once it is applied."""
    if form.is_valid():
        try:
            service(order=order, pharmacist=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            return _refused_elsewhere(request, order, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("prescriptions:pharmacy_order", pk=order.pk)
    return _order_page(request, order, **{form_name: form})


@require_safe
@role_required(Role.PHARMACY)
def pharmacy_order_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    """The order as a FHIR R4 MedicationRequest file, for the pharmacy's own system."""
    # order_get_for shows pharmacy staff only orders sent to their own pharmacy.
    return fhir_response(request, order_selectors.order_get_for(request.user, pk), download=True)
