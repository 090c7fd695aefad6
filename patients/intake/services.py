"""Writes and rules of the intake: each step saved as the patient goes, screening at submission,
the physician's review, and the waitlist of states not served."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from patients.intake.screening import ScreeningAnswers, screen
from patients.models import (
    CheckIn,
    Consent,
    Intake,
    Patient,
    ReviewStatus,
    ScreeningOutcome,
    WaitlistEntry,
)
from portal.access import physician_license_in
from portal.models import US_STATE_NAMES, ServiceState, User
from portal.notifications import email_render
from portal.reminders import portal_update_notify, sealed_email_send
from portal.tasks import publish_sends

# The order of the intake steps; "pharmacy" is served by the prescriptions app (it owns pharmacies).
INTAKE_STEPS: list[tuple[str, str]] = [
    ("about", "About you"),
    ("conditions", "Your conditions"),
    ("pain", "Your pain this week"),
    ("medications", "Medications"),
    ("history", "Health history"),
    ("allergies", "Allergies"),
    ("pharmacy", "Preferred pharmacy"),
    ("consents", "Consents"),
]


STEP_NAMES = [name for name, _ in INTAKE_STEPS]


# Versions of the consent texts in templates/patients/consents/; a new text gets a new version.
CONSENT_VERSIONS = {
    Consent.Kind.TELEHEALTH: "2026-01",
    Consent.Kind.OFF_LABEL: "2026-01",
    Consent.Kind.PRIVACY: "2026-01",
}


MINIMUM_AGE = 18


@transaction.atomic
def intake_ensure(*, patient: Patient) -> Intake:
    intake, _ = Intake.objects.get_or_create(patient=patient)
    return intake


def _mark_step(intake: Intake, step: str) -> None:
    if step not in intake.completed_steps:
        intake.completed_steps = [s for s in STEP_NAMES if s in {*intake.completed_steps, step}]


def _refuse_if_submitted(intake: Intake) -> None:
    if intake.is_submitted:
        raise ValidationError(
            "Your intake has already been submitted. To change an answer, send a message to your care team."
        )


def served_state_for(code: str) -> ServiceState | None:
    return ServiceState.objects.filter(code=code, active=True).first()


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def intake_save_about(*, patient: Patient, data: dict[str, Any]) -> Patient:
    """Save the "about you" step. Residence must be an active service state (docs/domain.md "Service states and
    licenses", point 1):
    a person elsewhere is refused before any health question, and nothing is saved."""
    intake = Intake.objects.select_for_update().get(pk=intake_ensure(patient=patient).pk)
    _refuse_if_submitted(intake)
    state = served_state_for(data["state_code"])
    if state is None:
        name = US_STATE_NAMES.get(data["state_code"], data["state_code"])
        raise ValidationError(
            f"We are not able to treat people living in {name} yet, because our physicians are not "
            "licensed there. You can join the waitlist for your state.",
            code="unserved_state",
        )
    born = data["date_of_birth"]
    if age_on(born, patient.today()) < MINIMUM_AGE:
        raise ValidationError("You must be 18 or older to receive care from this practice.", code="too_young")
    for field in (
        "legal_first_name",
        "legal_last_name",
        "date_of_birth",
        "phone",
        "address_line1",
        "address_line2",
        "city",
        "postal_code",
    ):
        setattr(patient, field, data[field])
    patient.state = state
    patient.timezone = data.get("timezone") or state.timezone
    patient.full_clean()
    patient.save()
    _mark_step(intake, "about")
    intake.save()
    return patient


@transaction.atomic
def intake_save_step(*, patient: Patient, step: str, data: dict[str, Any]) -> Intake:
    """Save one health step of the intake. The first step must be done first: no health answer
    is kept for someone whose state of residence is not served."""
    if step not in STEP_FIELDS:
        raise ValidationError(f"Unknown intake step “{step}”.")
    intake = Intake.objects.select_for_update().get(pk=intake_ensure(patient=patient).pk)
    _refuse_if_submitted(intake)
    if not patient.is_in_served_state:
        raise ValidationError("Please tell us where you live first.", code="about_first")
    for field in STEP_FIELDS[step]:
        setattr(intake, field, data.get(field))
    if step == "medications" and not intake.takes_opioids:
        intake.opioid_names, intake.opioid_last_dose = "", None
    if step == "allergies" and intake.no_known_allergies:
        intake.allergies = ""
    _mark_step(intake, step)
    intake.save()
    return intake


@transaction.atomic
def intake_mark_step(*, patient: Patient, step: str) -> Intake:
    """Mark a step done that another app saved (the pharmacy choice lives in prescriptions)."""
    intake = Intake.objects.select_for_update().get(pk=intake_ensure(patient=patient).pk)
    _refuse_if_submitted(intake)
    _mark_step(intake, step)
    intake.save()
    return intake


@transaction.atomic
def intake_record_consents(*, patient: Patient, kinds: list[str], ip_address: str | None) -> list[Consent]:
    intake = Intake.objects.select_for_update().get(pk=intake_ensure(patient=patient).pk)
    _refuse_if_submitted(intake)
    missing = [k for k in CONSENT_VERSIONS if k not in kinds]
    if missing:
        labels = ", ".join(str(Consent.Kind(k).label).lower() for k in missing)
        raise ValidationError(f"Care can only start with every consent. Still needed: {labels}.")
    consents = []
    for kind, version in CONSENT_VERSIONS.items():
        consent, _ = Consent.objects.get_or_create(
            patient=patient, kind=kind, version=version, defaults={"ip_address": ip_address}
        )
        consents.append(consent)
    _mark_step(intake, "consents")
    intake.save()
    return consents


def intake_missing_steps(intake: Intake) -> list[str]:
    return [name for name in STEP_NAMES if name not in intake.completed_steps]


def screening_answers_from(intake: Intake) -> ScreeningAnswers:
    return ScreeningAnswers(
        takes_opioids=intake.takes_opioids,
        opioid_last_dose=intake.opioid_last_dose,
        takes_immunosuppressants=intake.takes_immunosuppressants,
        organ_transplant=intake.organ_transplant,
        liver_disease=intake.liver_disease,
        hashimotos=intake.hashimotos,
        takes_thyroid_medication=intake.takes_thyroid_medication,
    )


@transaction.atomic
def intake_submit(*, patient: Patient) -> Intake:
    """Freeze the intake, screen it, record the baseline PEG and queue it for physician review."""
    intake = Intake.objects.select_for_update().get(pk=intake_ensure(patient=patient).pk)
    _refuse_if_submitted(intake)
    if not patient.is_in_served_state:
        raise ValidationError("We do not serve your state of residence at the moment, so the intake cannot be sent.")
    missing = intake_missing_steps(intake)
    if missing:
        labels = dict(INTAKE_STEPS)
        raise ValidationError("Please finish these steps first: " + ", ".join(labels[s] for s in missing) + ".")
    result = screen(screening_answers_from(intake), today=patient.today())
    intake.screening_outcome = result.outcome
    intake.screening_reasons = result.reasons
    intake.deferred_until = result.deferred_until
    intake.submitted_at = timezone.now()
    intake.review_status = ReviewStatus.PENDING
    intake.save()
    CheckIn.objects.create(
        patient=patient,
        kind=CheckIn.Kind.BASELINE,
        pain=intake.peg_pain,
        enjoyment=intake.peg_enjoyment,
        activity=intake.peg_activity,
        recorded_at=intake.submitted_at,
    )
    return intake


class ReviewDecision:
    APPROVE = "approve"
    DECLINE = "decline"


@transaction.atomic
def intake_review(
    *, patient: Patient, physician: User, decision: str, note: str = "", override_reason: str = ""
) -> Intake:
    """A physician licensed in the patient's state approves or declines the intake. Approving a
    deferred or not-eligible screening is an override and needs a recorded reason."""
    if physician.role != User.Role.PHYSICIAN:
        raise PermissionDenied("Only physicians review intakes.")
    intake = Intake.objects.select_for_update().get(patient=patient)
    if physician_license_in(physician, patient.state) is None:
        raise PermissionDenied("You need an active license in the patient's state to review this intake.")
    if intake.review_status != ReviewStatus.PENDING:
        raise ValidationError("This intake is not waiting for review.")
    note, override_reason = note.strip(), override_reason.strip()
    if decision == ReviewDecision.APPROVE:
        today = patient.today()
        still_deferred = intake.deferred_until is not None and intake.deferred_until > today
        if (intake.screening_outcome == ScreeningOutcome.NOT_ELIGIBLE or still_deferred) and not override_reason:
            raise ValidationError(
                {"override_reason": "The screening did not clear this patient. Record why you approve anyway."}
            )
        intake.review_status = ReviewStatus.APPROVED
        intake.override_reason = override_reason
    elif decision == ReviewDecision.DECLINE:
        if not note:
            raise ValidationError({"note": "Say why the intake is declined; the patient's care team will see it."})
        intake.review_status = ReviewStatus.DECLINED
    else:
        raise ValidationError("Choose approve or decline.")
    intake.review_note = note
    intake.reviewed_by = physician
    intake.reviewed_at = timezone.now()
    intake.save()
    portal_update_notify(user_id=patient.user_id, time_zone=patient.time_zone_name)
    return intake


@transaction.atomic
def waitlist_join(*, email: str, state_code: str) -> WaitlistEntry:
    """Keep only an email and a state (no health data) for someone in a state not served."""
    state_code = (state_code or "").upper()
    if state_code not in US_STATE_NAMES:
        raise ValidationError({"state_code": "Choose your state from the list."})
    if served_state_for(state_code):
        raise ValidationError(
            {"state_code": f"Good news: we already serve {US_STATE_NAMES[state_code]}. Create an account to start."}
        )
    entry, _ = WaitlistEntry.objects.get_or_create(email=email.strip().lower(), state_code=state_code)
    return entry


# Which Intake fields each health step writes.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "conditions": ("conditions", "condition_other"),
    "pain": ("peg_pain", "peg_enjoyment", "peg_activity"),
    "medications": (
        "takes_opioids",
        "opioid_names",
        "opioid_last_dose",
        "takes_immunosuppressants",
        "immunosuppressant_names",
        "takes_thyroid_medication",
        "thyroid_medication_names",
        "other_medications",
    ),
    "history": ("organ_transplant", "liver_disease", "hashimotos"),
    "allergies": ("no_known_allergies", "allergies"),
}


WAITLIST_KIND = "waitlist-state-served"


@transaction.atomic
def waitlist_notify_state_served(*, state: ServiceState) -> int:
    """The practice now serves ``state``: tell everyone on its waitlist, once, with an email that
    says only that and how to sign up. Returns how many were told."""
    if not state.active:
        return 0
    entries = list(WaitlistEntry.objects.select_for_update().filter(state_code=state.code, notified_at__isnull=True))
    for entry in entries:
        subject, text, html = email_render(
            "waitlist-state-served", {"state": state.name, "site_url": settings.SITE_URL}
        )
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [entry.email])
        message.attach_alternative(html, "text/html")
        recipient = User.objects.filter(email__iexact=entry.email).first()
        sealed_email_send(message, kind=WAITLIST_KIND, recipient=recipient, publish=publish_sends)
    WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries]).update(notified_at=timezone.now())
    return len(entries)


def state_saved(sender, instance: ServiceState, **kwargs) -> None:
    """``post_save`` of a service state: once it is served, its waitlist hears about it."""
    if instance.active:
        transaction.on_commit(lambda: waitlist_notify_state_served(state=instance))
