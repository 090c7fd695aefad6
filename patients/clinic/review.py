"""The chart's review mode: the screening flags of a pending intake, each with how serious it is
(docs/domain.md "Intake and screening").

The flags come from the screening function itself (patients.intake.screening.screen), run once per
rule on the answers that rule reads, on the day the intake was submitted: the physician reads the
same words the patient was given, each labelled as a contraindication, a washout wait or a caution."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from dataclasses import dataclass

from patients.intake import screening
from patients.intake.services import screening_answers_from
from patients.models import Intake


@dataclass(frozen=True)
class ScreeningFlag:
    level: str  # a screening outcome: not_eligible, deferred or needs_review
    label: str  # the badge's words (never colour alone)
    tone: str  # the badge's Bootstrap colour: text-bg-<tone>
    reason: str


LEVELS: dict[str, tuple[str, str]] = {
    screening.NOT_ELIGIBLE: ("Contraindication", "danger"),
    screening.DEFERRED: ("Opioid washout", "warning"),
    screening.NEEDS_REVIEW: ("Caution", "info"),
}

# The answers each screening rule reads together: the transplant rule reads the immunosuppressant
# answer too (both together make a contraindication).
RULE_ANSWERS: tuple[tuple[str, ...], ...] = (
    ("takes_opioids", "opioid_last_dose"),
    ("organ_transplant", "takes_immunosuppressants"),
    ("liver_disease",),
    ("hashimotos",),
)


def _submitted_day(intake: Intake, zone_name: str) -> dt.date:
    return intake.submitted_at.astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def screening_flags(intake: Intake, *, zone_name: str) -> list[ScreeningFlag]:
    """The intake's screening flags, the most serious first (none for a clear screening or an
    intake not submitted)."""
    if not intake.is_submitted:
        return []
    answers = screening_answers_from(intake)
    blank = screening.ScreeningAnswers()
    day = _submitted_day(intake, zone_name)
    flags = []
    for names in RULE_ANSWERS:
        only_these = dataclasses.replace(blank, **{name: getattr(answers, name) for name in names})
        result = screening.screen(only_these, today=day)
        if result.outcome == screening.ELIGIBLE:
            continue
        label, tone = LEVELS[result.outcome]
        flags += [ScreeningFlag(result.outcome, label, tone, reason) for reason in result.reasons]
    order = list(LEVELS)
    return sorted(flags, key=lambda flag: order.index(flag.level))
