"""Writes of the profile (docs/domain.md "Profile and moving"): contact details; allergies and
medicines changed after the intake, kept with their history and flagged on the chart; a physician
marking those changes reviewed; and moving to another state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients.checkins.triage import triage
from patients.intake.forms import PHONE_RE, ZIP_RE
from patients.models import Appointment, CareItem, HealthAnswerChange, Intake, Patient
from patients.models.intake import OPIOID_WASHOUT_DAYS
from patients.payments.services import CancellationRefund
from patients.profile.selectors import move_plan_for
from patients.safety.services import care_item_raise, opioid_exposure_reported
from patients.visits.services import appointment_cancel
from portal.access import physician_license_in
from portal.models import User

ANSWER_MAX_LENGTH = 2000
OPIOID_NAMES_MAX_LENGTH = 200


def _address_errors(*, address_line1: str, city: str, postal_code: str, **_) -> dict[str, str]:
    errors = {}
    if not address_line1:
        errors["address_line1"] = "Enter your street address."
    if not city:
        errors["city"] = "Enter your city or town."
    if not ZIP_RE.match(postal_code):
        errors["postal_code"] = "Enter a 5-digit ZIP code (or ZIP+4)."
    return errors


@transaction.atomic
def patient_contact_update(
    *, patient: Patient, phone: str, address_line1: str, address_line2: str, city: str, postal_code: str
) -> Patient:
    """Change the phone and the street address within the patient's state. The state itself only
    changes by moving (:func:`patient_move`), which re-checks licensure. The record's history keeps
    who changed what and when."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    values = {
        "phone": phone.strip(),
        "address_line1": address_line1.strip(),
        "address_line2": address_line2.strip(),
        "city": city.strip(),
        "postal_code": postal_code.strip(),
    }
    errors = _address_errors(**values)
    if not PHONE_RE.match(values["phone"]):
        errors["phone"] = "Enter a 10-digit US phone number, e.g. 512-555-0100."
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(patient, name, value)
    patient.full_clean()
    patient._change_reason = "Contact details changed in the profile"
    patient.save()
    return patient


@dataclass(frozen=True)
class HealthAnswersResult:
    changes: list[HealthAnswerChange]
    opioid_item: CareItem | None

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _health_errors(
    *,
    today: dt.date,
    no_known_allergies: bool,
    allergies: str,
    other_medications: str,
    takes_opioids: bool,
    opioid_names: str,
    opioid_last_dose: dt.date | None,
) -> dict[str, str]:
    errors = {}
    if no_known_allergies and allergies:
        errors["allergies"] = "You ticked “no known allergies” but also listed some: please choose one."
    elif not no_known_allergies and not allergies:
        errors["allergies"] = "List your allergies, or tick “I have no known allergies”."
    elif len(allergies) > ANSWER_MAX_LENGTH:
        errors["allergies"] = f"Keep your allergies under {ANSWER_MAX_LENGTH} characters."
    if len(other_medications) > ANSWER_MAX_LENGTH:
        errors["other_medications"] = f"Keep this list under {ANSWER_MAX_LENGTH} characters."
    if takes_opioids:
        if not opioid_names:
            errors["opioid_names"] = "Name the opioid medicine."
        elif len(opioid_names) > OPIOID_NAMES_MAX_LENGTH:
            errors["opioid_names"] = f"Keep the names under {OPIOID_NAMES_MAX_LENGTH} characters."
        if opioid_last_dose is None:
            errors["opioid_last_dose"] = "Enter the date of your last dose (today if you still take it)."
        elif opioid_last_dose > today:
            errors["opioid_last_dose"] = "That day is in the future: give the day you last took it."
    return errors


def _is_new_opioid_use(intake: Intake, *, was_taking: bool, last_before: dt.date | None) -> bool:
    """Opioid use the practice has not heard of: none was recorded, or the last dose is later
    than the one recorded."""
    if not intake.takes_opioids:
        return False
    return not was_taking or last_before is None or intake.opioid_last_dose > last_before


