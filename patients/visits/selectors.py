"""Reads about video visits that depend on who is asking. All scoping of appointments lives here."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from patients.models import (
    Appointment,
    FollowUp,
    Patient,
    PhysicianProfile,
    TimeOff,
    VisitEvent,
    VisitJoinAttempt,
    VisitType,
    WeeklyAvailability,
)
from patients.visits.slots import Interval, free_starts, windows_on
from portal.access import get_scoped_or_404, licensure_day
from portal.models import PhysicianLicense, ServiceState, User
from portal.selectors import care_team_states

# How far ahead patients may book, and the least notice a physician gets.
BOOKING_HORIZON_DAYS = 60
BOOKING_MIN_NOTICE = dt.timedelta(hours=2)


def physician_time_zone(physician: User) -> str:
    """The zone a physician's weekly hours and schedule are in (the practice's zone until they
    choose one)."""
    zone = (
        PhysicianProfile.objects.filter(physician_id=physician.pk)
        .order_by("pk")
        .values_list("timezone", flat=True)
        .first()
    )
    return zone or settings.TIME_ZONE


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def state_today(state: ServiceState, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zone_of(state.timezone)).date()


def appointment_list_for(user: User) -> QuerySet[Appointment]:
    """Who sees which visits:
    - a patient: their own;
    - a physician: the visits booked with them (a colleague's visits are out of scope);
    - a care coordinator: the visits of patients in every state the practice serves (they book,
      move and cancel for patients);
    - everyone else: none (practice staff use the admin).
    """
    base = Appointment.objects.select_related(
        "patient__user", "patient__state", "physician", "visit_type", "location_state"
    )
    if not user.is_authenticated:
        return base.none()
    if user.role == User.Role.PATIENT:
        return base.filter(patient__user=user)
    if user.role == User.Role.PHYSICIAN:
        return base.filter(physician=user)
    if user.role == User.Role.COORDINATOR:
        return base.filter(patient__state_id__in=care_team_states(user))
    return base.none()


def appointment_get_for(user: User, pk: int) -> Appointment:
    """One visit in ``user``'s scope, else 404."""
    return get_scoped_or_404(appointment_list_for(user), pk=pk)


def appointments_upcoming_for(user: User, *, now: dt.datetime | None = None) -> QuerySet[Appointment]:
    now = now or timezone.now()
    return appointment_list_for(user).filter(status=Appointment.Status.BOOKED, ends_at__gt=now).order_by("starts_at")


def appointments_past_for(user: User, *, now: dt.datetime | None = None) -> QuerySet[Appointment]:
    """Visits that are over or cancelled, newest first."""
    now = now or timezone.now()
    upcoming = appointments_upcoming_for(user, now=now).values("pk")
    return appointment_list_for(user).exclude(pk__in=upcoming).order_by("-starts_at")


# What the dashboard and the booking page show of the next visit.
NEXT_APPOINTMENT_COLUMNS = (
    *("patient_id", "starts_at", "ends_at", "status"),
    *("physician__first_name", "physician__last_name", "physician__email", "physician__role"),
    "visit_type__name",
)


def next_appointment_for(patient: Patient, *, now: dt.datetime | None = None) -> Appointment | None:
    return (
        Appointment.objects.select_related("physician", "visit_type")
        .filter(patient=patient, status=Appointment.Status.BOOKED, ends_at__gt=now or timezone.now())
        .only(*NEXT_APPOINTMENT_COLUMNS)
        .order_by("starts_at", "pk")
        .first()
    )


def schedule_for(physician: User, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Appointment]:
    """The physician's own visits starting in [start, end), cancelled ones included (shown
    struck through so a freed hour is explained)."""
    return appointment_list_for(physician).filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "pk")


def availability_for(physician: User) -> QuerySet[WeeklyAvailability]:
    return WeeklyAvailability.objects.filter(physician=physician).order_by("weekday", "start_time")


