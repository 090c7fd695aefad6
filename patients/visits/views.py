"""The patient's visit pages: list, book, reschedule, cancel, join (where are you?) and the video room."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods, require_safe

from patients.billing.business_days import billing_date
from patients.billing.selectors import fee_for, visit_estimate
from patients.models import Appointment, Patient
from patients.payments.selectors import cancellation_refund_preview, payment_due
from patients.selectors import patient_for_user
from patients.visitnotes.selectors import visit_summaries_for
from patients.visits import services as visit_services
from patients.visits.forms import JoinForm, LocationForm, SlotForm, parse_slot
from patients.visits.ics import visit_ics
from patients.visits.selectors import (
    BOOKING_HORIZON_DAYS,
    Slot,
    appointment_get_for,
    appointments_past_for,
    appointments_upcoming_for,
    bookable_physician,
    next_appointment_for,
    open_slots,
    visit_type_for,
)
from patients.visits.services import (
    RoomRefused,
    appointment_can_change,
    appointment_change_refusal,
    booking_refusal,
    join_is_open,
    location_state_for,
    room_pass,
)
from patients.visits.slots import local_to_utc
from patients.zones import describe_moment, shown_in, zone_label
from portal.access import Role, role_required
from portal.audit import client_ip
from portal.forms import add_service_errors, flash_refusal
from portal.middleware import video_room_page
from portal.models import ServiceState, User
from portal.params import date_param

DAYS_PER_PAGE = 7
PAST_VISITS_SHOWN = 50


def _zone_name(patient: Patient | None) -> str:
    return patient.time_zone_name if patient else settings.TIME_ZONE


@require_safe
@role_required(Role.PATIENT)
def appointment_list(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    now = timezone.now()
    upcoming = list(appointments_upcoming_for(request.user, now=now))
    for appointment in upcoming:
        appointment.can_change = appointment_can_change(appointment, now=now)
        appointment.can_join = join_is_open(appointment, now=now)
    past = list(appointments_past_for(request.user, now=now)[:PAST_VISITS_SHOWN])
    summaries = visit_summaries_for(request.user, latest=PAST_VISITS_SHOWN)
    for appointment in past:
        appointment.summary = summaries.get(appointment.pk)
    with shown_in(_zone_name(patient)) as zone:
        return render(
            request,
            "patients/appointment_list.html",
            {
                "upcoming": upcoming,
                "past": past,
                "refusal": booking_refusal(patient),
                "zone_label": zone_label(zone.key),
                "cutoff_hours": settings.APPOINTMENT_CHANGE_CUTOFF_HOURS,
            },
        )


def _days_with_slots(slots: list[Slot], zone, first_day: dt.date) -> list[tuple[dt.date, list[Slot]]]:
    """The strip's days from ``first_day``, each with its open times (in start order)."""
    by_day: dict[dt.date, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.starts_at.astimezone(zone).date()].append(slot)
    days = [first_day + dt.timedelta(days=i) for i in range(DAYS_PER_PAGE)]
    return [(day, by_day.get(day, [])) for day in days]


def _query(**params) -> str:
    """A booking page address's query string (dates as YYYY-MM-DD, empty values left out)."""
    return urlencode({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items() if v})


def _day_param(request: HttpRequest) -> dt.date | None:
    """``?day=YYYY-MM-DD``: the strip's chosen day; None when absent or malformed."""
    try:
        return parse_date(request.GET.get("day") or "")
    except ValueError:
        return None


def _starting_state(patient: Patient, replacing: Appointment | None) -> tuple[str, str]:
    """The state the booking page starts with, and why: the state of the visit being moved, else
    where the patient lives; only one the practice serves. ("", "") when there is none."""
    if replacing is not None and replacing.location_state.active:
        return replacing.location_state.code, "replacing"
    home = patient.state if patient.state_id else None
    return (home.code, "home") if home is not None and home.active else ("", "")


def within_change_cutoff(starts_at: dt.datetime, now: dt.datetime) -> bool:
    """A visit starting this soon can no longer be changed or cancelled online (the rule of
    ``appointment_can_change``, said before the patient books)."""
    return starts_at - now < dt.timedelta(hours=settings.APPOINTMENT_CHANGE_CUTOFF_HOURS)


def _chosen_day(days: list[tuple[dt.date, list[Slot]]], wanted: list[dt.date | None]) -> dt.date:
    """The first of ``wanted`` that is on the strip, else the strip's first day with open times,
    else its first day."""
    on_strip = [day for day, _ in days]
    for day in wanted:
        if day in on_strip:
            return day
    return next((day for day, slots in days if slots), on_strip[0])


