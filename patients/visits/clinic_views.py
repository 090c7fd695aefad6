"""The physician's visit pages: the day and week schedule, weekly hours and time off, one visit
with its room events, outcome and note, and the video room."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from patients.models import Appointment
from patients.visitnotes.selectors import visit_note_of
from patients.visits import services as visit_services
from patients.visits.forms import (
    AvailabilityForm,
    CancelByPhysicianForm,
    NoteForm,
    OutcomeForm,
    TimeOffForm,
    TimeZoneForm,
)
from patients.visits.selectors import (
    appointment_get_for,
    availability_for,
    availability_window_get_for,
    call_length,
    physician_time_zone,
    room_events_for,
    schedule_for,
    time_off_for,
    time_off_get_for,
)
from patients.visits.services import (
    CANCEL_REFUSAL,
    RoomRefused,
    appointment_note_save,
    appointment_record_outcome,
    availability_add,
    availability_remove,
    care_team_may_change,
    join_is_open,
    physician_time_zone_set,
    room_pass,
    time_off_add,
    time_off_remove,
)
from patients.visits.slots import local_to_utc
from patients.zones import shown_in, zone_label
from portal.access import CARE_TEAM_ROLES, Role, role_required
from portal.audit import access_record, access_record_list
from portal.forms import add_service_errors, flash_refusal
from portal.mfa import session_completed_mfa
from portal.middleware import video_room_page
from portal.params import date_param
from portal.selectors import licensed_state_ids_for


@require_safe
@role_required(Role.PHYSICIAN)
def schedule(request: HttpRequest) -> HttpResponse:
    """``?view=day|week&date=YYYY-MM-DD``, in the physician's own zone; a week starts on Monday."""
    access_record_list(request, action="schedule.view")
    view = "day" if request.GET.get("view") == "day" else "week"
    with shown_in(physician_time_zone(request.user)) as zone:
        today = timezone.localdate()
        day = date_param(request, "date", today=today)
        first = day if view == "day" else day - dt.timedelta(days=day.weekday())
        length = 1 if view == "day" else 7
        start = local_to_utc(first, dt.time(0), zone)
        end = local_to_utc(first + dt.timedelta(days=length), dt.time(0), zone)
        by_day: dict[dt.date, list[Appointment]] = defaultdict(list)
        for appointment in schedule_for(request.user, start=start, end=end):
            by_day[appointment.starts_at.astimezone(zone).date()].append(appointment)
        days = [(first + dt.timedelta(days=i), by_day.get(first + dt.timedelta(days=i), [])) for i in range(length)]
        step = dt.timedelta(days=length)
        return render(
            request,
            "patients/schedule.html",
            {
                "view": view,
                "days": days,
                "first": first,
                "last": first + step - dt.timedelta(days=1),
                "today": today,
                "previous": first - step,
                "next": first + step,
                "zone_label": zone_label(zone.key),
                "booked_count": sum(1 for _, items in days for a in items if a.status == Appointment.Status.BOOKED),
            },
        )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.PHYSICIAN)
def availability(request: HttpRequest) -> HttpResponse:
    """Weekly hours, time off and the time zone they are read in. Each form posts an ``action``."""
    physician = request.user
    zone_name = physician_time_zone(physician)
    zone_form = TimeZoneForm(initial={"time_zone": zone_name})
    window_form = AvailabilityForm()
    time_off_form = TimeOffForm()
    with shown_in(zone_name) as zone:
        if request.method == "POST":
            action = request.POST.get("action")
            form, saved = None, False
            try:
                if action == "time_zone":
                    form = zone_form = TimeZoneForm(request.POST)
                    if form.is_valid():
                        physician_time_zone_set(physician=physician, time_zone=form.cleaned_data["time_zone"])
                        messages.success(request, "Time zone saved. Your weekly hours are now read in it.")
                        saved = True
                elif action == "window":
                    form = window_form = AvailabilityForm(request.POST)
                    if form.is_valid():
                        availability_add(physician=physician, **form.cleaned_data)
                        messages.success(request, "Hours added.")
                        saved = True
                elif action == "time_off":
                    form = time_off_form = TimeOffForm(request.POST)
                    if form.is_valid():
                        result = time_off_add(physician=physician, **form.cleaned_data)
                        messages.success(request, "Time off saved. No new visits will be booked in it.")
                        if result.booked_visits:
                            messages.warning(
                                request,
                                f"{result.booked_visits} visit(s) already booked in that period stay booked. "
                                "Please ask the practice staff to contact those patients.",
                            )
                        saved = True
                else:
                    messages.error(request, "Choose what to save.")
            except ValidationError as exc:
                add_service_errors(form, exc)
            if saved:
                return redirect("patients:availability")
        return render(
            request,
            "patients/availability.html",
            {
                "zone_form": zone_form,
                "window_form": window_form,
                "time_off_form": time_off_form,
                "windows": list(availability_for(physician)),
                "time_off": list(time_off_for(physician)),
                "zone_label": zone_label(zone.key),
            },
        )


