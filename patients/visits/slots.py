"""Open visit times from weekly hours, time off and booked visits: pure functions, no database.

Weekly hours are wall-clock times in the physician's zone. Each day's window is turned into UTC
for that date, and all arithmetic after that is done in UTC: adding a timedelta to an aware
datetime in Python keeps the wall clock, which would make a 09:00–12:00 window three hours long
even on the night the clocks change."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence

UTC = dt.UTC

Interval = tuple[dt.datetime, dt.datetime]


def local_to_utc(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``at`` on ``day`` in ``zone``, in UTC. A wall time skipped by the spring-forward change
    (02:30) is read with the offset before the change, i.e. as 03:30 daylight time; a repeated
    one (01:30 in November) is the first of the two."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def windows_on(day: dt.date, hours: Iterable[tuple[dt.time, dt.time]], zone: zoneinfo.ZoneInfo) -> list[Interval]:
    """The UTC intervals of the local ``day``'s weekly windows."""
    intervals = []
    for start, end in hours:
        start_utc, end_utc = local_to_utc(day, start, zone), local_to_utc(day, end, zone)
        if end_utc > start_utc:
            intervals.append((start_utc, end_utc))
    return sorted(intervals)


def free_starts(
    window: Interval,
    busy: Sequence[Interval],
    *,
    duration: dt.timedelta,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> list[dt.datetime]:
    """Start times of ``duration``-long visits inside ``window`` that overlap nothing in ``busy``.

    Slots follow each other from the window's start; a busy period pushes the next slot to its
    end, so a 45-minute visit does not waste the 20-minute slots around it."""
    start, end = window
    cursor = start
    starts = []
    while cursor + duration <= end and cursor <= not_after:
        if cursor < not_before:
            cursor += duration
            continue
        clash_ends = [b_end for b_start, b_end in busy if b_start < cursor + duration and b_end > cursor]
        if clash_ends:
            cursor = max(clash_ends)
            continue
        starts.append(cursor)
        cursor += duration
    return starts


def fits_in_window(start: dt.datetime, end: dt.datetime, windows: Iterable[Interval]) -> bool:
    return any(w_start <= start and end <= w_end for w_start, w_end in windows)


def overlaps_any(start: dt.datetime, end: dt.datetime, busy: Iterable[Interval]) -> bool:
    return any(b_start < end and b_end > start for b_start, b_end in busy)
