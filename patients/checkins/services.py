"""Writes and rules of the PEG check-ins."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from patients.models import (
    CheckIn,
    Intake,
    Patient,
)


@transaction.atomic
def checkin_record(
    *,
    patient: Patient,
    pain: int,
    enjoyment: int,
    activity: int,
    side_effects: list[str],
    side_effect_other: str = "",
    note: str = "",
    kind: str = CheckIn.Kind.WEEKLY,
) -> CheckIn:
    intake = Intake.objects.filter(patient=patient).first()
    if intake is None or not intake.is_submitted:
        raise ValidationError("Finish your intake first; it records your starting pain scores.")
    if "other" in side_effects and not side_effect_other.strip():
        raise ValidationError({"side_effect_other": "Tell us what the other side effect is."})
    checkin = CheckIn(
        patient=patient,
        kind=kind,
        pain=pain,
        enjoyment=enjoyment,
        activity=activity,
        side_effects=side_effects,
        side_effect_other=side_effect_other.strip() if "other" in side_effects else "",
        note=note.strip(),
    )
    checkin.full_clean()
    checkin.save()
    return checkin
