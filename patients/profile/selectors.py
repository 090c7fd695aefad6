"""Reads of the profile: the patient's own record, the health-answer changes waiting on the chart,
and what moving to another state would change (docs/domain.md "Profile and moving")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from patients.models import Appointment, HealthAnswerChange, Patient
from portal.access import licensure_day, physician_license_in, physicians_licensed_in
from portal.models import US_STATE_NAMES, ServiceState


def profile_patient_for(user) -> Patient | None:
    """The signed-in patient's own record with its state and intake (None before they have one).
    A patient only ever reaches their own profile: there is no id in its URLs."""
    return Patient.objects.select_related("state", "intake", "user").filter(user=user).first()


def open_health_answer_changes(patient: Patient) -> QuerySet[HealthAnswerChange]:
    """The changes the patient made to allergies or medicines that no physician has marked
    reviewed yet, oldest first (shown on the chart to the care team of the patient's state)."""
    return HealthAnswerChange.objects.filter(patient=patient, reviewed_at__isnull=True).order_by("changed_at", "pk")


@dataclass(frozen=True)
class VisitAfterMove:
    appointment: Appointment
    licensed_there: bool


@dataclass(frozen=True)
class PharmacyAfterMove:
    """What happens to new medicine orders in the new state (docs/domain.md "Prescription
    orders": the preferred pharmacy when it is licensed for the ship-to state, else the practice's
    default pharmacy for that state)."""

    preferred_name: str = ""
    preferred_ships_there: bool = False
    default_name: str = ""


@dataclass(frozen=True)
class MovePlan:
    """What moving to ``state_code`` would change, as the confirm page says it. ``served`` is
    True only when the practice serves the state and a physician holds a license active there."""

    state_code: str
    state_name: str
    state: ServiceState | None
    served: bool
    same_state: bool
    visits: list[VisitAfterMove] = field(default_factory=list)
    pharmacy: PharmacyAfterMove = field(default_factory=PharmacyAfterMove)

    @property
    def visits_to_cancel(self) -> list[Appointment]:
        return [v.appointment for v in self.visits if not v.licensed_there]

    @property
    def visits_kept(self) -> list[Appointment]:
        return [v.appointment for v in self.visits if v.licensed_there]


def served_state_with_physician(code: str) -> ServiceState | None:
    """The active service state ``code`` when at least one physician holds a license active there
    today (on the state's own date), else None: the licensure re-check of a move."""
    state = ServiceState.objects.filter(code=(code or "").upper(), active=True).first()
    if state is None or not physicians_licensed_in(state):
        return None
    return state


def upcoming_visits_of(patient: Patient, *, now: dt.datetime) -> QuerySet[Appointment]:
    """The patient's booked visits that have not ended yet."""
    return (
        Appointment.objects.filter(patient=patient, status=Appointment.Status.BOOKED, ends_at__gt=now)
        .select_related("physician", "visit_type", "location_state")
        .order_by("starts_at")
    )


# Where new orders would go belongs to the prescriptions app, which registers it when it loads
# (docs/architecture.md "Apps and layers"): its routing rule is the one answer, here and at signing.
PharmacyAfterMoveSource = Callable[[Patient, ServiceState, dt.date], PharmacyAfterMove]
_pharmacy_after_move_source: PharmacyAfterMoveSource | None = None


def register_pharmacy_after_move_source(source: PharmacyAfterMoveSource) -> None:
    """Called once by ``prescriptions`` in ``AppConfig.ready`` (idempotent)."""
    global _pharmacy_after_move_source
    _pharmacy_after_move_source = source


def _pharmacy_after_move(patient: Patient, state: ServiceState) -> PharmacyAfterMove:
    if _pharmacy_after_move_source is None:
        return PharmacyAfterMove()
    return _pharmacy_after_move_source(patient, state, licensure_day(state))


def move_plan_for(patient: Patient, state_code: str, *, now: dt.datetime | None = None) -> MovePlan:
    """What moving ``patient`` to ``state_code`` would do: whether the practice can care for them
    there; each upcoming visit and whether its physician is licensed there on the visit's day
    (docs/domain.md "Service states and licenses"); where new orders would be sent."""
    now = now or timezone.now()
    code = (state_code or "").upper()
    name = US_STATE_NAMES.get(code, code)
    same = bool(patient.state_id and patient.state.code == code)
    state = served_state_with_physician(code)
    if state is None or same:
        return MovePlan(state_code=code, state_name=name, state=state, served=state is not None, same_state=same)
    visits = [
        VisitAfterMove(
            appointment=visit,
            licensed_there=physician_license_in(visit.physician, state, moment=visit.starts_at) is not None,
        )
        for visit in upcoming_visits_of(patient, now=now)
    ]
    return MovePlan(
        state_code=code,
        state_name=state.name,
        state=state,
        served=True,
        same_state=False,
        visits=visits,
        pharmacy=_pharmacy_after_move(patient, state),
    )
