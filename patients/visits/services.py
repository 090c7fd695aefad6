"""Every write and rule about video visits: weekly hours, time off, booking, changing, joining, who
may be in the video room, and recording how a visit went (docs/domain.md "Service states and licenses", point 2)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from patients.billing.services import estimate_issue_for_visit
from patients.followups.services import followup_sync
from patients.models import (
    Appointment,
    GoodFaithEstimate,
    Intake,
    Patient,
    PhysicianProfile,
    ReviewStatus,
    TimeOff,
    VisitEvent,
    VisitJoinAttempt,
    VisitType,
    WeeklyAvailability,
)
from patients.models.booking import APPOINTMENT_OVERLAP_CONSTRAINT
from patients.payments.services import payment_follow_moved_visit, refund_for_cancelled_visit
from patients.visits.reminders import appointment_reminder_schedule, visit_confirmation_schedule
from patients.visits.selectors import (
    BOOKING_HORIZON_DAYS,
    BOOKING_MIN_NOTICE,
    admitted_at,
    latest_attestation,
    physician_calendars,
    visit_type_for,
)
from patients.visits.slots import fits_in_window, overlaps_any
from patients.zones import describe_moment
from portal.access import CARE_TEAM_ROLES, care_team_serves, physician_license_in
from portal.models import US_STATE_NAMES, ServiceState, User
from portal.reminders import portal_update_notify

logger = logging.getLogger(__name__)

SLOT_TAKEN_MESSAGE = "Sorry, that time was just taken. Please choose another time."
# The room opens a little early so a patient can test camera and sound, and stays open a while
# after the booked end in case the visit runs over or the connection drops.
JOIN_OPENS_BEFORE = dt.timedelta(minutes=15)
JOIN_CLOSES_AFTER = dt.timedelta(minutes=30)


def _require_physician(user: User) -> None:
    if user.role != User.Role.PHYSICIAN:
        raise PermissionDenied("Only physicians manage visit hours and visits.")


def served_states_phrase() -> str:
    names = list(ServiceState.objects.filter(active=True).order_by("name").values_list("name", flat=True))
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


# --- Weekly hours and time off ------------------------------------------------------------------


@transaction.atomic
def physician_time_zone_set(*, physician: User, time_zone: str) -> PhysicianProfile:
    """The zone the physician's weekly hours are read in. Booked visits keep their instant."""
    _require_physician(physician)
    profile, _ = PhysicianProfile.objects.get_or_create(physician=physician)
    profile.timezone = time_zone
    profile.full_clean()
    profile.save(update_fields=["timezone"])
    return profile