def _times_by_physician(slots: list[Slot], *, now: dt.datetime, link: dict) -> list[tuple[User, list[dict]]]:
    """One day's open times grouped by physician, the physician with the earliest time first."""
    groups: dict[int, tuple[User, list[dict]]] = {}
    for slot in slots:
        times = groups.setdefault(slot.physician.pk, (slot.physician, []))[1]
        times.append(
            {
                "slot": slot,
                "query": _query(**link, slot=slot.value),
                "soon": within_change_cutoff(slot.starts_at, now),
            }
        )
    return list(groups.values())


def slot_picker(
    request: HttpRequest,
    *,
    patient: Patient | None,
    replacing: Appointment | None,
    on_behalf: bool = False,
    extra_context: dict | None = None,
) -> HttpResponse:
    """Step 1: where will you be? (the patient's home state to start with). Step 2: open times in
    the patient's own zone, a strip of days and the chosen day's times by physician. Step 3:
    confirm. The patient's booking page, and the care team's when ``on_behalf`` (booked for the
    patient, who gets the same confirmation; the care team lands back on the chart).

    Query parameters: ``state`` (where the patient will be), ``from`` (the strip's first day),
    ``day`` (the strip's chosen day) and ``slot`` (the time to confirm)."""
    refusal = booking_refusal(patient)
    template = "patients/appointment_book.html"
    context: dict = {
        "replacing": replacing,
        "refusal": refusal,
        "on_behalf": on_behalf,
        "patient": patient,
        "cutoff_hours": settings.APPOINTMENT_CHANGE_CUTOFF_HOURS,
        **(extra_context or {}),
    }
    if refusal:
        with shown_in(_zone_name(patient)) as zone:
            context["zone_label"] = zone_label(zone.key)
            return render(request, template, context)
    visit_type = replacing.visit_type if replacing else visit_type_for(patient)
    context["visit_type"] = visit_type
    # The price is shown before anything is booked (docs/domain.md "Cash pay").
    context["fee"] = fee_for(visit_type=visit_type, day=billing_date(timezone.now()))
    data = request.POST if request.method == "POST" else request.GET
    with shown_in(patient.time_zone_name) as zone:
        context["zone_label"] = zone_label(zone.key)
        # One visit at a time: a second booking would be refused, so say so before the search.
        existing = None if replacing else next_appointment_for(patient)
        if existing is not None:
            context["existing"] = existing
            return render(request, template, context)
        if request.method == "POST" or "state" in data:
            location_form = LocationForm(data)
        elif (starting := _starting_state(patient, replacing))[0]:
            # Most visits take place at home: its open times show at once, and another state is one
            # choice away.
            location_form = LocationForm({"state": starting[0]})
            context["state_chosen_because"] = starting[1]
        else:
            location_form = LocationForm()
        context["location_form"] = location_form
        state: ServiceState | None = None
        if location_form.is_valid():
            try:
                state = location_state_for(location_form.cleaned_data["state"])
            except ValidationError as exc:
                context["state_refusal"] = exc.messages[0]
        if state is None:
            return render(request, template, context)
        context["state"] = state

        if request.method == "POST":
            form = SlotForm(request.POST)
            if form.is_valid():
                physician_id, starts_at = form.cleaned_data["slot"]
                physician = bookable_physician(physician_id)
                try:
                    if physician is None:
                        raise ValidationError("Choose one of the times offered.")
                    if replacing is None:
                        appointment = visit_services.appointment_book(
                            patient=patient,
                            physician=physician,
                            starts_at=starts_at,
                            location_state=state,
                            booked_by=request.user if on_behalf else None,
                        )
                    else:
                        appointment = visit_services.appointment_reschedule(
                            appointment=replacing,
                            by=request.user,
                            physician=physician,
                            starts_at=starts_at,
                            location_state=state,
                        )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    when = describe_moment(appointment.starts_at, patient.time_zone_name)
                    verb = "moved to" if replacing else "booked for"
                    if on_behalf:
                        messages.success(
                            request,
                            f"{patient.full_name}'s video visit is {verb} {when} (the patient's time) with "
                            f"{physician.display_name}. The patient has been sent the confirmation.",
                        )
                        return redirect("patients:chart", pk=patient.pk)
                    estimate = (
                        " Your Good Faith Estimate of the charges is on your Billing page."
                        if visit_estimate(appointment)
                        else ""
                    )
                    messages.success(
                        request,
                        f"Your video visit is {verb} {when} with {physician.display_name}. "
                        f"A confirmation email with a calendar file is on its way.{estimate}",
                    )
                    if payment_due(appointment):
                        return redirect("patients:billing")
                    return redirect("patients:appointment_list")
            context["errors"] = form.non_field_errors() + form.errors.get("slot", [])

        now = timezone.now()
        today = timezone.localdate()
        last_day = today + dt.timedelta(days=BOOKING_HORIZON_DAYS)
        first_day = date_param(request, "from", today=today)
        first_day = min(max(first_day, today), last_day)
        start = local_to_utc(first_day, dt.time(0), zone)
        end = local_to_utc(first_day + dt.timedelta(days=DAYS_PER_PAGE), dt.time(0), zone)
        slots = open_slots(
            state=state,
            visit_type=visit_type,
            start=start,
            end=end,
            exclude_appointment=replacing.pk if replacing else None,
        )
        days = _days_with_slots(slots, zone, first_day)

        chosen = request.GET.get("slot") if request.method != "POST" else None
        chosen_slot_day = None
        if chosen:
            try:
                physician_id, starts_at = parse_slot(chosen)
            except ValidationError:
                context["errors"] = ["Choose one of the times offered."]
            else:
                physician = bookable_physician(physician_id)
                if physician is not None:
                    chosen_slot_day = starts_at.astimezone(zone).date()
                    context["fee"] = fee_for(visit_type=visit_type, day=billing_date(starts_at))
                    context["chosen"] = {
                        "value": chosen,
                        "physician": physician,
                        "starts_at": starts_at,
                        "ends_at": starts_at + dt.timedelta(minutes=visit_type.duration_minutes),
                        "soon": within_change_cutoff(starts_at, now),
                    }

        chosen_day = _chosen_day(days, [_day_param(request), chosen_slot_day])
        page = {"state": state.code, "from": first_day}
        previous_day = first_day - dt.timedelta(days=DAYS_PER_PAGE) if first_day > today else None
        next_day = first_day + dt.timedelta(days=DAYS_PER_PAGE)
        groups = _times_by_physician(dict(days)[chosen_day], now=now, link={**page, "day": chosen_day})
        context.update(
            days=days,
            strip=[
                {"day": day, "count": len(day_slots), "query": _query(**page, day=day), "current": day == chosen_day}
                for day, day_slots in days
            ],
            first_day=first_day,
            chosen_day=chosen_day,
            day_query=_query(**page, day=chosen_day),
            times_by_physician=groups,
            any_soon=any(time["soon"] for _, times in groups for time in times),
            previous_query=_query(state=state.code, **{"from": max(previous_day, today)}) if previous_day else "",
            next_query=_query(state=state.code, **{"from": next_day}) if next_day <= last_day else "",
        )
        return render(request, template, context, status=200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def appointment_book(request: HttpRequest) -> HttpResponse:
    return slot_picker(request, patient=patient_for_user(request.user), replacing=None)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_get_for(request.user, pk)
    refusal = appointment_change_refusal(appointment)
    if refusal:
        messages.error(request, refusal)
        return redirect("patients:appointment_list")
    return slot_picker(request, patient=appointment.patient, replacing=appointment)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "Cancel your visit on … with …?" and says what happens to the payment; the POST
    of its "Yes, cancel this visit" button cancels."""
    appointment = appointment_get_for(request.user, pk)
    if request.method == "POST":
        try:
            cancelled = visit_services.appointment_cancel(appointment=appointment, by=request.user)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, " ".join(filter(None, ["Your visit is cancelled.", cancelled.refund.message])))
        return redirect("patients:appointment_list")
    refusal = appointment_change_refusal(appointment)
    if refusal:
        messages.error(request, refusal)
        return redirect("patients:appointment_list")
    with shown_in(appointment.patient.time_zone_name):
        return render(
            request,
            "patients/appointment_cancel.html",
            {"appointment": appointment, "refund": cancellation_refund_preview(appointment)},
        )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PATIENT)
def appointment_join(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_get_for(request.user, pk)
    patient = appointment.patient
    context = {"appointment": appointment, "is_open": join_is_open(appointment)}
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            try:
                result = visit_services.appointment_join(
                    appointment=appointment,
                    user=request.user,
                    state_code=form.cleaned_data["state"],
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if result.allowed:
                    return redirect("patients:appointment_room", pk=appointment.pk)
                context["refusal"] = result.message
    else:
        form = JoinForm(initial={"state": appointment.location_state.code})
    context["form"] = form
    with shown_in(patient.time_zone_name) as zone:
        context["zone_label"] = zone_label(zone.key)
        return render(request, "patients/appointment_join.html", context)


@require_safe
@role_required(Role.PATIENT)
@video_room_page
def appointment_room(request: HttpRequest, pk: int) -> HttpResponse:
    """The waiting room, then the call. The room's socket checks the same pass again."""
    appointment = appointment_get_for(request.user, pk)
    try:
        room_pass(appointment=appointment, user=request.user, mfa_completed=False)
    except RoomRefused as exc:
        messages.info(request, exc.message) if exc.attest else messages.error(request, exc.message)
        return redirect("patients:appointment_join", pk=appointment.pk)
    return render(
        request,
        "patients/visit_room.html",
        {
            "appointment": appointment,
            "role": "patient",
            "other_name": appointment.physician.display_name,
            "leave_url": reverse("patients:appointment_list"),
        },
    )


@require_safe
@role_required(Role.PATIENT)
def appointment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_get_for(request.user, pk)
    response = HttpResponse(visit_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="video-visit.ics"'
    return response
