from patients.models.booking import (
    Appointment,
    PhysicianProfile,
    TimeOff,
    VisitJoinAttempt,
    VisitType,
    Weekday,
    WeeklyAvailability,
)
from patients.models.checkins import CheckIn, SideEffect
from patients.models.followups import FollowUp
from patients.models.intake import Condition, Consent, Intake, ReviewStatus, ScreeningOutcome
from patients.models.messaging import Attachment, Message, Thread, ThreadReadMarker
from patients.models.record import Patient, TreatmentPhase, WaitlistEntry

__all__ = [
    "Appointment",
    "Attachment",
    "CheckIn",
    "Condition",
    "FollowUp",
    "Consent",
    "Intake",
    "Message",
    "Patient",
    "PhysicianProfile",
    "ReviewStatus",
    "ScreeningOutcome",
    "SideEffect",
    "Thread",
    "ThreadReadMarker",
    "TimeOff",
    "TreatmentPhase",
    "VisitJoinAttempt",
    "VisitType",
    "WaitlistEntry",
    "Weekday",
    "WeeklyAvailability",
]
