"""Demo visits and messages: physicians' time zones and weekly hours (open times in the next two
weeks), a few visits (one open now, one tomorrow, one past and completed with a note and what its video
room recorded) and conversations between
demo patients and their care team. Called at the end of ``patients.demo.seed``; idempotent."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from education.models import Article
from patients.models import (
    Appointment,
    Message,
    Patient,
    PhysicianProfile,
    Thread,
    ThreadReadMarker,
    TimeOff,
    VisitEvent,
    VisitJoinAttempt,
    VisitNote,
    VisitType,
    WeeklyAvailability,
)
from patients.visitnotes.services import visit_note_addendum_add, visit_note_save_draft, visit_note_sign
from portal.demo import demo_email
from portal.models import ServiceState, User

WEEKDAYS = range(0, 5)

PHYSICIAN_ZONES = {"dr.rivera": "America/Chicago", "dr.chen": "America/Chicago", "dr.okafor": "America/New_York"}

# local part → [(weekday, start, end)] in the physician's own zone
HOURS = {
    "dr.rivera": [
        *[(day, dt.time(9), dt.time(12)) for day in WEEKDAYS],
        *[(day, dt.time(13), dt.time(16)) for day in WEEKDAYS],
        (5, dt.time(9), dt.time(12)),
    ],
    "dr.chen": [(day, dt.time(10), dt.time(15)) for day in range(0, 4)],
    "dr.okafor": [(day, dt.time(8), dt.time(11)) for day in (0, 2, 4)],
}

THREADS = [
    # patient, physician, subject, [(hours ago, from patient?, body, article slug)]
    (
        "maria.lopez",
        "dr.rivera",
        "Vivid dreams since starting",
        [
            (72, True, "Since I started the 1.5 mg dose I have had very vivid dreams. Is that normal?", ""),
            (
                50,
                False,
                "Yes, vivid dreams are common in the first weeks and usually fade. If they bother you, take "
                "the dose in the morning for a few days and tell me how it goes. This article explains more.",
                "side-effects",
            ),
            (2, True, "Thank you, I will try the morning dose this week.", ""),
        ],
    ),
    (
        "james.carter",
        "dr.chen",
        "Question about my thyroid medicine",
        [(20, True, "Should I keep taking my levothyroxine while my intake is being reviewed?", "")],
    ),
    (
        "maria.lopez",
        "nora.quinn",
        "Receipt for my visit",
        [
            (30, True, "Could I get a receipt for my first visit for my HSA?", ""),
            (26, False, "Of course. I have asked the practice office to prepare it; it will be in your portal.", ""),
            (3, True, "Thanks! Also, can my next visit be later in the day?", ""),
        ],
    ),
]


def _user(local: str) -> User | None:
    return User.objects.filter(email=demo_email(local)).first()


def _patient(local: str) -> Patient | None:
    return Patient.objects.select_related("state").filter(user__email=demo_email(local)).first()


def _at(day: dt.date, hour: int, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)


def _seed_hours(today: dt.date) -> None:
    for local, zone in PHYSICIAN_ZONES.items():
        physician = _user(local)
        if physician is None:
            continue
        PhysicianProfile.objects.update_or_create(physician=physician, defaults={"timezone": zone})
        for weekday, start, end in HOURS[local]:
            WeeklyAvailability.objects.get_or_create(
                physician=physician, weekday=weekday, start_time=start, end_time=end
            )
    chen = _user("dr.chen")
    if chen is not None:
        # A day off in the second week shows how time off removes open times.
        day_off = today + dt.timedelta(days=8)
        TimeOff.objects.update_or_create(
            physician=chen,
            reason="Conference (demo)",
            defaults={"starts_at": _at(day_off, 0, "America/Chicago"), "ends_at": _at(day_off, 23, "America/Chicago")},
        )


def _place(*, patient: Patient, physician: User, kind: str, state_code: str, starts_at: dt.datetime, status: str):
    """The demo's visit of this patient in this status: moved to ``starts_at`` if it exists."""
    visit_type = VisitType.objects.get(kind=kind)
    ends_at = starts_at + dt.timedelta(minutes=visit_type.duration_minutes)
    appointment = Appointment.objects.filter(patient=patient, status=status).order_by("pk").first()
    if appointment is None:
        appointment = Appointment(patient=patient, status=status)
    if (appointment.starts_at, appointment.ends_at) != (starts_at, ends_at):
        appointment.physician = physician
        appointment.visit_type = visit_type
        appointment.location_state = ServiceState.objects.get(code=state_code)
        appointment.starts_at, appointment.ends_at = starts_at, ends_at
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError:
            # Someone booked that hour through the portal since the last seeding: keep theirs.
            return None
    return appointment


