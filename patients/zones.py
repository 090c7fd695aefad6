"""Showing times in one person's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone
from django.utils.formats import date_format


@contextmanager
def shown_in(zone_name: str) -> Iterator[zoneinfo.ZoneInfo]:
    """Render times (and read typed-in times) in one person's zone."""
    zone = zoneinfo.ZoneInfo(zone_name)
    with timezone.override(zone):
        yield zone


def describe_moment(moment: dt.datetime, zone_name: str) -> str:
    """The moment as people read it in ``zone_name``: "Tuesday, March 10, 2026 at 9:00 AM CDT"."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_name))
    return f"{date_format(local, 'l, F j, Y')} at {date_format(local, 'g:i A')} {local.tzname()}"
