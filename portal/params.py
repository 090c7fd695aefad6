"""Reading page parameters from the query string. A calendar can be paged far, but not to the year
1 or 9999 (where date arithmetic overflows): a value that is malformed or outside the browsable
range is replaced by today, and the person is told so."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest
from django.utils.dateparse import parse_date

# How far from today a calendar may be paged, either way.
BROWSABLE_YEARS = 20


def _within_range(day: dt.date, today: dt.date) -> bool:
    return abs(day.year - today.year) <= BROWSABLE_YEARS


def date_param(request: HttpRequest, name: str, *, today: dt.date) -> dt.date:
    """``?name=YYYY-MM-DD``; today when absent, malformed or out of range."""
    raw = request.GET.get(name)
    if not raw:
        return today
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None or not _within_range(day, today):
        messages.warning(request, "That date could not be shown, so the calendar opens on today.")
        return today
    return day


def month_param(request: HttpRequest, name: str, *, today: dt.date) -> dt.date:
    """``?name=YYYY-MM`` as the first day of that month; this month when absent, malformed or out
    of range."""
    raw = request.GET.get(name)
    if not raw:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in raw.split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        first = None
    if first is None or not _within_range(first, today):
        messages.warning(request, "That month could not be shown, so the calendar opens on this month.")
        return today.replace(day=1)
    return first


def text_param(request: HttpRequest, name: str, *, max_length: int) -> str:
    """A search text: stripped, cut to ``max_length``, without control characters (a NUL byte is
    refused by PostgreSQL and means nothing in a search)."""
    raw = request.GET.get(name, "")
    return "".join(ch for ch in raw if ch.isprintable()).strip()[:max_length]