def _seed_visits(today: dt.date) -> None:
    rivera, chen = _user("dr.rivera"), _user("dr.chen")
    maria, james = _patient("maria.lopez"), _patient("james.carter")
    if rivera and maria:
        past = _place(
            patient=maria,
            physician=rivera,
            kind=VisitType.Kind.INITIAL,
            state_code="TX",
            starts_at=_at(today - dt.timedelta(days=18), 10, "America/Chicago"),
            status=Appointment.Status.COMPLETED,
        )
        if past is not None and not past.note:
            Appointment.objects.filter(pk=past.pk).update(
                note="Seen by video from Texas, on time. The clinical record is the visit note.",
                outcome_recorded_at=past.ends_at,
            )
        _place(
            patient=maria,
            physician=rivera,
            kind=VisitType.Kind.FOLLOW_UP,
            state_code="TX",
            starts_at=_at(today + dt.timedelta(days=1), 10, "America/Chicago"),
            status=Appointment.Status.BOOKED,
        )
        cancelled = _place(
            patient=maria,
            physician=rivera,
            kind=VisitType.Kind.FOLLOW_UP,
            state_code="TX",
            starts_at=_at(today - dt.timedelta(days=5), 14, "America/Chicago"),
            status=Appointment.Status.CANCELLED,
        )
        if cancelled is not None and not cancelled.cancellation_note:
            Appointment.objects.filter(pk=cancelled.pk).update(
                cancelled_at=cancelled.starts_at - dt.timedelta(hours=3),
                cancelled_by=rivera,
                cancellation_note="I was called to an emergency and could not keep this visit. "
                "Please book another time that suits you; I am sorry for the change.",
            )
        if past is not None:
            _seed_room_history(past, patient=maria, physician=rivera)
            _seed_signed_note(past, physician=rivera)
    if chen and james:
        # Starts at the last quarter hour, so its video room is open for about an hour after seeding:
        # sign in as James and as Dr. Chen in two browsers to try it (README "Demo").
        now = timezone.now()
        open_now = _place(
            patient=james,
            physician=chen,
            kind=VisitType.Kind.INITIAL,
            state_code="IL",
            starts_at=now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0),
            status=Appointment.Status.BOOKED,
        )
        if (
            open_now is not None
            and open_now.physician_id == chen.pk
            and not VisitNote.objects.filter(appointment=open_now).exists()
        ):
            # Dr. Chen writes as they talk: a draft the patient does not see.
            visit_note_save_draft(
                appointment=open_now,
                physician=chen,
                subjective="Widespread pain for six years, worse in the mornings; sleep broken.",
                assessment="Fibromyalgia; Hashimoto's on levothyroxine (watch thyroid dose on LDN).",
            )


