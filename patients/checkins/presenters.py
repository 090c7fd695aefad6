"""How a patient reads their progress: the change in their pain score since they started, in plain
words and two numbers to one decimal, never a percentage (docs/domain.md "Check-ins and response").
Physicians keep the PEG numbers and the percent change (``patients.checkins.peg``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


class Band:
    """The words for the change since the start, best first."""

    MORE_THAN_HALVED = "more than halved"
    ROUGHLY_HALVED = "roughly halved"
    ABOUT_A_THIRD = "dropped by about a third"
    A_LITTLE = "dropped a little"
    SAME = "stayed about the same"
    UP = "gone up"


# A fall of the score, as a share of where the patient started, and the band it reads as. Less
# than half a point either way on the 0–10 scale is "about the same" however small the start.
FALLS = (
    (Decimal("0.60"), Band.MORE_THAN_HALVED),
    (Decimal("0.40"), Band.ROUGHLY_HALVED),
    (Decimal("0.25"), Band.ABOUT_A_THIRD),
)
SAME_WITHIN = Decimal("0.5")


@dataclass(frozen=True)
class PainProgress:
    band: str  # one of Band's values: "Your pain score has {band} since you started"
    started: str  # "7.3"
    latest: str  # "3.3"

    @property
    def went_up(self) -> bool:
        return self.band == Band.UP

    @property
    def sentence(self) -> str:
        """The whole sentence as plain text (for places without markup, and for tests)."""
        return f"Your pain score has {self.band} since you started ({self.started} → {self.latest})."


def _one_decimal(score: float) -> Decimal:
    return Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def pain_progress(baseline: float | None, latest: float | None) -> PainProgress | None:
    """The change from the plan-start score ``baseline`` to the ``latest`` one, or None without both.
    Worked on the numbers as shown (one decimal), so the words always match them."""
    if baseline is None or latest is None:
        return None
    started, now = _one_decimal(baseline), _one_decimal(latest)
    difference = started - now
    if abs(difference) < SAME_WITHIN:
        band = Band.SAME
    elif difference < 0:
        band = Band.UP
    else:
        fall = difference / started
        band = next((words for share, words in FALLS if fall >= share), Band.A_LITTLE)
    return PainProgress(band=band, started=str(started), latest=str(now))
