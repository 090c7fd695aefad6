from patients.models.billing import Fee, FeeSchedule, GoodFaithEstimate, Payment, StripeEvent, Superbill
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
from patients.models.followups import FollowUp, RecallContact
from patients.models.intake import Condition, Consent, Intake, ReviewStatus, ScreeningOutcome
from patients.models.messaging import Attachment, Message, Thread, ThreadReadMarker
from patients.models.profile import HealthAnswerChange
from patients.models.record import Patient, TreatmentPhase, WaitlistEntry
from patients.models.visit_notes import VisitNote, VisitNoteAddendum

__all__ = [
    "Superbill",
    "StripeEvent",
    "Payment",
    "GoodFaithEstimate",
    "FeeSchedule",
    "Fee",
    "Appointment",
    "Attachment",
    "CareItem",
    "CheckIn",
    "Condition",
    "FollowUp",
    "HealthAnswerChange",
    "RecallContact",
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
    "VisitNote",
    "VisitNoteAddendum",
    "VisitType",
    "WaitlistEntry",
    "Weekday",
    "WeeklyAvailability",
]
