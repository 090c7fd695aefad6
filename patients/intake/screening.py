"""Contraindication screening: one pure function over the intake answers (docs/domain.md "Intake and screening").

No database, no clock: the caller passes the answers and "today" in the patient's time zone, so
every rule can be tested exhaustively, boundary days included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from patients.models.intake import OPIOID_WASHOUT_DAYS

ELIGIBLE = "eligible"
NEEDS_REVIEW = "needs_review"
DEFERRED = "deferred"
NOT_ELIGIBLE = "not_eligible"

# The most restrictive outcome wins; every reason is still reported.
_SEVERITY = {ELIGIBLE: 0, NEEDS_REVIEW: 1, DEFERRED: 2, NOT_ELIGIBLE: 3}


@dataclass(frozen=True)
class ScreeningAnswers:
    takes_opioids: bool = False
    opioid_last_dose: dt.date | None = None
    takes_immunosuppressants: bool = False
    organ_transplant: bool = False
    liver_disease: bool = False
    hashimotos: bool = False
    takes_thyroid_medication: bool = False


@dataclass(frozen=True)
class ScreeningResult:
    outcome: str
    reasons: list[str] = field(default_factory=list)
    deferred_until: dt.date | None = None


def screen(answers: ScreeningAnswers, *, today: dt.date) -> ScreeningResult:
    outcome = ELIGIBLE
    reasons: list[str] = []
    deferred_until = None

    def worsen(candidate: str, reason: str) -> None:
        nonlocal outcome
        reasons.append(reason)
        if _SEVERITY[candidate] > _SEVERITY[outcome]:
            outcome = candidate

    if answers.takes_opioids:
        last_dose = answers.opioid_last_dose or today
        earliest = last_dose + dt.timedelta(days=OPIOID_WASHOUT_DAYS)
        if earliest > today:
            deferred_until = earliest
            worsen(
                DEFERRED,
                f"You took an opioid on {last_dose:%B %-d, %Y}. LDN blocks opioids and would bring on "
                f"withdrawal, so treatment can start {OPIOID_WASHOUT_DAYS} days after the last dose, "
                f"on {earliest:%B %-d, %Y} at the earliest.",
            )

    if answers.organ_transplant and answers.takes_immunosuppressants:
        worsen(
            NOT_ELIGIBLE,
            "You have had an organ transplant and take immunosuppressants. LDN can act on the immune "
            "system, so it is generally avoided; only a physician can make an exception.",
        )
    elif answers.organ_transplant:
        worsen(NEEDS_REVIEW, "You have had an organ transplant; a physician will review this with you.")

    if answers.liver_disease:
        worsen(
            NEEDS_REVIEW,
            "You reported acute hepatitis or liver failure; a physician needs to assess your liver health first.",
        )
    if answers.hashimotos:
        worsen(
            NEEDS_REVIEW,
            "You have Hashimoto's thyroiditis; LDN can change how much thyroid medication you need, "
            "so a physician will plan for closer monitoring.",
        )

    return ScreeningResult(outcome=outcome, reasons=reasons, deferred_until=deferred_until)


def washout_refusal(deferred_until: dt.date | None, first_dose_on: dt.date) -> str | None:
    """Why LDN may not start on ``first_dose_on``, or None. The opioid washout ends on
    ``deferred_until``: naltrexone taken with opioids still on board can set off withdrawal, so no
    approval override shortens it (docs/domain.md "Intake and screening")."""
    if deferred_until is None or first_dose_on >= deferred_until:
        return None
    when = f"{deferred_until:%B %-d, %Y}"
    return (
        f"The opioid washout lasts until {when}: the first dose of LDN cannot come before then, even with an "
        f"approval override. Choose {when} or later."
    )
