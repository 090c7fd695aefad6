"""Small pieces the visit and message views share."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone


@contextmanager
def shown_in(zone_name: str) -> Iterator[zoneinfo.ZoneInfo]:
    """Render times (and read typed-in times) in one person's zone."""
    zone = zoneinfo.ZoneInfo(zone_name)
    with timezone.override(zone):
        yield zone
