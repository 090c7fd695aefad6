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


# The zones of the states the practice serves, as people say them; any other zone is shown by its
# IANA name.
ZONE_LABELS = {
    "America/New_York": "Eastern Time",
    "America/Detroit": "Eastern Time",
    "America/Indiana/Indianapolis": "Eastern Time",
    "America/Kentucky/Louisville": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Indiana/Knox": "Central Time",
    "America/Menominee": "Central Time",
    "America/North_Dakota/Center": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Boise": "Mountain Time",
    "America/Phoenix": "Mountain Time (Arizona, no daylight saving)",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
}


def zone_label(zone_name: str) -> str:
    """The zone in plain words: "America/Chicago" → "Central Time"; an unlisted zone → its name."""
    return ZONE_LABELS.get(zone_name, zone_name)
