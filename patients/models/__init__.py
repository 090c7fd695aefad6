from patients.models.checkins import CheckIn, SideEffect
from patients.models.followups import FollowUp
from patients.models.intake import Condition, Consent, Intake, ReviewStatus, ScreeningOutcome
from patients.models.record import Patient, TreatmentPhase, WaitlistEntry

__all__ = [
    "CheckIn",
    "Condition",
    "FollowUp",
    "Consent",
    "Intake",
    "Patient",
    "ReviewStatus",
    "ScreeningOutcome",
    "SideEffect",
    "TreatmentPhase",
    "WaitlistEntry",
]
