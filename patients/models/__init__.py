from patients.models.booking import (
    Appointment,
    PhysicianProfile,
    TimeOff,
    VisitEvent,
    VisitJoinAttempt,
    VisitType,
    Weekday,
    WeeklyAvailability,
)
from patients.models.care import CareItem
from patients.models.checkins import CheckIn, RedFlag, Severity, SideEffect
from patients.models.followups import FollowUp
from patients.models.intake import Condition, Consent, Intake, ReviewStatus, ScreeningOutcome
from patients.models.messaging import Attachment, Message, Thread, ThreadReadMarker
from patients.models.record import Patient, TreatmentPhase, WaitlistEntry

__all__ = [
    "Appointment",
    "Attachment",
    "CareItem",
    "CheckIn",
    "Condition",
    "FollowUp",
    "Consent",
    "Intake",
    "Message",
    "Patient",
    "PhysicianProfile",
    "RedFlag",
    "ReviewStatus",
    "ScreeningOutcome",
    "Severity",
    "SideEffect",
    "Thread",
    "ThreadReadMarker",
    "TimeOff",
    "TreatmentPhase",
    "VisitEvent",
    "VisitJoinAttempt",
    "VisitType",
    "WaitlistEntry",
    "Weekday",
    "WeeklyAvailability",
]