@transaction.atomic
def availability_add(*, physician: User, weekday: int, start_time: dt.time, end_time: dt.time) -> WeeklyAvailability:
    _require_physician(physician)
    if end_time <= start_time:
        raise ValidationError({"end_time": "The end must be after the start (hours cannot run past midnight)."})
    window = WeeklyAvailability(physician=physician, weekday=weekday, start_time=start_time, end_time=end_time)
    clash = (
        WeeklyAvailability.objects.select_for_update()
        .filter(physician=physician, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            f"This overlaps your {clash.get_weekday_display()} hours "
            f"{clash.start_time:%H:%M}–{clash.end_time:%H:%M}. Change or remove those first."
        )
    window.full_clean()
    window.save()
    return window


@transaction.atomic
def availability_remove(*, physician: User, window: WeeklyAvailability) -> None:
    """Removing hours never cancels a visit already booked in them."""
    if window.physician_id != physician.pk:
        raise PermissionDenied("These are not your hours.")
    window.delete()


@dataclass(frozen=True)
class TimeOffResult:
    time_off: TimeOff
    booked_visits: int


@transaction.atomic
def time_off_add(*, physician: User, starts_at: dt.datetime, ends_at: dt.datetime, reason: str = "") -> TimeOffResult:
    """Block a period. Visits already booked in it stay booked (the patients must hear it from a
    person, not from a silent cancellation); their number is returned so the page can say so."""
    _require_physician(physician)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": "That period is already over."})
    time_off = TimeOff(physician=physician, starts_at=starts_at, ends_at=ends_at, reason=reason.strip())
    time_off.full_clean()
    time_off.save()
    booked = Appointment.objects.filter(
        physician=physician, status=Appointment.Status.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).count()
    return TimeOffResult(time_off=time_off, booked_visits=booked)


@transaction.atomic
def time_off_remove(*, physician: User, time_off: TimeOff) -> None:
    if time_off.physician_id != physician.pk:
        raise PermissionDenied("This is not your time off.")
    time_off.delete()


# --- Booking ----------------------------------------------------------------------------------


def booking_refusal(patient: Patient | None) -> str | None:
    """Why this patient cannot book a visit now, in words they can act on; None if they can.
    Booking is open once the intake is submitted (waiting for review or approved)."""
    if patient is None or patient.state_id is None:
        return "Please start your intake first: we need to know where you live before a visit can be booked."
    if not patient.state.active:
        return f"We no longer serve {patient.state.name}, so new visits cannot be booked."
    intake = Intake.objects.filter(patient=patient).only("review_status").first()
    status = intake.review_status if intake else ReviewStatus.NOT_SUBMITTED
    if status == ReviewStatus.NOT_SUBMITTED:
        return "Please finish and submit your intake first; the physician reads it before your visit."
    if status == ReviewStatus.DECLINED:
        return (
            "A physician could not approve treatment from your intake, so visits cannot be booked here. "
            "Send a message to your care team if you have questions."
        )
    return None


def location_state_for(code: str) -> ServiceState:
    """The service state a patient says they will be in during a visit, or a clear refusal."""
    code = (code or "").upper()
    state = ServiceState.objects.filter(code=code, active=True).first()
    if state is None:
        name = US_STATE_NAMES.get(code, "that state")
        raise ValidationError(
            f"Our physicians are not licensed in {name}, so we cannot see you while you are there. "
            f"A video visit has to take place while you are in {served_states_phrase()}. "
            "If you will be in one of those states, choose it instead.",
            code="unserved_state",
        )
    return state


def appointment_can_change(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    """Patients may cancel or reschedule until the cut-off (24 hours by default) before the visit,
    and until it starts when the practice asked them to rebook (the physician's license lapses)."""
    now = now or timezone.now()
    if appointment.status != Appointment.Status.BOOKED:
        return False
    if appointment.rebook_requested_at is not None:
        return appointment.starts_at > now
    cutoff = dt.timedelta(hours=settings.APPOINTMENT_CHANGE_CUTOFF_HOURS)
    return appointment.starts_at - now >= cutoff


def appointment_change_refusal(appointment: Appointment, *, now: dt.datetime | None = None) -> str:
    """Why the patient can no longer move or cancel the visit, or "" when they can (the pages ask
    before offering the change; the services refuse it again inside their transaction)."""
    try:
        _refuse_change(appointment, now or timezone.now())
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def _refuse_change(appointment: Appointment, now: dt.datetime) -> None:
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError("This visit is no longer booked.")
    if not appointment_can_change(appointment, now=now):
        hours = settings.APPOINTMENT_CHANGE_CUTOFF_HOURS
        raise ValidationError(
            f"Visits can be changed up to {hours} hours before they start. "
            "Please send a message to your care team instead."
        )


def _is_overlap_error(exc: IntegrityError) -> bool:
    return APPOINTMENT_OVERLAP_CONSTRAINT in str(exc)


def _place(
    *,
    patient: Patient,
    physician: User,
    starts_at: dt.datetime,
    location_state: ServiceState,
    visit_type: VisitType,
    now: dt.datetime,
    replacing: Appointment | None = None,
    booked_by: User | None = None,
) -> Appointment:
    """Check every booking rule and insert the visit. The database has the last word on overlaps:
    two patients racing for one time both pass the checks here, and the exclusion constraint (or
    the SQLite trigger) turns the loser's insert into the friendly "just taken" message."""
    refusal = booking_refusal(patient)
    if refusal:
        raise ValidationError(refusal)
    if not location_state.active:
        location_state_for(location_state.code)
    if physician.role != User.Role.PHYSICIAN or not physician.is_active:
        raise ValidationError("Choose one of the physicians offered.")
    if timezone.is_naive(starts_at) or starts_at.second or starts_at.microsecond:
        raise ValidationError("Choose one of the times offered.")
    starts_at = starts_at.astimezone(dt.UTC)
    ends_at = starts_at + dt.timedelta(minutes=visit_type.duration_minutes)
    if starts_at < now + BOOKING_MIN_NOTICE:
        raise ValidationError("That time is too soon to book. Please choose a later time.")
    if starts_at > now + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        raise ValidationError(f"Visits can be booked up to {BOOKING_HORIZON_DAYS} days ahead.")
    if not physician_license_in(physician, location_state, moment=starts_at):
        raise ValidationError(
            f"{physician.display_name} is not licensed in {location_state.name} on that date. "
            "Please choose one of the times offered."
        )
    # One visit at a time per patient: serialise this patient's bookings so two tabs cannot both pass.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    other = (
        Appointment.objects.filter(patient=patient, status=Appointment.Status.BOOKED, ends_at__gt=now)
        .exclude(pk=replacing.pk if replacing else None)
        .first()
    )
    if other is not None:
        who = "The patient already has" if booked_by else "You already have"
        raise ValidationError(
            f"{who} a visit booked for {describe_moment(other.starts_at, patient.time_zone_name)}. "
            "Reschedule or cancel it instead of booking a second one.",
            code="already_booked",
        )
    calendar = physician_calendars(
        [physician], start=starts_at, end=ends_at, exclude_appointment=replacing.pk if replacing else None
    )[physician.pk]
    local_day = starts_at.astimezone(calendar.zone).date()
    if not fits_in_window(starts_at, ends_at, calendar.windows_on(local_day)):
        raise ValidationError(
            "That time is outside the physician's visit hours. Please choose one of the times offered."
        )
    if overlaps_any(starts_at, ends_at, calendar.busy):
        raise ValidationError(SLOT_TAKEN_MESSAGE, code="slot_taken")

    appointment = Appointment(
        patient=patient,
        physician=physician,
        visit_type=visit_type,
        location_state=location_state,
        starts_at=starts_at,
        ends_at=ends_at,
        rescheduled_from=replacing,
        booked_by=booked_by,
    )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        if _is_overlap_error(exc):
            raise ValidationError(SLOT_TAKEN_MESSAGE, code="slot_taken") from exc
        raise
    if visit_type.kind == VisitType.Kind.FOLLOW_UP:
        followup_sync(patient=patient)  # links the visit to the follow-up it satisfies
        appointment.refresh_from_db(fields=["followup"])
    appointment_reminder_schedule(appointment)
    # A row in the same transaction as the booking: a broker outage delays the email, never loses it.
    visit_confirmation_schedule(appointment)
    # A self-pay visit gets its Good Faith Estimate as it is booked or moved (docs/domain.md "Cash pay").
    estimate_issue_for_visit(
        appointment=appointment,
        reason=GoodFaithEstimate.Reason.RESCHEDULED if replacing else GoodFaithEstimate.Reason.SCHEDULED,
        now=now,
    )
    return appointment


@transaction.atomic
def appointment_book(
    *,
    patient: Patient,
    physician: User,
    starts_at: dt.datetime,
    location_state: ServiceState,
    now: dt.datetime | None = None,
    booked_by: User | None = None,
) -> Appointment:
    """Book a video visit. The patient's first visit is an initial consultation, later ones are
    follow-ups; a follow-up visit is linked to the follow-up it satisfies, which shows as booked.
    ``booked_by`` is the care team member booking on the patient's behalf (the same rules apply;
    the patient gets the same confirmation)."""
    now = now or timezone.now()
    if booked_by is not None:
        _require_care_team_for(booked_by, patient)
    return _place(
        patient=patient,
        physician=physician,
        starts_at=starts_at,
        location_state=location_state,
        visit_type=visit_type_for(patient),
        now=now,
        booked_by=booked_by,
    )


def _require_care_team_for(user: User, patient: Patient) -> None:
    if not care_team_serves(user, patient.state):
        raise PermissionDenied("Only the patient's care team books or changes visits for them.")


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    physician: User,
    starts_at: dt.datetime,
    location_state: ServiceState,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a visit: the old one is cancelled and a new one booked in one transaction, so a
    refused new time leaves the old visit as it was. The follow-up stays booked. The patient
    keeps to the change cut-off; the care team, moving it for them, may until it starts."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("visit_type", "followup", "patient__state")
        .get(pk=appointment.pk)
    )
    on_behalf = by.role != User.Role.PATIENT
    if on_behalf:
        _require_care_team_for(by, appointment.patient)
        if not care_team_may_move(appointment, by, now=now):
            raise ValidationError("This visit can no longer be moved: it has started or is no longer booked.")
    else:
        _refuse_change(appointment, now)
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = now
    appointment.cancelled_by = by
    appointment.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    moved = _place(
        patient=appointment.patient,
        physician=physician,
        starts_at=starts_at,
        location_state=location_state,
        visit_type=appointment.visit_type,
        now=now,
        replacing=appointment,
        booked_by=by if on_behalf else None,
    )
    payment_follow_moved_visit(old=appointment, new=moved, now=now)
    return moved


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by: User, now: dt.datetime | None = None, enforce_cutoff: bool = True
) -> Appointment:
    """Cancel a booked visit. Patients must do it before the cut-off; practice staff (admin) may
    cancel at any time. A follow-up the visit was booked for is due again. A paid visit is refunded
    as the cancellation policy says; what happened to the payment is ``appointment.refund`` (a
    ``CancellationRefund``, whose message the page shows)."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update(of=("self",)).get(pk=appointment.pk)
    if enforce_cutoff:
        _refuse_change(appointment, now)
    elif appointment.status != Appointment.Status.BOOKED:
        raise ValidationError("This visit is no longer booked.")
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = now
    appointment.cancelled_by = by
    appointment.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    if appointment.followup_id:
        followup_sync(patient=appointment.patient)  # the follow-up it was booked for is due again
    appointment.refund = refund_for_cancelled_visit(appointment=appointment, by=by, now=now)
    return appointment


CANCELLATION_NOTE_MAX_LENGTH = 500
CANCEL_REFUSAL = "This visit can no longer be cancelled: it is over or no longer booked."


def care_team_may_change(appointment: Appointment, user: User, *, now: dt.datetime) -> bool:
    """Whether ``user`` may still move or cancel the visit for the patient: a physician their own
    visits, a care coordinator any visit of a patient they serve; booked, and not yet over."""
    if appointment.status != Appointment.Status.BOOKED or now >= appointment.ends_at:
        return False
    if user.role == User.Role.PHYSICIAN:
        return appointment.physician_id == user.pk
    return user.role == User.Role.COORDINATOR and care_team_serves(user, appointment.patient.state)


def care_team_may_move(appointment: Appointment, user: User, *, now: dt.datetime) -> bool:
    """:func:`care_team_may_change`, before the visit starts: a visit under way is not moved."""
    return now < appointment.starts_at and care_team_may_change(appointment, user, now=now)


@transaction.atomic
def appointment_cancel_by_care_team(
    *, appointment: Appointment, by: User, note: str, now: dt.datetime | None = None
) -> Appointment:
    """The visit's own physician (illness, an emergency), or a care coordinator on the patient's
    behalf (the patient phoned), cancels it at any time before it ends.
    The patient reads the note on their visits page and gets a neutral "update in your portal"
    email; a follow-up the visit was booked for is due again, and the visit-tomorrow reminder is
    skipped at send time because the visit is no longer booked."""
    now = now or timezone.now()
    note = (note or "").strip()
    # The rules are checked on the row as it is now, locked: the page the physician acted on may
    # be minutes old (the patient may have cancelled since).
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("patient__state").get(pk=appointment.pk)
    )
    if by.role not in CARE_TEAM_ROLES:
        raise PermissionDenied("Only the care team cancels visits for a patient.")
    if by.role == User.Role.PHYSICIAN and appointment.physician_id != by.pk:
        raise PermissionDenied("Only the visit's own physician can cancel it.")
    if not care_team_may_change(appointment, by, now=now):
        raise ValidationError(CANCEL_REFUSAL)
    if not note:
        raise ValidationError({"note": "Tell the patient why the visit is cancelled and what to do next."})
    if len(note) > CANCELLATION_NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note under {CANCELLATION_NOTE_MAX_LENGTH} characters."})
    appointment = appointment_cancel(appointment=appointment, by=by, now=now, enforce_cutoff=False)
    appointment.cancellation_note = note
    appointment.save(update_fields=["cancellation_note"])
    patient = appointment.patient
    portal_update_notify(user_id=patient.user_id, time_zone=patient.time_zone_name)
    return appointment


# --- Joining ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinResult:
    allowed: bool
    message: str


def join_is_open(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        appointment.status == Appointment.Status.BOOKED
        and appointment.starts_at - JOIN_OPENS_BEFORE <= now <= appointment.ends_at + JOIN_CLOSES_AFTER
    )


@transaction.atomic
def appointment_join(
    *,
    appointment: Appointment,
    user: User,
    state_code: str,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> JoinResult:
    """The patient confirms where they are right now (docs/domain.md "Service states and licenses", point 2).
    The visit goes ahead
    only if the physician holds a license there today; every confirmation, allowed or refused,
    is recorded. Refusal is a result, not an exception, so the record is kept."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("physician", "location_state")
        .get(pk=appointment.pk)
    )
    if appointment.patient.user_id != user.pk:
        raise PermissionDenied("Only the patient joins from here.")
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError("This visit is no longer booked.")
    zone = appointment.patient.time_zone_name
    if now < appointment.starts_at - JOIN_OPENS_BEFORE:
        opens = describe_moment(appointment.starts_at - JOIN_OPENS_BEFORE, zone)
        raise ValidationError(f"The video room opens 15 minutes before your visit, on {opens}.")
    if now > appointment.ends_at + JOIN_CLOSES_AFTER:
        raise ValidationError("This visit's time has passed. Please book a new visit or message your care team.")
    code = (state_code or "").upper()
    state = ServiceState.objects.filter(code=code, active=True).first()
    physician = appointment.physician
    allowed = physician_license_in(physician, state, moment=now) is not None
    VisitJoinAttempt.objects.create(
        appointment=appointment, user=user, stated_state_code=code[:2], allowed=allowed, ip_address=ip_address
    )
    if not allowed:
        where = state.name if state else US_STATE_NAMES.get(code, "that state")
        return JoinResult(
            allowed=False,
            message=(
                f"{physician.display_name} is not licensed in {where}, and a physician may only treat you "
                "in a state where they hold a license. The visit cannot take place while you are there. "
                f"If you can, join again once you are in {appointment.location_state.name}, or message your "
                "care team to arrange another time. In an emergency call 911."
            ),
        )
    if state.pk != appointment.location_state_id:
        # Where the visit actually took place is the location of record.
        appointment.location_state = state
        appointment.save(update_fields=["location_state"])
    return JoinResult(allowed=True, message="Thank you. Opening your video visit.")


