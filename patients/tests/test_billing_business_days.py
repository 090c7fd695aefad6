"""Business days and Good Faith Estimate deadlines (45 CFR 149.610(b)(1)(vi); docs/domain.md
"Cash pay"): properties over many dates, checked against a calendar of the federal holidays
computed here from their statutory definitions, and worked examples around holidays."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patients.billing.business_days import (
    add_business_days,
    billing_date,
    billing_today,
    business_days_between,
    estimate_due_on,
    is_business_day,
    is_federal_holiday,
    request_due_on,
)

UTC = dt.UTC
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")

days = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=40)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    # A Saturday holiday is observed on the Friday before, a Sunday one on the Monday after.
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def statutory_holidays(year: int) -> set[dt.date]:
    """The eleven federal holidays of 5 U.S.C. 6103(a) for ``year`` as observed, written out here
    independently of the library the portal uses."""
    actual = [
        dt.date(year, 1, 1),
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _last_weekday(year, 5, 0),  # Memorial Day
        dt.date(year, 6, 19),  # Juneteenth
        dt.date(year, 7, 4),
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        dt.date(year, 11, 11),
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
        dt.date(year, 12, 25),
    ]
    observed = {_observed(day) for day in actual}
    # Next New Year's Day on a Saturday is observed on 31 December of this year.
    if dt.date(year + 1, 1, 1).weekday() == 5:
        observed.add(dt.date(year, 12, 31))
    return {day for day in observed if day.year == year}


def brute_force_between(start: dt.date, end: dt.date) -> int:
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in statutory_holidays(day.year):
            count += 1
    return count


# --- properties ----------------------------------------------------------------------------------


@given(days)
def test_a_business_day_is_a_weekday_that_is_no_observed_federal_holiday(day):
    expected = day.weekday() < 5 and day not in statutory_holidays(day.year)
    assert is_business_day(day) is expected
    if day.weekday() < 5:
        # (The library also names the weekend day itself a holiday; only weekdays matter here.)
        assert is_federal_holiday(day) is (day in statutory_holidays(day.year))


@given(days)
def test_weekends_are_never_business_days(day):
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    assert not is_business_day(saturday)
    assert not is_business_day(saturday + dt.timedelta(days=1))


@given(days, counts)
def test_adding_business_days_lands_on_a_business_day_that_many_business_days_later(day, count):
    result = add_business_days(day, count)
    assert business_days_between(day, result) == count
    if count:
        assert result > day
        assert is_business_day(result)
        # No business day is skipped: the day before the result is at most count-1 business days away.
        assert business_days_between(day, result - dt.timedelta(days=1)) == count - 1
    else:
        assert result == day


@settings(max_examples=200)
@given(days, st.integers(min_value=-20, max_value=400))
def test_counting_business_days_matches_counting_them_one_by_one(start, span):
    end = start + dt.timedelta(days=span)
    assert business_days_between(start, end) == brute_force_between(start, end)


@given(days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_business_day_counts_add_up_over_consecutive_periods(start, first, second):
    middle = start + dt.timedelta(days=first)
    end = middle + dt.timedelta(days=second)
    assert business_days_between(start, middle) + business_days_between(middle, end) == business_days_between(
        start, end
    )


@given(days, st.integers(min_value=0, max_value=90))
def test_an_estimate_deadline_depends_only_on_the_business_days_of_lead(scheduled_on, span):
    service_on = scheduled_on + dt.timedelta(days=span)
    lead = business_days_between(scheduled_on, service_on)
    due_on = estimate_due_on(scheduled_on=scheduled_on, service_on=service_on)
    if lead >= 10:
        assert business_days_between(scheduled_on, due_on) == 3
    elif lead >= 3:
        assert business_days_between(scheduled_on, due_on) == 1
    else:
        assert due_on is None
    if due_on is not None:
        assert is_business_day(due_on)
        # The estimate is always due before the visit.
        assert due_on < service_on


@given(days)
def test_a_requested_estimate_is_due_three_business_days_after_the_request(requested_on):
    due_on = request_due_on(requested_on)
    assert is_business_day(due_on)
    assert business_days_between(requested_on, due_on) == 3


# --- worked examples -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduled_on", "service_on", "due_on"),
    [
        # Monday 2 March 2026: 10 business days ahead → 3 business days; 9 → 1; 3 → 1; 2 → none.
        (dt.date(2026, 3, 2), dt.date(2026, 3, 16), dt.date(2026, 3, 5)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 13), dt.date(2026, 3, 3)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 5), dt.date(2026, 3, 3)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 4), None),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 2), None),
        # Booked on a Friday for the Wednesday after: the weekend does not count → 3 business days
        # of lead (Mon, Tue, Wed) → due Monday.
        (dt.date(2026, 3, 6), dt.date(2026, 3, 11), dt.date(2026, 3, 9)),
        # Booked on a Saturday: counted from the Saturday, the first business day is Monday.
        (dt.date(2026, 3, 7), dt.date(2026, 3, 11), dt.date(2026, 3, 9)),
        # Thanksgiving (Thursday 26 November 2026): booked the Wednesday before for Tuesday 1
        # December: Fri, Mon, Tue = 3 business days → due Friday 27th, not Thursday.
        (dt.date(2026, 11, 25), dt.date(2026, 12, 1), dt.date(2026, 11, 27)),
        # … and for a visit three weeks later: three business days are Fri, Mon, Tue.
        (dt.date(2026, 11, 25), dt.date(2026, 12, 16), dt.date(2026, 12, 1)),
        # Christmas on a Sunday (2022) is observed Monday 26th: booked Friday the 23rd for the
        # 30th: Tue, Wed, Thu, Fri = 4 → due Tuesday 27th.
        (dt.date(2022, 12, 23), dt.date(2022, 12, 30), dt.date(2022, 12, 27)),
        # Christmas on a Saturday (2027) is observed Friday 24th, New Year's Day on a Saturday
        # (2028) on Friday 31st: booked Thursday 23 December 2027 for 7 January 2028 → Mon 27,
        # Tue 28, Wed 29, Thu 30, Mon 3, … Fri 7 = 8 business days → 1 business day → Monday 27th.
        (dt.date(2027, 12, 23), dt.date(2028, 1, 7), dt.date(2027, 12, 27)),
        # Juneteenth on a Friday (2026): booked Thursday 18 June for a visit on the 24th → Mon,
        # Tue, Wed = 3 → due Monday 22nd.
        (dt.date(2026, 6, 18), dt.date(2026, 6, 24), dt.date(2026, 6, 22)),
        # Juneteenth on a Saturday (2027) is observed Friday 18 June.
        (dt.date(2027, 6, 17), dt.date(2027, 6, 23), dt.date(2027, 6, 21)),
    ],
)
def test_worked_deadlines(scheduled_on, service_on, due_on):
    assert estimate_due_on(scheduled_on=scheduled_on, service_on=service_on) == due_on


@pytest.mark.parametrize(
    ("requested_on", "due_on"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 5)),  # Monday → Thursday
        (dt.date(2026, 3, 5), dt.date(2026, 3, 10)),  # Thursday → next Tuesday
        (dt.date(2026, 11, 24), dt.date(2026, 11, 30)),  # across Thanksgiving: Wed, Fri, Mon
        (dt.date(2022, 12, 23), dt.date(2022, 12, 29)),  # Christmas observed Monday 26th
        (dt.date(2021, 12, 23), dt.date(2021, 12, 29)),  # Christmas observed Friday 24th
        (dt.date(2027, 12, 29), dt.date(2028, 1, 4)),  # New Year's Day 2028 observed Friday 31 Dec 2027
    ],
)
def test_worked_request_deadlines(requested_on, due_on):
    assert request_due_on(requested_on) == due_on


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 11, 26),  # Thanksgiving
        dt.date(2022, 12, 26),  # Christmas 2022 (a Sunday), observed
        dt.date(2021, 12, 24),  # Christmas 2021 (a Saturday), observed
        dt.date(2021, 12, 31),  # New Year's Day 2022 (a Saturday), observed the year before
        dt.date(2026, 6, 19),  # Juneteenth on a Friday
        dt.date(2027, 6, 18),  # Juneteenth 2027 (a Saturday), observed
        dt.date(2026, 7, 3),  # Independence Day 2026 (a Saturday), observed
    ],
)
def test_observed_federal_holidays_are_not_business_days(day):
    assert not is_business_day(day)


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 11, 27),  # the Friday after Thanksgiving is not a federal holiday
        dt.date(2026, 12, 24),  # nor is Christmas Eve when Christmas is on a weekday
        dt.date(2026, 4, 3),  # Good Friday
    ],
)
def test_days_that_are_not_federal_holidays_are_business_days(day):
    assert is_business_day(day)


def test_counting_backwards_is_refused():
    with pytest.raises(ValueError):
        add_business_days(dt.date(2026, 3, 2), -1)


def test_billing_dates_are_counted_in_the_billing_time_zone(settings):
    settings.BILLING_TIME_ZONE = "America/Chicago"
    # 22:00 in Chicago on Monday 2 March 2026 is already Tuesday in UTC.
    assert billing_date(dt.datetime(2026, 3, 3, 4, 0, tzinfo=UTC)) == dt.date(2026, 3, 2)
    # Across the change to daylight saving time (Sunday 8 March 2026): 23:30 CDT is 04:30 UTC.
    assert billing_date(dt.datetime(2026, 3, 9, 4, 30, tzinfo=UTC)) == dt.date(2026, 3, 8)
    assert billing_date(dt.datetime(2026, 3, 9, 5, 30, tzinfo=UTC)) == dt.date(2026, 3, 9)
    assert billing_today(dt.datetime(2026, 3, 3, 4, 0, tzinfo=UTC)) == dt.date(2026, 3, 2)


def test_the_billing_time_zone_is_a_setting(settings):
    settings.BILLING_TIME_ZONE = "America/New_York"
    assert billing_date(dt.datetime(2026, 3, 3, 4, 0, tzinfo=UTC)) == dt.date(2026, 3, 2)
    settings.BILLING_TIME_ZONE = "UTC"
    assert billing_date(dt.datetime(2026, 3, 3, 4, 0, tzinfo=UTC)) == dt.date(2026, 3, 3)
