"""``{{ value|date:"…" }}`` in Python for the few formats the lists use, without parsing the format
on every call: a page of 25 rows formats 25 dates, and Django's general formatter is the most
expensive thing on such a row. The output is Django's own (tests compare the two); a format with
any other character goes to Django's formatter."""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.utils import timezone
from django.utils.dateformat import format as django_format
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import gettext


def _twelve(hour: int) -> int:
    return hour % 12 or 12


def _zone_name(value: dt.datetime) -> str:
    # Django writes no zone name for a wall time that a daylight-saving change makes ambiguous
    # (or skips): the same hour happens twice, once in each zone name.
    tz = value.tzinfo
    if tz is None or tz.utcoffset(value.replace(fold=not value.fold)) != tz.utcoffset(value):
        return ""
    return str(tz.tzname(value))


# Format character → how Django's DateFormat writes it (django/utils/dateformat.py).
_PARTS = {
    "j": lambda d: str(d.day),
    "d": lambda d: f"{d.day:02d}",
    "n": lambda d: str(d.month),
    "m": lambda d: f"{d.month:02d}",
    "M": lambda d: str(MONTHS_3[d.month]).title(),
    "F": lambda d: str(MONTHS[d.month]),
    "Y": lambda d: f"{d.year:04d}",
    "G": lambda d: str(d.hour),
    "H": lambda d: f"{d.hour:02d}",
    "g": lambda d: str(_twelve(d.hour)),
    "h": lambda d: f"{_twelve(d.hour):02d}",
    "i": lambda d: f"{d.minute:02d}",
    "A": lambda d: gettext("PM") if d.hour > 11 else gettext("AM"),
    "T": _zone_name,
}
_LITERALS = set(" ,:-/.()")


@cache
def _compiled(fmt: str):
    """The format as a list of writers, or None when it uses a character handled only by Django."""
    parts = []
    for char in fmt:
        if char in _PARTS:
            parts.append(_PARTS[char])
        elif char in _LITERALS:
            parts.append(char)
        else:
            return None
    return tuple(parts)


def local_date(value: dt.datetime | dt.date | None, fmt: str) -> str:
    """What ``{{ value|date:fmt }}`` shows: an aware datetime in the current time zone, formatted."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    parts = _compiled(fmt)
    if parts is None or not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return django_format(value, fmt)
    return "".join(part if isinstance(part, str) else part(value) for part in parts)
