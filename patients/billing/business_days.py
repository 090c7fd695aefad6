"""Business days for the Good Faith Estimate deadlines (45 CFR 149.610(b)(1)(vi)): Monday to
Friday except US federal public holidays on the day they are observed. Dates are counted in the
practice's billing time zone (settings.BILLING_TIME_ZONE, America/Chicago by default), as the
practice's own calendar does: a visit booked at 11 p.m. on a Thursday in California is booked at
1 a.m. on Friday in Chicago, so it counts from that Friday (a one-business-day deadline falls on
the Monday after)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import holidays
from django.conf import settings
from django.utils import timezone

# A visit scheduled at least this many business days ahead gets its estimate within three
# business days; one scheduled at least three ahead gets it within one business day.
LONG_LEAD_BUSINESS_DAYS = 10
SHORT_LEAD_BUSINESS_DAYS = 3
LONG_LEAD_DEADLINE = 3
SHORT_LEAD_DEADLINE = 1
# An estimate the patient asks for is due within three business days of the request.
REQUEST_DEADLINE = 3


@functools.lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[dt.date]:
    # The public category is the federal holidays of 5 U.S.C. 6103; observed=True moves a
    # Saturday holiday to the Friday before and a Sunday one to the Monday after (which may fall
    # in the neighbouring year: New Year's Day 2022 was observed on Friday 31 December 2021).
    calendar = holidays.US(years=year, observed=True, categories=(holidays.PUBLIC,))
    return frozenset(day for day in calendar if day.year == year)


def is_federal_holiday(day: dt.date) -> bool:
    return day in _federal_holidays(day.year)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_federal_holiday(day)


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th business day after ``day`` (``day`` itself is not counted; a count of 0
    returns ``day`` unchanged)."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    while count:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count -= 1
    return current


def business_days_between(start: dt.date, end: dt.date) -> int:
    """How many business days fall after ``start`` and on or before ``end`` (0 when ``end`` is not
    after ``start``)."""
    if end <= start:
        return 0
    full_weeks, remainder = divmod((end - start).days, 7)
    # Every full week holds five weekdays; the remaining days are checked one by one.
    weekdays = full_weeks * 5
    weekdays += sum(1 for offset in range(1, remainder + 1) if (start + dt.timedelta(days=offset)).weekday() < 5)
    holidays_on_weekdays = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in _federal_holidays(year)
        if start < holiday <= end and holiday.weekday() < 5
    )
    return weekdays - holidays_on_weekdays


def estimate_due_on(*, scheduled_on: dt.date, service_on: dt.date) -> dt.date | None:
    """The last day the estimate for a visit scheduled on ``scheduled_on`` for ``service_on`` may be
    given: three business days after scheduling for a visit ten or more business days ahead, one
    business day for three or more; a visit fewer than three business days ahead has no deadline
    in the rule (the portal still gives the estimate at once)."""
    lead = business_days_between(scheduled_on, service_on)
    if lead >= LONG_LEAD_BUSINESS_DAYS:
        return add_business_days(scheduled_on, LONG_LEAD_DEADLINE)
    if lead >= SHORT_LEAD_BUSINESS_DAYS:
        return add_business_days(scheduled_on, SHORT_LEAD_DEADLINE)
    return None


def request_due_on(requested_on: dt.date) -> dt.date:
    """The deadline of an estimate the patient asked for: three business days after the request."""
    return add_business_days(requested_on, REQUEST_DEADLINE)


def billing_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.BILLING_TIME_ZONE)


def billing_date(moment: dt.datetime) -> dt.date:
    """The calendar date of an aware moment in the billing time zone."""
    return timezone.localtime(moment, billing_zone()).date()


def billing_today(now: dt.datetime | None = None) -> dt.date:
    return billing_date(now or timezone.now())
