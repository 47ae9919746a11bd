"""Date-times a client may send, read in the firm's zone (tasks' `due_at`, datetime
custom fields), and the `YYYY-MM-DD HH:MM:SS` form tasks render them in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError

from advisercrm.kit.fields import clean_text

_FORMS = (
    re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z"),
    re.compile(
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"
    ),
)
INVALID_DATETIME = (
    "The :attribute field must be a date as YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601."
)


def parse_datetime(value: Any) -> dt.datetime:
    """A naive result is wall-clock time in the firm's zone; see `in_zone`."""
    if isinstance(value, str) and any(form.match(value) for form in _FORMS):
        try:
            parsed = dt.datetime.fromisoformat(clean_text(value))
        except ValueError:
            parsed = None
        # Far-off years would overflow when moved between zones.
        if parsed is not None and 1000 <= parsed.year <= 9000:
            return parsed
    raise PydanticCustomError("laravel", INVALID_DATETIME)


def in_zone(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def wall_clock(value: dt.datetime | None, zone: ZoneInfo) -> str | None:
    if value is None:
        return None
    # The ISO text up to its offset: Plannr's "Y-m-d H:i:s", the year at least four
    # digits (a date accepted as 1000-01-01 in one zone is in 999 in another, which
    # glibc's strftime would print unpadded), in two-thirds of strftime's time.
    return value.astimezone(zone).isoformat(" ", "seconds")[:19]
