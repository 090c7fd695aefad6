"""When the next follow-up visit is due, as a pure function of the patient's dose changes and the
days they were seen (docs/domain.md "Follow-ups").

- Every dose change (the start, each scheduled step, a new version's first day, a decrease) must
  be followed by a visit within the physician's chosen 7–28 days of it.
- A visit satisfies the changes made before its day. A visit before a later change (even one
  already scheduled) does not satisfy that later change; a visit on the day of a change does not
  either (the new dose has not been taken yet).
- Once every change has been followed by a visit, the patient is on their maintenance dose and
  has been seen on it: the next visit is due 90 days after the last one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# docs/domain.md "Follow-ups": 7–28 days after a change (14 by default), then every 90 days.
FOLLOWUP_MIN_DAYS, FOLLOWUP_MAX_DAYS, FOLLOWUP_DEFAULT_DAYS = 7, 28, 14
FOLLOWUP_STABLE_DAYS = 90

START, DOSE_CHANGE, STABLE = "start", "dose_change", "stable"


@dataclass(frozen=True)
class DoseChange:
    """A day the patient's dose changes, and how soon after it the plan asks for a visit."""

    day: dt.date
    due_in_days: int = FOLLOWUP_DEFAULT_DAYS
    is_start: bool = False


@dataclass(frozen=True)
class Obligation:
    """The follow-up the patient owes: ``reason`` (start, dose_change, stable), the day it counts
    from (the change, or the last visit for the 90-day cadence) and the day it is due."""

    reason: str
    counts_from: dt.date
    due_on: dt.date


def followup_obligation(changes: Iterable[DoseChange], seen_on: Iterable[dt.date]) -> Obligation | None:
    """The patient's open follow-up: the earliest dose change not yet followed by a visit or, when
    every change has been, 90 days after the last visit. None without any dose change."""
    changes = sorted(changes, key=lambda change: change.day)
    if not changes:
        return None
    last_seen = max(seen_on, default=None)
    for change in changes:
        if last_seen is None or last_seen <= change.day:
            reason = START if change.is_start else DOSE_CHANGE
            return Obligation(reason, change.day, change.day + dt.timedelta(days=change.due_in_days))
    return Obligation(STABLE, last_seen, last_seen + dt.timedelta(days=FOLLOWUP_STABLE_DAYS))
