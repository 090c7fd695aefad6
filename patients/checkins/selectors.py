"""Reads of a patient's check-ins (``patient`` already scoped by patients.selectors)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Q
from django.utils import timezone

from patients.models import CheckIn, Patient, TreatmentPhase

CHECKIN_INTERVAL_DAYS = 7


def checkins_for(patient: Patient) -> list[CheckIn]:
    return list(CheckIn.objects.filter(patient=patient).order_by("recorded_at", "pk"))


RECENT_CHECKINS = 5


def recent_checkins_with_baseline(patient: Patient) -> tuple[list[CheckIn], CheckIn | None]:
    """The patient's latest check-ins (:data:`RECENT_CHECKINS`), newest first, and their baseline
    check-in (the first one of that kind), in one query however long ago the baseline was."""
    count = RECENT_CHECKINS
    mine = CheckIn.objects.filter(patient=patient)
    recent_ids = mine.order_by("-recorded_at", "-pk").values("pk")[:count]
    baseline_id = mine.filter(kind=CheckIn.Kind.BASELINE).order_by("recorded_at", "pk").values("pk")[:1]
    rows = list(mine.filter(Q(pk__in=recent_ids) | Q(pk__in=baseline_id)).order_by("-recorded_at", "-pk"))
    baseline = min(
        (c for c in rows if c.kind == CheckIn.Kind.BASELINE), key=lambda c: (c.recorded_at, c.pk), default=None
    )
    # A baseline older than the latest ``count`` sorts last, after them.
    return rows[:count], baseline


def checkin_due(patient: Patient, *, last_checkin: CheckIn | None, now: dt.datetime | None = None) -> bool:
    """Weekly during titration (docs/domain.md "Check-ins and response"). Follow-up check-ins are prompted by
    follow-ups."""
    if patient.treatment_phase != TreatmentPhase.TITRATION:
        return False
    now = now or timezone.now()
    return last_checkin is None or now - last_checkin.recorded_at >= dt.timedelta(days=CHECKIN_INTERVAL_DAYS)


def baseline_at_start(checkins: list[CheckIn], start_day: dt.date | None, zone_name: str) -> CheckIn | None:
    """What a response is measured from, among ``checkins`` (oldest first): the last one recorded
    on or before the plan's first day in the patient's zone; the intake's baseline when the plan
    starts later than every check-in or there is no plan."""
    if start_day is not None:
        zone = zoneinfo.ZoneInfo(zone_name)
        before = [c for c in checkins if c.recorded_at.astimezone(zone).date() <= start_day]
        if before:
            return before[-1]
    return next((c for c in checkins if c.kind == CheckIn.Kind.BASELINE), None)


def plan_start_baseline(patient: Patient, start_day: dt.date | None) -> CheckIn | None:
    """:func:`baseline_at_start` read from the database: the two candidates in one query."""
    mine = CheckIn.objects.filter(patient=patient)
    wanted = Q(pk__in=mine.filter(kind=CheckIn.Kind.BASELINE).order_by("recorded_at", "pk").values("pk")[:1])
    if start_day is not None:
        zone = zoneinfo.ZoneInfo(patient.time_zone_name)
        day_after = dt.datetime.combine(start_day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        last_before = mine.filter(recorded_at__lt=day_after).order_by("-recorded_at", "-pk").values("pk")[:1]
        wanted |= Q(pk__in=last_before)
    candidates = list(mine.filter(wanted).order_by("recorded_at", "pk"))
    return baseline_at_start(candidates, start_day, patient.time_zone_name)


def opioid_question_answered_since(patient: Patient, day: dt.date) -> bool:
    """Whether a check-in since ``day`` (in the patient's zone) answered the opioid question: the
    re-screen before LDN restarts after a stop."""
    since = dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(patient.time_zone_name))
    return CheckIn.objects.filter(patient=patient, opioid_use__isnull=False, recorded_at__gte=since).exists()
