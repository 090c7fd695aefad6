"""What the clinic's lists show per row, worked out in Python: a list page renders 25 rows, and
each attribute, method and tag a template resolves per row costs more than the same work here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from patients.templatetags.care_tags import screening_badge
from portal.links import record_url


@dataclass(frozen=True, slots=True)
class PatientRow:
    url: str
    name: str
    state_code: str
    review: str
    screening: SafeString
    phase: str


def patient_rows(patients) -> list[PatientRow]:
    """Rows of the clinic's patient list (``patients`` from ``patient_list_rows``)."""
    rows = []
    for patient in patients:
        intake = getattr(patient, "intake", None)
        rows.append(
            PatientRow(
                url=record_url("patients:chart", patient.pk),
                name=patient.full_name,
                state_code=patient.state.code if patient.state_id else "—",
                review=intake.get_review_status_display() if intake else "Intake not started",
                screening=screening_badge(
                    intake.screening_outcome if intake else None, intake.deferred_until if intake else None
                ),
                phase=patient.get_treatment_phase_display(),
            )
        )
    return rows