def availability_window_get_for(physician: User, pk: int) -> WeeklyAvailability:
    return get_scoped_or_404(availability_for(physician), pk=pk)


def time_off_for(physician: User, *, now: dt.datetime | None = None) -> QuerySet[TimeOff]:
    """Time off that has not ended yet."""
    now = now or timezone.now()
    return TimeOff.objects.filter(physician=physician, ends_at__gt=now).order_by("starts_at")


def time_off_get_for(physician: User, pk: int) -> TimeOff:
    return get_scoped_or_404(TimeOff.objects.filter(physician=physician), pk=pk)


def visit_type_for(patient: Patient) -> VisitType:
    """A patient's first visit is the initial consultation; after a completed visit, or once a
    follow-up is due, it is a follow-up."""
    seen = Appointment.objects.filter(patient=patient, status=Appointment.Status.COMPLETED).exists()
    due = FollowUp.objects.filter(patient=patient, status__in=["pending", "booked"]).exists()
    kind = VisitType.Kind.FOLLOW_UP if seen or due else VisitType.Kind.INITIAL
    return VisitType.objects.get(kind=kind)


@dataclass(frozen=True)
class Slot:
    physician: User
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def value(self) -> str:
        """How a slot travels in a form: physician id and start as a Unix timestamp."""
        return f"{self.physician.pk}-{int(self.starts_at.timestamp())}"


@dataclass
class PhysicianCalendar:
    """Everything needed to place visits for one physician (loaded in bulk by the callers)."""

    physician: User
    zone: zoneinfo.ZoneInfo
    hours: dict[int, list[tuple[dt.time, dt.time]]]
    busy: list[Interval]

    def windows_on(self, local_day: dt.date) -> list[Interval]:
        return windows_on(local_day, self.hours.get(local_day.weekday(), []), self.zone)


def physician_calendars(
    physicians: list[User], *, start: dt.datetime, end: dt.datetime, exclude_appointment: int | None = None
) -> dict[int, PhysicianCalendar]:
    """Weekly hours, time off and live visits of ``physicians`` around [start, end), in four
    queries whatever their number."""
    ids = [p.pk for p in physicians]
    zones = dict(PhysicianProfile.objects.filter(physician_id__in=ids).values_list("physician_id", "timezone"))
    hours: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for row in WeeklyAvailability.objects.filter(physician_id__in=ids).order_by("start_time"):
        hours[row.physician_id][row.weekday].append((row.start_time, row.end_time))
    busy: dict[int, list[Interval]] = defaultdict(list)
    margin = dt.timedelta(days=1)
    for off in TimeOff.objects.filter(physician_id__in=ids, starts_at__lt=end + margin, ends_at__gt=start - margin):
        busy[off.physician_id].append((off.starts_at, off.ends_at))
    visits = Appointment.objects.filter(
        physician_id__in=ids, starts_at__lt=end + margin, ends_at__gt=start - margin
    ).exclude(status=Appointment.Status.CANCELLED)
    if exclude_appointment is not None:
        visits = visits.exclude(pk=exclude_appointment)
    for physician_id, starts_at, ends_at in visits.values_list("physician_id", "starts_at", "ends_at"):
        busy[physician_id].append((starts_at, ends_at))
    return {
        p.pk: PhysicianCalendar(
            physician=p,
            zone=zone_of(zones.get(p.pk) or settings.TIME_ZONE),
            hours=hours[p.pk],
            busy=sorted(busy[p.pk]),
        )
        for p in physicians
    }


def licensed_physicians_in(state: ServiceState, *, first_day: dt.date) -> dict[int, tuple[User, dt.date]]:
    """Active physicians with a verified license in ``state`` still valid on ``first_day``:
    physician id → (physician, the last day any such license is valid)."""
    found: dict[int, tuple[User, dt.date]] = {}
    licenses = (
        PhysicianLicense.objects.active_on(first_day)
        .filter(state=state, physician__is_active=True, physician__role=User.Role.PHYSICIAN)
        .select_related("physician")
    )
    for license_ in licenses:
        current = found.get(license_.physician_id)
        if current is None or license_.expires_on > current[1]:
            found[license_.physician_id] = (license_.physician, license_.expires_on)
    return found