def _seed_signed_note(visit: Appointment, *, physician: User) -> None:
    """Maria's first visit: a signed note with her summary, and one addendum written two days later,
    through the services that sign them (the patient is told her summary is ready)."""
    if visit.physician_id != physician.pk or VisitNote.objects.filter(appointment=visit).exists():
        return
    visit_note_save_draft(
        appointment=visit,
        physician=physician,
        now=visit.ends_at,
        subjective="Left arm CRPS after a wrist fracture three years ago, burning pain 7/10, poor sleep. "
        "Gabapentin helped little. No opioids for over a year.",
        assessment="CRPS type I of the left upper limb with neuropathic features; PEG 7.3. Good LDN candidate: "
        "no opioids, kidney and liver function normal.",
        plan="Start LDN oral liquid, standard titration 1.5 → 3.0 → 4.5 mg at bedtime, starting the day after "
        "the medicine arrives. Weekly check-ins; follow-up in two weeks.",
        summary_decided="We will start low-dose naltrexone as a liquid, in a small dose that goes up slowly "
        "over two weeks.",
        summary_next_steps="Start the day after your medicine arrives. Take it at bedtime and log a check-in "
        "each week. Tell us about vivid dreams or trouble sleeping.",
        summary_next_visit="In about two weeks: book a follow-up visit from your Visits page.",
    )
    note = visit_note_sign(appointment=visit, physician=physician, now=visit.ends_at + dt.timedelta(minutes=20))
    visit_note_addendum_add(
        note=note,
        author=physician,
        text="Called after the visit: she also takes gabapentin 300 mg at night. No interaction with LDN; "
        "continue both and review gabapentin at the follow-up.",
        now=visit.ends_at + dt.timedelta(days=2),
    )


def _seed_room_history(visit: Appointment, *, patient: Patient, physician: User) -> None:
    """What the room recorded of the completed visit: the location answer, who came and went."""
    VisitJoinAttempt.objects.filter(appointment=visit).delete()
    VisitEvent.objects.filter(appointment=visit).delete()
    start = visit.starts_at
    attempt = VisitJoinAttempt.objects.create(
        appointment=visit, user=patient.user, stated_state_code="TX", allowed=True
    )
    VisitJoinAttempt.objects.filter(pk=attempt.pk).update(at=start - dt.timedelta(minutes=4))
    for minutes, user, role, kind in (
        (-4, patient.user, VisitEvent.Role.PATIENT, VisitEvent.Kind.JOINED),
        (-1, physician, VisitEvent.Role.PHYSICIAN, VisitEvent.Kind.JOINED),
        (0, physician, VisitEvent.Role.PHYSICIAN, VisitEvent.Kind.ADMITTED),
        (38, physician, VisitEvent.Role.PHYSICIAN, VisitEvent.Kind.ENDED),
        (38, patient.user, VisitEvent.Role.PATIENT, VisitEvent.Kind.LEFT),
        (39, physician, VisitEvent.Role.PHYSICIAN, VisitEvent.Kind.LEFT),
    ):
        VisitEvent.objects.create(
            appointment=visit,
            user=user,
            role=role,
            kind=kind,
            at=start + dt.timedelta(minutes=minutes),
            state_code="TX",
        )


def _seed_threads() -> None:
    now = timezone.now()
    published = set(Article.objects.published().values_list("slug", flat=True))
    for patient_local, physician_local, subject, messages in THREADS:
        patient, physician = _patient(patient_local), _user(physician_local)
        if patient is None or physician is None:
            continue
        first_at = now - dt.timedelta(hours=messages[0][0])
        last_at = now - dt.timedelta(hours=messages[-1][0])
        thread, created = Thread.objects.get_or_create(
            patient=patient,
            subject=subject,
            defaults={"created_by": patient.user, "created_at": first_at, "last_message_at": last_at},
        )
        if not created:
            continue
        for hours_ago, from_patient, body, slug in messages:
            Message.objects.create(
                thread=thread,
                sender=patient.user if from_patient else physician,
                from_patient=from_patient,
                body=body,
                article_slug=slug if slug in published else "",
                created_at=now - dt.timedelta(hours=hours_ago),
            )
        # Each side has read up to its own last message; the newest from the other side is unread.
        for user, side in ((patient.user, True), (physician, False)):
            own = [now - dt.timedelta(hours=h) for h, from_patient, _, _ in messages if from_patient == side]
            if own:
                ThreadReadMarker.objects.create(thread=thread, user=user, last_read_at=max(own))


def seed_booking(today: dt.date) -> None:
    _seed_hours(today)
    _seed_visits(today)
    _seed_threads()
