"""The patient's dose calendar."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from patients.selectors import patient_for_user
from portal.access import Role, role_required
from portal.params import month_param
from prescriptions.orders import selectors as order_selectors
from prescriptions.plans import selectors as plan_selectors
from prescriptions.plans.presenters import month_calendar


@require_safe
@role_required(Role.PATIENT)
def patient_schedule(request: HttpRequest) -> HttpResponse:
    """A month of the patient's doses (``?month=YYYY-MM``), every cell from ``dose_on``."""
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
        "previous_month": f"{previous:%Y-%m}",
        "next_month": f"{following:%Y-%m}",
        "today": today,
        "weekdays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    }
    return render(request, "prescriptions/schedule.html", context)
