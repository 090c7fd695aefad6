"""Safety triage of what a patient reports, as one pure function (docs/domain.md "Safety triage").

- Any opioid since the last check-in: LDN is held until a physician reviews it (naltrexone blocks
  opioids: taken together it can set off withdrawal, and the opioid does not relieve pain), the
  patient is told not to take LDN, and an urgent item is raised.
- A red flag (chest pain, trouble breathing, swelling of the face or throat, severe vomiting,
  signs of opioid withdrawal, thoughts of self-harm): the patient is shown at once what to do (911,
  988, the practice) and an urgent item is raised.
- Severe side effects, or a PEG score 2 points or more above the plan-start baseline (beyond the
  minimally important change of about 1–1.75 points): a review item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from patients.models import RedFlag, Severity

# PEG rise over the plan-start baseline that asks for a review: above the minimally important
# change of 1–1.75 points (Krebs et al. 2009).
PEG_RISE_FOR_REVIEW = 2.0


@dataclass(frozen=True)
class Triage:
    hold_for_opioids: bool = False
    show_emergency_advice: bool = False
    priority: str = ""  # "urgent", "review" or "" (nothing to raise)
    reasons: list[str] = field(default_factory=list)

    @property
    def raises_item(self) -> bool:
        return bool(self.priority)


def triage(
    *,
    opioid_use: bool | None,
    red_flags: Iterable[str],
    severity: str,
    peg: float,
    baseline_peg: float | None,
) -> Triage:
    flags = [flag for flag in RedFlag.values if flag in set(red_flags)]
    labels = dict(RedFlag.choices)
    reasons: list[str] = []
    if opioid_use:
        reasons.append("Opioid use reported: LDN held until a physician reviews it")
    if flags:
        reasons.append("Red flag: " + "; ".join(labels[flag] for flag in flags))
    urgent = bool(opioid_use or flags)
    if severity == Severity.SEVERE:
        reasons.append("Severe side effects")
    if baseline_peg is not None and peg - baseline_peg >= PEG_RISE_FOR_REVIEW:
        reasons.append(f"PEG {peg:g}, up {peg - baseline_peg:.1f} points from {baseline_peg:g} at the plan's start")
    priority = "urgent" if urgent else ("review" if reasons else "")
    return Triage(
        hold_for_opioids=bool(opioid_use),
        show_emergency_advice=bool(flags),
        priority=priority,
        reasons=reasons,
    )
