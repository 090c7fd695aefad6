"""Treatment response from PEG-3 scores (docs/domain.md "Check-ins and response").

Response is the percentage fall of the PEG score from the baseline: a 30 % fall is a meaningful
response and 50 % a strong one (IMMPACT: Dworkin et al., J Pain 2008)."""

from __future__ import annotations

from dataclasses import dataclass

MEANINGFUL = 30.0
STRONG = 50.0


@dataclass(frozen=True)
class Response:
    percent_change: float | None  # positive = improvement (PEG went down)
    label: str


def peg_response(baseline: float | None, current: float | None) -> Response:
    if baseline is None or current is None:
        return Response(None, "No check-in yet")
    if baseline == 0:
        return Response(None, "Baseline was 0: no improvement can be measured")
    change = round((baseline - current) / baseline * 100, 1)
    if change >= STRONG:
        label = "Strong response (≥ 50 %)"
    elif change >= MEANINGFUL:
        label = "Meaningful response (≥ 30 %)"
    elif change > 0:
        label = "Some improvement (< 30 %)"
    elif change == 0:
        label = "No change"
    else:
        label = "Worse than baseline"
    return Response(change, label)
