"""portal.datefmt writes exactly what Django's date filter writes."""

import datetime as dt
import zoneinfo

from django.template import Context, Template
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.datefmt import local_date

FORMATS = ["M j, H:i", "M j, Y g:i A T", "F j, Y", "M j", "d/m/Y H:i", "n-j-Y h:i A", "G:i T", "j F Y, g:i A"]
ZONES = ["America/Chicago", "America/New_York", "America/Phoenix", "Pacific/Honolulu", "UTC", "Asia/Kolkata"]


def _django(value, fmt: str) -> str:
    return Template("{{ value|date:fmt }}").render(Context({"value": value, "fmt": fmt}))


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(dt.UTC)
    ),
    fmt=st.sampled_from(FORMATS),
    zone=st.sampled_from(ZONES),
)
def test_the_same_as_the_date_filter(moment, fmt, zone):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert local_date(moment, fmt) == _django(moment, fmt)


def test_around_daylight_saving_changes():
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    with timezone.override(chicago):
        for start in (dt.datetime(2026, 3, 8, 6, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC)):
            for minutes in range(0, 240, 15):
                moment = start + dt.timedelta(minutes=minutes)
                for fmt in FORMATS:
                    assert local_date(moment, fmt) == _django(moment, fmt)


def test_other_formats_dates_and_nothing_fall_back_to_django():
    moment = dt.datetime(2026, 11, 27, 15, 4, tzinfo=dt.UTC)
    for fmt in ("l, jS F Y", "c", "D N j", r"\\a\\t H"):
        assert local_date(moment, fmt) == _django(moment, fmt)
    assert local_date(dt.date(2026, 2, 3), "M j, Y") == _django(dt.date(2026, 2, 3), "M j, Y") == "Feb 3, 2026"
    assert local_date(None, "M j") == "" == _django(None, "M j")
    naive = dt.datetime(2026, 7, 1, 9, 30)
    assert local_date(naive, "M j, Y g:i A T") == _django(naive, "M j, Y g:i A T")
