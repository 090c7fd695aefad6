"""Reads for the patient's home (``patient`` already scoped by patients.selectors): the getting
started checklist and its one next action (docs/domain.md "Getting started").

The prescription and the delivery live in ``prescriptions``, which imports this app and not the
other way round, so that app registers where their progress comes from
(:func:`register_medication_source`), as the follow-up rule does for dose changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from patients.models import Appointment, CheckIn, Patient, ReviewStatus, VisitType
from patients.visits.selectors import Slot, open_slots

# The first open time is looked for this far ahead; past it the patient picks on the booking page.
NEXT_SLOT_SEARCH_DAYS = 14


class Step:
    """The getting-started steps, in order."""

    INTAKE = "intake"
    FIRST_VISIT = "first_visit"
    PRESCRIPTION = "prescription"
    DELIVERY = "delivery"
    FIRST_CHECKIN = "first_checkin"

    ORDER = (INTAKE, FIRST_VISIT, PRESCRIPTION, DELIVERY, FIRST_CHECKIN)


class Action:
    """What the one primary button of the current step does (or, for the waits, why there is none)."""

    INTAKE = "intake"
    PAY = "pay"
    BOOK = "book"
    VISIT_BOOKED = "visit_booked"  # no button: the visit is booked and paid
    CANNOT_BOOK = "cannot_book"  # no button: the state is no longer served
    WAIT_PRESCRIPTION = "wait_prescription"  # no button: the physician writes the prescription
    TRACK = "track"
    CONFIRM_ARRIVAL = "confirm_arrival"  # the medication card's own "My medication arrived" button
    CHECKIN = "checkin"

    WITHOUT_BUTTON = frozenset({VISIT_BOOKED, CANNOT_BOOK, WAIT_PRESCRIPTION, CONFIRM_ARRIVAL})


@dataclass(frozen=True)
class MedicationProgress:
    """How far the prescription and its delivery have come, as the prescriptions app tells it."""

    prescribed: bool = False  # a signed order or a titration plan exists
    delivered: bool = False  # the pharmacy delivered, or the patient said it arrived, or the plan began
    shipped: bool = False
    awaiting_arrival: bool = False  # the medication card asks "My medication arrived"
    order_pk: int | None = None
    tracking_url: str = ""


MedicationSource = Callable[[Patient], MedicationProgress]
_medication_source: MedicationSource | None = None


def register_medication_source(source: MedicationSource) -> None:
    """Called once by ``prescriptions`` in ``AppConfig.ready`` (idempotent)."""
    global _medication_source
    _medication_source = source


def medication_progress_of(patient: Patient) -> MedicationProgress:
    return _medication_source(patient) if _medication_source else MedicationProgress()


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    state: str  # "done", "current" or "next"


@dataclass(frozen=True)
class Onboarding:
    steps: list[ChecklistStep]
    current: str
    action: str
    next_slot: Slot | None = None
    booked_visit: Appointment | None = None
    medication: MedicationProgress = MedicationProgress()
    intake_started: bool = False

    @property
    def has_button(self) -> bool:
        return self.action not in Action.WITHOUT_BUTTON


def _steps(current: str) -> list[ChecklistStep]:
    position = Step.ORDER.index(current)
    return [
        ChecklistStep(key, "done" if i < position else "current" if i == position else "next")
        for i, key in enumerate(Step.ORDER)
    ]


def next_open_slot(patient: Patient, *, now: dt.datetime | None = None) -> Slot | None:
    """The earliest time the patient could book their first visit (the initial consultation), in
    the state they live in."""
    if not patient.is_in_served_state:
        return None
    now = now or timezone.now()
    slots = open_slots(
        state=patient.state,
        visit_type=VisitType.objects.get(kind=VisitType.Kind.INITIAL),
        start=now,
        end=now + dt.timedelta(days=NEXT_SLOT_SEARCH_DAYS),
        now=now,
    )
    return slots[0] if slots else None


def _first_visit(patient: Patient, now: dt.datetime) -> tuple[bool, Appointment | None]:
    """Whether a visit took place, and the first upcoming booked one (one query)."""
    visits = list(
        Appointment.objects.filter(patient=patient)
        .filter(status__in=(Appointment.Status.COMPLETED, Appointment.Status.BOOKED))
        .only("status", "starts_at", "ends_at", "patient_id")
        .order_by("starts_at", "pk")
    )
    completed = any(v.status == Appointment.Status.COMPLETED for v in visits)
    booked = next((v for v in visits if v.status == Appointment.Status.BOOKED and v.ends_at > now), None)
    return completed, booked


def onboarding_for(patient: Patient | None, *, payment_due: bool, now: dt.datetime | None = None) -> Onboarding | None:
    """The getting-started checklist of the patient's home, or None once every step is done (or
    when a physician could not approve treatment: the home says so instead). Steps in order:
    intake, first video visit, prescription, delivery, first check-in; the first step not done is
    the current one, and it names the one next action. A few queries, whatever the history."""
    now = now or timezone.now()
    intake = getattr(patient, "intake", None) if patient else None
    if patient is None or intake is None or intake.submitted_at is None:
        return Onboarding(
            _steps(Step.INTAKE),
            Step.INTAKE,
            Action.INTAKE,
            intake_started=bool(intake and intake.completed_steps),
        )
    if intake.review_status == ReviewStatus.DECLINED:
        return None

    visited, booked = _first_visit(patient, now)
    if not visited:
        if payment_due:
            action = Action.PAY
        elif booked is not None:
            action = Action.VISIT_BOOKED
        elif not patient.is_in_served_state:
            action = Action.CANNOT_BOOK
        else:
            return Onboarding(
                _steps(Step.FIRST_VISIT), Step.FIRST_VISIT, Action.BOOK, next_slot=next_open_slot(patient, now=now)
            )
        return Onboarding(_steps(Step.FIRST_VISIT), Step.FIRST_VISIT, action, booked_visit=booked)

    medication = medication_progress_of(patient)
    if not medication.prescribed:
        return Onboarding(_steps(Step.PRESCRIPTION), Step.PRESCRIPTION, Action.WAIT_PRESCRIPTION, medication=medication)
    if not medication.delivered:
        action = Action.CONFIRM_ARRIVAL if medication.awaiting_arrival else Action.TRACK
        return Onboarding(_steps(Step.DELIVERY), Step.DELIVERY, action, medication=medication)
    checked_in = CheckIn.objects.filter(patient=patient).exclude(kind=CheckIn.Kind.BASELINE).exists()
    if not checked_in:
        return Onboarding(_steps(Step.FIRST_CHECKIN), Step.FIRST_CHECKIN, Action.CHECKIN, medication=medication)
    return None
