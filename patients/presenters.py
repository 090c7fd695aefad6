"""What the clinic's lists show per row, worked out in Python: a list page renders 25 rows, and
each attribute, method and tag a template resolves per row costs more than the same work here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from patients.models import ReviewStatus, TreatmentPhase
from patients.models.record import patient_name
from patients.templatetags.care_tags import screening_badge
from portal.links import record_url

REVIEW_LABELS = dict(ReviewStatus.choices)
PHASE_LABELS = dict(TreatmentPhase.choices)


@dataclass(frozen=True, slots=True)
class PatientRow:
    url: str
    name: str
    state_code: str
    review: str
    screening: SafeString
    phase: str


def patient_rows(rows) -> list[PatientRow]:
    """Rows of the clinic's patient list, from the values ``patient_list_rows`` reads."""
    result = []
    for pk, legal_first, legal_last, first, last, email, state_code, review, outcome, until, phase in rows:
        result.append(
            PatientRow(
                url=record_url("patients:chart", pk),
                name=patient_name(legal_first, legal_last, first, last, email),
                state_code=state_code or "—",
                review=REVIEW_LABELS.get(review, review) if review else "Intake not started",
                screening=screening_badge(outcome, until),
                phase=PHASE_LABELS.get(phase, phase),
            )
        )
    return result
