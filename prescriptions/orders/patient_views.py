"""The patient's order pages: where the medication is, and asking for a refill."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from patients.selectors import patient_for_user
from portal.access import Role, role_required
from portal.forms import flash_refusal
from portal.params import month_param
from prescriptions.orders import refills as refills
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders.forms import RefillRequestForm
from prescriptions.orders.presenters import order_timeline, patient_status_words
from prescriptions.plans import selectors as plan_selectors
from prescriptions.plans.presenters import dose_steps, month_calendar

REFILLABLE = {"shipped", "delivered"}


@require_safe
@role_required(Role.PATIENT)
def patient_orders(request: HttpRequest) -> HttpResponse:
    orders = order_selectors.patient_orders_for(request.user)
    waiting = order_selectors.open_refill_request_ids(orders)
    rows = [
        {
            "order": order,
            "status": patient_status_words(order),
            "timeline": order_timeline(order),
            "refill_waiting": order.pk in waiting,
        }
        for order in orders
    ]
    return render(request, "prescriptions/patient_order_list.html", {"rows": rows})


@require_safe
@role_required(Role.PATIENT)
def patient_order(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_selectors.order_get_for(request.user, pk)
    requests = order_selectors.refill_requests_of_order(order)
    context = {
        "order": order,
        "status": patient_status_words(order),
        "timeline": order_timeline(order),
        "refill_requests": requests,
        "refill_form": RefillRequestForm()
        if order.status in REFILLABLE and not any(r.status == "pending" for r in requests)
        else None,
    }
    return render(request, "prescriptions/patient_order_detail.html", context)


@require_POST
@role_required(Role.PATIENT)
def patient_refill_request(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_selectors.order_get_for(request.user, pk)
    form = RefillRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the note under 500 characters.")
        return redirect("prescriptions:patient_order", pk=order.pk)
    try:
        refills.refill_request_create(order=order, patient=order.patient, note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, "Refill requested. Your physician will review it and tell you in the portal.")
    return redirect("prescriptions:patient_order", pk=order.pk)


@require_safe
@role_required(Role.PATIENT)
def patient_schedule(request: HttpRequest) -> HttpResponse:
    """The patient's doses: on phones the steps from today on, on wide screens a month
    (``?month=YYYY-MM``); every cell and step from ``dose_on``."""
    patient = patient_for_user(request.user)
    plans = plan_selectors.plan_schedule_for(patient) if patient else []
    today = patient.today() if patient else dt.date.today()
    first = month_param(request, "month", today=today)
    year, month = first.year, first.month
    order = order_selectors.latest_order_for_patient(patient) if patient else None
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        "plans": plans,
        "current": next((p for p in plans if p.is_current), None),
        "calendar": month_calendar(plans, year, month, today=today, order=order) if plans else None,
        "steps": dose_steps(plans, today, order) if plans else [],
        "previous_month": f"{previous:%Y-%m}",
        "next_month": f"{following:%Y-%m}",
        "today": today,
        "weekdays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    }
    return render(request, "prescriptions/schedule.html", context)