@transaction.atomic
def health_answers_update(
    *,
    patient: Patient,
    by: User,
    other_medications: str,
    no_known_allergies: bool,
    allergies: str,
    takes_opioids: bool,
    opioid_names: str = "",
    opioid_last_dose: dt.date | None = None,
) -> HealthAnswersResult:
    """Change the allergies and medicines given at the intake. The intake's history keeps each
    version (who and when); each topic that changed gets a :class:`HealthAnswerChange` the chart
    shows until a physician marks it reviewed. Opioid use not reported before is a re-screen, as in
    a check-in (docs/domain.md "Safety triage"): the washout moves to 14 days after the dose, the
    plan is held and an urgent item is raised, in this transaction."""
    intake = Intake.objects.select_for_update().filter(patient=patient).first()
    if intake is None or not intake.is_submitted:
        raise ValidationError("Your intake is still open: change these answers in the intake itself.")
    other_medications, allergies, opioid_names = other_medications.strip(), allergies.strip(), opioid_names.strip()
    errors = _health_errors(
        today=patient.today(),
        no_known_allergies=no_known_allergies,
        allergies=allergies,
        other_medications=other_medications,
        takes_opioids=takes_opioids,
        opioid_names=opioid_names,
        opioid_last_dose=opioid_last_dose,
    )
    if errors:
        raise ValidationError(errors)
    before = {HealthAnswerChange.Topic.ALLERGIES: intake.allergies_summary}
    before[HealthAnswerChange.Topic.MEDICINES] = intake.medicines_summary
    was_taking, last_before = intake.takes_opioids, intake.opioid_last_dose
    intake.other_medications = other_medications
    intake.no_known_allergies, intake.allergies = no_known_allergies, "" if no_known_allergies else allergies
    intake.takes_opioids = takes_opioids
    intake.opioid_names = opioid_names if takes_opioids else ""
    intake.opioid_last_dose = opioid_last_dose if takes_opioids else None
    after = {HealthAnswerChange.Topic.ALLERGIES: intake.allergies_summary}
    after[HealthAnswerChange.Topic.MEDICINES] = intake.medicines_summary
    changed_topics = [topic for topic in before if before[topic] != after[topic]]
    new_opioid_use = _is_new_opioid_use(intake, was_taking=was_taking, last_before=last_before)
    medicines = HealthAnswerChange.Topic.MEDICINES
    if new_opioid_use and medicines not in changed_topics:
        # A later dose of an opioid already on the list reads the same in the summary: the change
        # is the date of the last dose, and it is new opioid use all the same.
        if last_before:
            before[medicines] += f"\nOpioid last taken {last_before:%b %-d, %Y}"
        after[medicines] += f"\nOpioid last taken {intake.opioid_last_dose:%b %-d, %Y}"
        changed_topics.append(medicines)
    if not changed_topics:
        return HealthAnswersResult(changes=[], opioid_item=None)
    if new_opioid_use:
        # The same washout as the intake's screening and the check-in's re-screen
        # (docs/domain.md "Intake and screening", washout).
        until = intake.opioid_last_dose + dt.timedelta(days=OPIOID_WASHOUT_DAYS)
        if intake.deferred_until is None or until > intake.deferred_until:
            intake.deferred_until = until
    intake._change_reason = "Changed by the patient in the profile"
    intake.save()
    now = timezone.now()
    changes = [
        HealthAnswerChange.objects.create(
            patient=patient, topic=topic, before=before[topic], after=after[topic], changed_at=now, changed_by=by
        )
        for topic in changed_topics
    ]
    item = None
    if new_opioid_use:
        opioid_exposure_reported.send(sender=Patient, patient=patient, reported_on=patient.today())
        result = triage(opioid_use=True, red_flags=[], severity="", peg=0, baseline_peg=None)
        reasons = [
            *result.reasons,
            f"Reported in the profile: {intake.opioid_names}, last taken {intake.opioid_last_dose:%b %-d}: "
            f"LDN can restart on {intake.deferred_until:%b %-d, %Y} at the earliest",
        ]
        item = care_item_raise(patient=patient, priority=result.priority, reasons=reasons)
    return HealthAnswersResult(changes=changes, opioid_item=item)


