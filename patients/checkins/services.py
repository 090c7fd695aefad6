"""Writes and rules of the PEG check-ins, with the safety triage of their answers
(docs/domain.md "Safety triage")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from patients.checkins.selectors import plan_start_baseline
from patients.checkins.triage import Triage, triage
from patients.followups.services import treatment_start_day
from patients.models import CheckIn, Intake, Patient, RedFlag, Severity
from patients.models.intake import OPIOID_WASHOUT_DAYS
from patients.safety.services import care_item_raise, opioid_exposure_reported


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    triage: Triage


@transaction.atomic
def checkin_record(
    *,
    patient: Patient,
    pain: int,
    enjoyment: int,
    activity: int,
    side_effects: list[str],
    side_effect_other: str = "",
    side_effect_severity: str = "",
    opioid_use: bool | None = None,
    opioid_names: str = "",
    opioid_last_taken: dt.date | None = None,
    red_flags: list[str] | None = None,
    note: str = "",
    kind: str = CheckIn.Kind.WEEKLY,
) -> CheckInResult:
    """Save a check-in and act on its safety answers in the same transaction: opioid use holds the
    plan (through the plan app's receiver) and moves the washout; a red flag or opioid use raises
    an urgent item, severe side effects or a PEG rise of 2 points a review item."""
    intake = Intake.objects.select_for_update().filter(patient=patient).first()
    if intake is None or not intake.is_submitted:
        raise ValidationError("Finish your intake first; it records your starting pain scores.")
    red_flags = [flag for flag in RedFlag.values if flag in set(red_flags or [])]
    errors = {}
    if "other" in side_effects and not side_effect_other.strip():
        errors["side_effect_other"] = "Tell us what the other side effect is."
    if side_effect_severity and side_effect_severity not in Severity.values:
        errors["side_effect_severity"] = "Choose how bad the side effects were."
    if opioid_use and not opioid_names.strip():
        errors["opioid_names"] = "Tell us which opioid medicine you took."
    if opioid_use and opioid_last_taken is None:
        errors["opioid_last_taken"] = "Tell us the day you last took it (your best guess is fine)."
    if opioid_use and opioid_last_taken and opioid_last_taken > patient.today():
        errors["opioid_last_taken"] = "That day is in the future: give the day you last took it."
    if errors:
        raise ValidationError(errors)
    baseline = plan_start_baseline(patient, treatment_start_day(patient))
    checkin = CheckIn(
        patient=patient,
        kind=kind,
        pain=pain,
        enjoyment=enjoyment,
        activity=activity,
        side_effects=side_effects,
        side_effect_other=side_effect_other.strip() if "other" in side_effects else "",
        side_effect_severity=side_effect_severity,
        opioid_use=opioid_use,
        opioid_names=opioid_names.strip() if opioid_use else "",
        opioid_last_taken=opioid_last_taken if opioid_use else None,
        red_flags=red_flags,
        note=note.strip(),
    )
    checkin.full_clean()
    checkin.save()
    result = triage(
        opioid_use=opioid_use,
        red_flags=red_flags,
        severity=side_effect_severity,
        peg=checkin.score,
        baseline_peg=baseline.score if baseline else None,
    )
    reasons = list(result.reasons)
    if result.hold_for_opioids:
        # The check-in is a re-screen: the same washout as at intake, from the last dose reported.
        until = opioid_last_taken + dt.timedelta(days=OPIOID_WASHOUT_DAYS)
        if intake.deferred_until is None or until > intake.deferred_until:
            intake.deferred_until = until
            intake.save(update_fields=["deferred_until"])
        reasons.append(
            f"{checkin.opioid_names}, last taken {opioid_last_taken:%b %-d}: "
            f"LDN can restart on {until:%b %-d, %Y} at the earliest"
        )
        opioid_exposure_reported.send(sender=Patient, patient=patient, reported_on=patient.today())
    if result.raises_item:
        care_item_raise(patient=patient, priority=result.priority, reasons=reasons, checkin=checkin)
    return CheckInResult(checkin, result)