# --- The video room -----------------------------------------------------------------------------


class RoomRefused(Exception):
    """Someone may not be in this visit's room. ``not_found`` when the visit is not theirs at all:
    they are told nothing about it."""

    def __init__(self, message: str, *, not_found: bool = False, attest: bool = False):
        super().__init__(message)
        self.message = message
        self.not_found = not_found
        self.attest = attest  # the patient must (again) confirm where they are


@dataclass(frozen=True)
class RoomPass:
    role: str  # VisitEvent.Role
    state_code: str  # the state the patient confirmed; the location of record for the physician


def room_pass(*, appointment: Appointment, user: User, mfa_completed: bool, now: dt.datetime | None = None) -> RoomPass:
    """Who may be in a visit's video room (docs/domain.md "The video room"), checked by the room
    page and again by the signaling socket:
    - only the visit's patient and its physician;
    - only while the room is open (15 minutes before the visit to 30 minutes after its end);
    - the patient, with an allowed "where are you now" answer for this visit, made within
      VIDEO_ATTESTATION_MINUTES (or that long before the physician let them into the call under
      way, so a long call or a reconnect does not ask again), and a physician licensed in that
      state on that state's day;
    - the physician, in a session that passed a second factor, licensed in the visit's state."""
    now = now or timezone.now()
    if user.is_authenticated and user.pk == appointment.physician_id:
        role = VisitEvent.Role.PHYSICIAN
    elif user.is_authenticated and user.pk == appointment.patient.user_id:
        role = VisitEvent.Role.PATIENT
    else:
        raise RoomRefused("Not found.", not_found=True)
    if appointment.status != Appointment.Status.BOOKED:
        raise RoomRefused("This visit is no longer booked, so its room is closed.")
    if now < appointment.starts_at - JOIN_OPENS_BEFORE:
        opens = describe_moment(appointment.starts_at - JOIN_OPENS_BEFORE, appointment.patient.time_zone_name)
        raise RoomRefused(f"The video room opens on {opens}.")
    if now > appointment.ends_at + JOIN_CLOSES_AFTER:
        raise RoomRefused("This visit's time has passed, so its room is closed.")
    if role == VisitEvent.Role.PHYSICIAN:
        if not mfa_completed:
            raise RoomRefused("Sign in with your authenticator code to open the video room.")
        state = appointment.location_state
        if physician_license_in(appointment.physician, state, moment=now) is None:
            raise RoomRefused(
                f"You hold no license active in {state.name} today, where this visit takes place, "
                "so the call cannot go ahead."
            )
        return RoomPass(role=role, state_code=state.code)
    attested = latest_attestation(appointment, user)
    freshness = dt.timedelta(minutes=settings.VIDEO_ATTESTATION_MINUTES)
    call_since = admitted_at(appointment)
    fresh = attested is not None and (
        now - attested.at <= freshness or (call_since is not None and call_since - attested.at <= freshness)
    )
    if not fresh:
        raise RoomRefused("Please confirm where you are right now before you join.", attest=True)
    if not attested.allowed:
        raise RoomRefused(
            "Your physician cannot see you in the state you named. Confirm where you are to try again.", attest=True
        )
    state = ServiceState.objects.filter(code=attested.stated_state_code, active=True).first()
    if state is None or physician_license_in(appointment.physician, state, moment=now) is None:
        raise RoomRefused(
            f"{appointment.physician.display_name} holds no license active in the state you named today, "
            "so the visit cannot take place there. Please message your care team.",
            attest=True,
        )
    return RoomPass(role=role, state_code=state.code)