def open_slots(
    *,
    state: ServiceState,
    visit_type: VisitType,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
    exclude_appointment: int | None = None,
) -> list[Slot]:
    """Open visit times starting in [start, end) with physicians holding a license in ``state``
    that is active on the visit's date there (docs/domain.md "Service states and licenses", point 2), in start
    order. Never earlier
    than the minimum notice nor beyond the booking horizon."""
    now = now or timezone.now()
    not_before = max(start, now + BOOKING_MIN_NOTICE)
    not_after = min(end, now + dt.timedelta(days=BOOKING_HORIZON_DAYS))
    if not_after <= not_before:
        return []
    licensed = licensed_physicians_in(state, first_day=licensure_day(state, not_before))
    if not licensed:
        return []
    duration = dt.timedelta(minutes=visit_type.duration_minutes)
    calendars = physician_calendars(
        [physician for physician, _ in licensed.values()], start=start, end=end, exclude_appointment=exclude_appointment
    )
    slots = []
    for physician_id, (physician, licensed_until) in licensed.items():
        calendar = calendars[physician_id]
        day = start.astimezone(calendar.zone).date()
        last_day = end.astimezone(calendar.zone).date()
        while day <= last_day:
            for window in calendar.windows_on(day):
                for begin in free_starts(
                    window, calendar.busy, duration=duration, not_before=not_before, not_after=not_after
                ):
                    if begin >= end or licensure_day(state, begin) > licensed_until:
                        continue
                    slots.append(Slot(physician=physician, starts_at=begin, ends_at=begin + duration))
            day += dt.timedelta(days=1)
    slots.sort(key=lambda s: (s.starts_at, s.physician.last_name, s.physician.pk))
    return slots


def bookable_physician(pk: int) -> User | None:
    """A physician a patient picked from the offered times (re-checked by the booking service)."""
    return User.objects.filter(pk=pk, role=User.Role.PHYSICIAN, is_active=True).first()


# --- The video room -----------------------------------------------------------------------------


def latest_attestation(appointment: Appointment, user: User) -> VisitJoinAttempt | None:
    """The last time ``user`` told us where they were for this visit, allowed or not."""
    return VisitJoinAttempt.objects.filter(appointment=appointment, user=user).order_by("-at", "-pk").first()


def room_events_for(appointment: Appointment) -> list[VisitEvent]:
    return list(VisitEvent.objects.filter(appointment=appointment).select_related("user").order_by("at", "pk"))


def admitted_at(appointment: Appointment) -> dt.datetime | None:
    """When the patient was let into the call under way: a call lasts from the physician's "Admit"
    until the physician ends it. None while there is none."""
    last = (
        VisitEvent.objects.filter(appointment=appointment, kind__in=(VisitEvent.Kind.ADMITTED, VisitEvent.Kind.ENDED))
        .order_by("-at", "-pk")
        .values_list("kind", "at")
        .first()
    )
    return last[1] if last and last[0] == VisitEvent.Kind.ADMITTED else None


def room_admitted(appointment: Appointment) -> bool:
    return admitted_at(appointment) is not None


def call_length(events: list[VisitEvent]) -> dt.timedelta | None:
    """From the first admission to the end of the call (or the last departure, if nobody pressed
    "End"): what the visit page shows as the call's length. None before anyone was admitted."""
    admitted = next((e.at for e in events if e.kind == VisitEvent.Kind.ADMITTED), None)
    if admitted is None:
        return None
    closing = [e.at for e in events if e.kind in (VisitEvent.Kind.ENDED, VisitEvent.Kind.LEFT) and e.at >= admitted]
    return (max(closing) if closing else timezone.now()) - admitted
