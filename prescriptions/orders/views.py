"""The physician's order pages: draft, sign, send, answer the pharmacy, cancel, refills."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from patients.selectors import patient_get_for
from portal.access import Role, role_required
from portal.audit import access_record, access_record_list
from portal.forms import add_service_errors, flash_refusal
from prescriptions.fax import selectors as fax_selectors
from prescriptions.models import Formulation, OrderStatus
from prescriptions.orders import refills as refills
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders import services as order_services
from prescriptions.orders.forms import NoteForm, OrderForm, SignForm
from prescriptions.orders.icd10 import CODES_BY_CONDITION, suggested_codes
from prescriptions.plans import selectors as plan_selectors

S = OrderStatus


def _order_form_context(patient, form, plan):
    conditions = patient.intake.conditions if hasattr(patient, "intake") else []
    return {
        "patient": patient,
        "plan": plan,
        "form": form,
        "icd10_suggestions": suggested_codes(conditions),
        "is_capsule": plan.formulation == Formulation.CAPSULE,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PHYSICIAN)
def order_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft an order from the patient's current plan."""
    patient = patient_get_for(request.user, pk)
    access_record(request, patient_user=patient.user, action="order.new")
    plan = plan_selectors.current_plan_for(patient)
    if plan is None:
        messages.error(request, "Start a titration plan before drafting an order.")
        return redirect("patients:chart", pk=patient.pk)
    if request.method == "POST":
        form = OrderForm(request.POST, formulation=plan.formulation)
        if form.is_valid():
            data = dict(form.cleaned_data)
            ship_to = {k: data.pop(k) for k in list(data) if k.startswith("ship_to_")}
            try:
                order = order_services.order_draft_create(plan=plan, physician=request.user, ship_to=ship_to, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Draft saved. Check it, then sign it to send it to the pharmacy.")
                return redirect("prescriptions:clinic_order", pk=order.pk)
    else:
        today = patient.today()
        start = max(plan.start_date, today)
        conditions = patient.intake.conditions if hasattr(patient, "intake") else []
        first_code = next((CODES_BY_CONDITION[c][0] for c in conditions if c in CODES_BY_CONDITION), ("", ""))
        initial = {
            "supply_start": start,
            "indication_code": first_code[0],
            "indication_text": first_code[1],
            **order_services.ship_to_from_patient(patient),
        }
        if plan.formulation == Formulation.CAPSULE:
            initial["capsule_strength_mg"] = order_services.default_capsule_strength(plan, start=start, days=30)
        form = OrderForm(initial=initial, formulation=plan.formulation)
    context = _order_form_context(patient, form, plan)
    context["no_capsule_fits"] = context["is_capsule"] and not form.is_bound and not form.initial["capsule_strength_mg"]
    return render(request, "prescriptions/order_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PHYSICIAN)
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_selectors.order_get_for(request.user, pk)
    if not order.is_draft:
        messages.error(request, "This order is signed and its content is frozen.")
        return redirect("prescriptions:clinic_order", pk=order.pk)
    access_record(request, patient_user=order.patient.user, action="order.edit")
    if request.method == "POST":
        form = OrderForm(request.POST, formulation=order.formulation)
        if form.is_valid():
            try:
                order_services.order_draft_update(order=order, physician=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Draft updated.")
                return redirect("prescriptions:clinic_order", pk=order.pk)
    else:
        fields = OrderForm(formulation=order.formulation).fields
        form = OrderForm(initial={name: getattr(order, name) for name in fields}, formulation=order.formulation)
    context = _order_form_context(order.patient, form, order.plan)
    context["order"] = order
    return render(request, "prescriptions/order_form.html", context)


@require_safe
@role_required(Role.PHYSICIAN)
def clinic_order(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_selectors.order_get_for(request.user, pk)
    access_record(request, patient_user=order.patient.user, action="order.view")
    events = list(order.events.all())
    context = {
        "order": order,
        "quantity": order_services.order_quantity(order),
        "events": events,
        "intact": order_services.order_content_intact(order) if not order.is_draft else None,
        "refill_requests": order_selectors.refill_requests_of_order(order),
        "sign_form": SignForm() if order.is_draft else None,
        "can_cancel": S.CANCELLED in order_services.allowed_next(order.status, Role.PHYSICIAN),
        "cancel_form": NoteForm(label="Reason for cancelling", required=not order.is_draft),
        "answer_form": NoteForm(label="Your answer to the pharmacist")
        if order.status == S.NEEDS_CLARIFICATION
        else None,
        "question": next((e.note for e in reversed(events) if e.to_status == S.NEEDS_CLARIFICATION), ""),
        "fax_transmissions": fax_selectors.fax_transmissions_of_order(order) if order.pharmacy_id else [],
    }
    if order.is_draft:
        context.update(order_services.order_sign_preview(order))
    return render(request, "prescriptions/order_detail_clinic.html", context)


@require_POST
@role_required(Role.PHYSICIAN)
def order_sign(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_selectors.order_get_for(request.user, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors.get("__all__", ["Enter your password or code."])))
        return redirect("prescriptions:clinic_order", pk=order.pk)
    try:
        data = form.cleaned_data
        order = order_services.order_sign(
            order=order,
            physician=request.user,
            password=data["password"],
            otp_code=data["otp_code"],
            deliver=not data["hold"],
        )
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        if order.status == S.SENT and order.pharmacy.receives_fax:
            messages.success(request, f"Signed. The prescription is being faxed to {order.pharmacy.name}.")
        elif order.status == S.SENT:
            messages.success(request, f"Signed and sent to {order.pharmacy.name}. The content is now frozen.")
        else:
            messages.success(request, f"Signed and held. Send it to {order.pharmacy.name} when you are ready.")
    return redirect("prescriptions:clinic_order", pk=order.pk)


@require_POST
@role_required(Role.PHYSICIAN)
def order_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a signed order that was held back at signing."""
    order = order_selectors.order_get_for(request.user, pk)
    try:
        order_services.order_transition(order=order, actor=request.user, to=S.SENT, note="Sent after being held.")
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"Sent to {order.pharmacy.name}.")
    return redirect("prescriptions:clinic_order", pk=order.pk)


def _transition_with_note(request: HttpRequest, pk: int, *, to: str, success: str) -> HttpResponse:
    """The physician's note-carrying order actions: one scoped lookup, one service call."""
    order = order_selectors.order_get_for(request.user, pk)
    form = NoteForm(request.POST, required=False)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        order_services.order_transition(order=order, actor=request.user, to=to, note=note)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, success)
    return redirect("prescriptions:clinic_order", pk=order.pk)


@require_POST
@role_required(Role.PHYSICIAN)
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition_with_note(request, pk, to=S.CANCELLED, success="Order cancelled.")


@require_POST
@role_required(Role.PHYSICIAN)
def order_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer the pharmacy's question; the order goes back to pharmacist review."""
    return _transition_with_note(
        request, pk, to=S.IN_REVIEW, success="Answer sent. The pharmacist sees it with the order."
    )


@require_safe
@role_required(Role.PHYSICIAN)
def clinic_orders(request: HttpRequest) -> HttpResponse:
    """Pharmacy questions, refill requests and drafts waiting for the care team."""
    access_record_list(request, action="orders.list")
    context = order_selectors.clinic_orders_for(request.user)
    context["refill_requests"] = list(order_selectors.refill_requests_for(request.user))
    context["failed_faxes"] = list(fax_selectors.failed_faxes_for(request.user))
    return render(request, "prescriptions/clinic_order_list.html", context)


@require_POST
@role_required(Role.PHYSICIAN)
def refill_approve(request: HttpRequest, pk: int) -> HttpResponse:
    refill_request = order_selectors.refill_request_get_for(request.user, pk)
    try:
        order = refills.refill_request_approve(refill_request=refill_request, physician=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
        return redirect("prescriptions:clinic_orders")
    messages.success(request, "Refill approved as a new draft. Check it and sign it.")
    return redirect("prescriptions:clinic_order", pk=order.pk)


@require_POST
@role_required(Role.PHYSICIAN)
def refill_decline(request: HttpRequest, pk: int) -> HttpResponse:
    refill_request = order_selectors.refill_request_get_for(request.user, pk)
    form = NoteForm(request.POST, required=False)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        refills.refill_request_decline(refill_request=refill_request, physician=request.user, note=note)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, "Refill request declined; the patient was told to check the portal.")
    return redirect("prescriptions:clinic_orders")