def room_event_record(
    *, appointment: Appointment, user: User, room_pass: RoomPass, kind: str, now: dt.datetime | None = None
) -> VisitEvent:
    """Keep one fact about the room (who, what, when, from which confirmed state)."""
    if kind in (VisitEvent.Kind.ADMITTED, VisitEvent.Kind.ENDED) and room_pass.role != VisitEvent.Role.PHYSICIAN:
        raise PermissionDenied("Only the physician admits the patient or ends the call.")
    return VisitEvent.objects.create(
        appointment=appointment,
        user=user,
        role=room_pass.role,
        kind=kind,
        at=now or timezone.now(),
        state_code=room_pass.state_code,
    )


# --- The physician's side -----------------------------------------------------------------------


class Outcome:
    COMPLETED = Appointment.Status.COMPLETED
    NO_SHOW = Appointment.Status.NO_SHOW
    choices = [(COMPLETED, "Completed"), (NO_SHOW, "Patient did not attend")]


NOTE_MAX_LENGTH = 2000


def _checked_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the outcome note under {NOTE_MAX_LENGTH} characters."})
    return note


@transaction.atomic
def appointment_record_outcome(
    *, appointment: Appointment, physician: User, outcome: str, note: str = "", now: dt.datetime | None = None
) -> Appointment:
    """Mark a visit completed or a no-show, with an optional short note. The follow-up is then
    recomputed (``followup_sync``): a completed visit closes the one it satisfies and opens the
    next; a no-show leaves it due."""
    _require_physician(physician)
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("patient__state").get(pk=appointment.pk)
    )
    if appointment.physician_id != physician.pk:
        raise PermissionDenied("Only the visit's physician records its outcome.")
    if outcome not in (Outcome.COMPLETED, Outcome.NO_SHOW):
        raise ValidationError({"outcome": "Choose completed or did not attend."})
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError("This visit's outcome is already recorded, or it was cancelled.")
    if now < appointment.starts_at:
        raise ValidationError("The outcome can be recorded once the visit has started.")
    appointment.status = outcome
    appointment.note = _checked_note(note)
    appointment.outcome_recorded_at = now
    appointment.save(update_fields=["status", "note", "outcome_recorded_at"])
    # A completed visit satisfies the dose changes before it; a no-show leaves its follow-up due.
    followup_sync(patient=appointment.patient)
    return appointment


@transaction.atomic
def appointment_note_save(*, appointment: Appointment, physician: User, note: str) -> Appointment:
    """Write or correct the short note of a visit whose outcome is recorded (changes keep history)."""
    _require_physician(physician)
    appointment = Appointment.objects.select_for_update(of=("self",)).get(pk=appointment.pk)
    if appointment.physician_id != physician.pk:
        raise PermissionDenied("Only the visit's physician writes its note.")
    if appointment.status not in (Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW):
        raise ValidationError("Record whether the visit took place first.")
    appointment.note = _checked_note(note)
    appointment.save(update_fields=["note"])
    return appointment