@transaction.atomic
def health_answer_changes_review(*, patient: Patient, physician: User, change_ids: list[int]) -> int:
    """A physician licensed in the patient's state marks the changes they were shown as reviewed.
    Only the ids on the page they read are closed: a change made since stays flagged."""
    if physician.role != User.Role.PHYSICIAN or physician_license_in(physician, patient.state) is None:
        raise PermissionDenied("Only a physician licensed in the patient's state marks these changes reviewed.")
    rows = HealthAnswerChange.objects.select_for_update().filter(
        patient=patient, pk__in=change_ids, reviewed_at__isnull=True
    )
    count = rows.update(reviewed_at=timezone.now(), reviewed_by=physician)
    if not count:
        raise ValidationError("These changes were already marked reviewed.")
    return count


@dataclass(frozen=True)
class MoveResult:
    patient: Patient
    cancelled: list[Appointment]
    refunds: list[CancellationRefund]


@transaction.atomic
def patient_move(
    *,
    patient: Patient,
    by: User,
    state_code: str,
    address_line1: str,
    address_line2: str,
    city: str,
    postal_code: str,
    now: dt.datetime | None = None,
) -> MoveResult:
    """Move the patient's residence to another state, with the new address, in one transaction.

    Licensure is checked again here (docs/domain.md "Service states and licenses"): the state must
    be served and have a physician licensed there today, else nothing changes. Each upcoming visit
    whose physician holds no license in the new state on the visit's day is cancelled through the
    visits' cancel service (its payment under the cancellation policy, which the confirm page
    states per visit), so no visit across state lines stays booked and the chart moves at once to
    the physicians licensed where the patient lives. Times follow the new state's time zone. The
    record's history keeps who moved it, when, and from where."""
    now = now or timezone.now()
    patient = Patient.objects.select_for_update(of=("self",)).select_related("state").get(pk=patient.pk)
    plan = move_plan_for(patient, state_code, now=now)
    if plan.same_state:
        raise ValidationError(f"Your record already says you live in {plan.state_name}.", code="same_state")
    if not plan.served:
        raise ValidationError(
            f"We are not able to care for people living in {plan.state_name} yet, because none of our "
            "physicians is licensed there. Your state has not been changed.",
            code="unserved_state",
        )
    values = {
        "address_line1": address_line1.strip(),
        "address_line2": address_line2.strip(),
        "city": city.strip(),
        "postal_code": postal_code.strip(),
    }
    errors = _address_errors(**values)
    if errors:
        raise ValidationError(errors)
    cancelled, refunds = [], []
    for visit in plan.visits_to_cancel:
        visit = appointment_cancel(appointment=visit, by=by, now=now, enforce_cutoff=False)
        visit.cancellation_note = (
            f"Cancelled when you moved to {plan.state_name}: {visit.physician.display_name} is not licensed there. "
            f"Please book a new visit with a physician licensed in {plan.state_name}."
        )
        visit.save(update_fields=["cancellation_note"])
        cancelled.append(visit)
        if visit.refund.message:
            refunds.append(visit.refund)
    old_code = patient.state.code if patient.state_id else "none"
    for name, value in values.items():
        setattr(patient, name, value)
    patient.state = plan.state
    patient.timezone = plan.state.timezone
    patient.full_clean()
    patient._change_reason = f"Moved from {old_code} to {plan.state.code}"
    patient.save()
    return MoveResult(patient=patient, cancelled=cancelled, refunds=refunds)
