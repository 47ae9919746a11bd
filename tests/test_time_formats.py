"""A moment's wire formats, written for speed (kit.render.timestamp, kit.times.wall_clock),
are the plain formulations for every instant a stored value can hold (the accepted
years 1000-9000, moved to another zone) in zones with DST, half-hour, quarter-hour and
historical second offsets."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from advisercrm.kit.render import Ctx, timestamp
from advisercrm.kit.times import wall_clock

ZONES = ["UTC", "Europe/London", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu"]
ZONES += ["Africa/Monrovia", "Pacific/Chatham", "America/Los_Angeles", "Australia/Lord_Howe"]
INSTANTS = st.datetimes(
    min_value=dt.datetime(999, 12, 31),
    max_value=dt.datetime(9001, 1, 1),
    timezones=st.just(dt.UTC),
)


@settings(max_examples=2000, deadline=None)
@given(INSTANTS, st.sampled_from(ZONES))
def test_timestamp_is_iso_8601_in_the_zone_without_a_fraction(
    moment: dt.datetime, name: str
) -> None:
    zone = ZoneInfo(name)
    expected = moment.astimezone(zone).replace(microsecond=0).isoformat()
    assert timestamp(moment, Ctx(zone, "GBP", "http://x/")) == expected


@settings(max_examples=2000, deadline=None)
@given(INSTANTS, st.sampled_from(ZONES))
def test_wall_clock_is_the_zones_date_and_time(moment: dt.datetime, name: str) -> None:
    local = moment.astimezone(ZoneInfo(name))
    expected = f"{local.year:04}-{local:%m-%d %H:%M:%S}"
    assert wall_clock(moment, ZoneInfo(name)) == expected


def test_a_year_below_1000_is_written_with_four_digits() -> None:
    # Accepted (the year is checked where it was written), and in 999 in London.
    due = dt.datetime.fromisoformat("1000-01-01T00:00:00+14:00")
    assert wall_clock(due, ZoneInfo("Europe/London")) == "0999-12-31 09:58:45"


def test_a_missing_moment_is_null() -> None:
    assert timestamp(None, Ctx(ZoneInfo("UTC"), "GBP", "http://x/")) is None
    assert wall_clock(None, ZoneInfo("UTC")) is None
