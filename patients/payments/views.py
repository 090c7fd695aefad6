"""The public prices page, the patient's billing page (what is due, payments, estimates,
superbills), paying a visit through Stripe Checkout, the page Stripe returns to, and receipts."""

from __future__ import annotations

import datetime as dt

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from patients.billing.selectors import current_prices, estimate_list_for, superbill_list_for
from patients.billing.views import document_download, render_for_patient, superbill_form_for_today
from patients.payments import services
from patients.payments.gateway import payments_enabled
from patients.payments.selectors import payment_get_for, payment_list_for, visit_to_pay_get_for, visits_to_pay_for
from portal.access import Role, role_required
from portal.forms import flash_refusal

WAITING_FOR_CONFIRMATION = dt.timedelta(hours=1)

# Pages holding a "Pay" form: the form posts here and is redirected to Stripe's Checkout page,
# which the Content-Security-Policy's form-action must allow (for these pages only).
allow_checkout = csp_update({"form-action": [settings.STRIPE_CHECKOUT_ORIGIN]})


@require_safe
def prices(request: HttpRequest) -> HttpResponse:
    """What a visit costs, what the medication usually costs at the pharmacy, when and how payment
    is taken, the cancellation policy, and the right to a Good Faith Estimate — for anyone."""
    prices = current_prices()
    return render(
        request,
        "patients/billing/prices.html",
        {"prices": prices, "schedule": prices.schedule, "payments_on": payments_enabled()},
    )


@require_safe
@role_required(Role.PATIENT)
@allow_checkout
def billing_home(request: HttpRequest) -> HttpResponse:
    return render_for_patient(
        request,
        "patients/billing/billing_home.html",
        {
            "payments_on": payments_enabled(),
            "to_pay": visits_to_pay_for(request.user),
            "payments": payment_list_for(request.user),
            "estimates": estimate_list_for(request.user),
            "superbills": superbill_list_for(request.user),
            "superbill_form": superbill_form_for_today(),
        },
    )


@require_POST
@role_required(Role.PATIENT)
def visit_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Open Stripe's payment page for one of the patient's visits (no card data touches us)."""
    appointment = visit_to_pay_get_for(request.user, pk)
    try:
        payment = services.checkout_start(appointment=appointment, by=request.user)
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect("patients:billing")
    # 303: the browser follows with a GET to Stripe's hosted page.
    response = HttpResponseRedirect(payment.checkout_url)
    response.status_code = 303
    return response


@require_safe
@role_required(Role.PATIENT)
@allow_checkout
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Where Stripe sends the patient back. The page never trusts the return itself: only the
    signed webhook marks a payment paid, so a pending payment is re-checked every few seconds."""
    payment = payment_get_for(request.user, pk)
    returned = request.GET.get("checkout")
    pending = payment.status == payment.Status.PENDING
    if returned == "cancelled" and pending:
        messages.info(request, "You left the payment page without paying. You can pay any time from this page.")
    returned_paid = returned == "done" and pending
    # Stripe's confirmation comes within seconds; the page stops re-checking after an hour.
    waiting = returned_paid and timezone.now() - payment.created_at < WAITING_FOR_CONFIRMATION
    return render_for_patient(
        request,
        "patients/billing/payment_detail.html",
        {"payment": payment, "waiting": waiting, "unconfirmed": returned_paid and not waiting},
    )


@require_safe
@role_required(Role.PATIENT)
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_get_for(request.user, pk)
    return document_download(
        request, payment.receipt_pdf, filename=f"receipt-{payment.receipt_number or payment.pk}.pdf"
    )