@require_POST
@role_required(Role.PHYSICIAN)
def availability_window_delete(request: HttpRequest, pk: int) -> HttpResponse:
    window = availability_window_get_for(request.user, pk)
    availability_remove(physician=request.user, window=window)
    messages.success(request, "Hours removed. Visits already booked in them stay booked.")
    return redirect("patients:availability")


@require_POST
@role_required(Role.PHYSICIAN)
def time_off_delete(request: HttpRequest, pk: int) -> HttpResponse:
    time_off = time_off_get_for(request.user, pk)
    time_off_remove(physician=request.user, time_off=time_off)
    messages.success(request, "Time off removed.")
    return redirect("patients:availability")


def _appointment_page(
    request: HttpRequest, appointment: Appointment, *, outcome_form=None, note_form=None, cancel_form=None
):
    access_record(request, patient_user=appointment.patient.user, action="appointment.view")
    now = timezone.now()
    events = room_events_for(appointment)
    length = call_length(events)
    context = {
        "appointment": appointment,
        "room_events": events,
        "call_minutes": None if length is None else int(length.total_seconds()) // 60,
        "call_seconds": None if length is None else int(length.total_seconds()) % 60,
        "chart_visible": appointment.patient.state_id in licensed_state_ids_for(request.user),
        "join_attempts": list(appointment.join_attempts.order_by("-at")[:10]),
        "room_open": join_is_open(appointment, now=now),
        "outcome_due": appointment.status == Appointment.Status.BOOKED and now >= appointment.starts_at,
    }
    if appointment.status == Appointment.Status.BOOKED:
        context["outcome_form"] = outcome_form or OutcomeForm()
        if care_team_may_change(appointment, request.user, now=now):
            context["cancel_form"] = cancel_form or CancelByPhysicianForm()
    elif appointment.status in (Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW):
        context["note_form"] = note_form or NoteForm(initial={"note": appointment.note})
    context["visit_note"] = visit_note_of(appointment)
    with shown_in(physician_time_zone(request.user)) as zone:
        context["zone_label"] = zone_label(zone.key)
        return render(request, "patients/appointment_detail.html", context)


@require_safe
@role_required(Role.PHYSICIAN)
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _appointment_page(request, appointment_get_for(request.user, pk))


@require_safe
@role_required(Role.PHYSICIAN)
@video_room_page
def appointment_room(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is waiting, "Admit", the call, and at its end the outcome and note."""
    appointment = appointment_get_for(request.user, pk)
    try:
        room_pass(appointment=appointment, user=request.user, mfa_completed=session_completed_mfa(request))
    except RoomRefused as exc:
        messages.error(request, exc.message)
        return redirect("patients:clinic_appointment", pk=appointment.pk)
    access_record(request, patient_user=appointment.patient.user, action="appointment.room")
    return render(
        request,
        "patients/visit_room.html",
        {
            "appointment": appointment,
            "role": "physician",
            "other_name": appointment.patient.full_name,
            "leave_url": reverse("patients:clinic_appointment", args=[appointment.pk]),
            "outcome_form": OutcomeForm(initial={"outcome": Appointment.Status.COMPLETED}),
        },
    )


@require_POST
@role_required(Role.PHYSICIAN)
def appointment_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_get_for(request.user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            appointment_record_outcome(appointment=appointment, physician=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Visit outcome saved.")
            return redirect("patients:clinic_appointment", pk=appointment.pk)
    return _appointment_page(request, appointment, outcome_form=form)


@require_POST
@role_required(*CARE_TEAM_ROLES)
def appointment_cancel_by_care_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit's physician cancels from the visit page; a coordinator from the page where they
    move a visit for the patient."""
    appointment = appointment_get_for(request.user, pk)
    is_physician = request.user.role == Role.PHYSICIAN
    back = "patients:clinic_appointment" if is_physician else "patients:clinic_reschedule_for"
    if not care_team_may_change(appointment, request.user, now=timezone.now()):
        messages.error(request, CANCEL_REFUSAL)
        return redirect(back, pk=appointment.pk)
    form = CancelByPhysicianForm(request.POST)
    if form.is_valid():
        try:
            cancelled = visit_services.appointment_cancel_by_care_team(
                appointment=appointment, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict") or not is_physician:  # no form of its own to show it on
                flash_refusal(request, exc)
                return redirect(back, pk=appointment.pk)
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                " ".join(
                    filter(
                        None,
                        ["Visit cancelled. The patient has been told and can book again.", cancelled.refund.message],
                    )
                ),
            )
            if is_physician:
                return redirect(back, pk=appointment.pk)
            return redirect("patients:chart", pk=appointment.patient_id)
    if not is_physician:
        messages.error(request, " ".join(form.errors.get("note", [])) or "Write a note to the patient.")
        return redirect(back, pk=appointment.pk)
    return _appointment_page(request, appointment, cancel_form=form)


@require_POST
@role_required(Role.PHYSICIAN)
def appointment_note(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_get_for(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            appointment_note_save(appointment=appointment, physician=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Outcome note saved.")
            return redirect("patients:clinic_appointment", pk=appointment.pk)
    return _appointment_page(request, appointment, note_form=form)
