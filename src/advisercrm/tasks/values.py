"""Custom-field values of a task, checked against the firm's task field definitions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError

from advisercrm.kit.errors import Errors
from advisercrm.kit.fields import clean_text, laravel_bool
from advisercrm.kit.times import INVALID_DATETIME, in_zone, parse_datetime

REQUIRED = "The :attribute field is required."
LIMITS = {"string": 255, "longtext": 65535}


def _key(reference: str) -> str:
    """The error key for a reference, or the whole field when the key itself is unusable."""
    try:
        clean_text(reference)
    except PydanticCustomError:
        return "custom_fields"
    return f"custom_fields.{reference}" if len(reference) <= 255 else "custom_fields"


def _text(value: Any, limit: int) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "The :attribute field must be a string."
    if len(value) > limit:
        return None, f"The :attribute field must not be greater than {limit} characters."
    try:
        return clean_text(value), None
    except PydanticCustomError as exc:
        return None, str(exc)


def _coerce(field: Mapping[Any, Any], value: Any, zone: ZoneInfo) -> tuple[Any, str | None]:
    """The value to store, or why it does not fit the field's type."""
    kind = field["type"]
    if kind in LIMITS:
        return _text(value, LIMITS[kind])
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, "The :attribute field must be a number."
        if not math.isfinite(value) or abs(value) > 10**15:
            return None, "The :attribute field must be a number between -10^15 and 10^15."
        return value, None
    if kind == "boolean":
        value = laravel_bool(value)
        return (
            (value, None)
            if isinstance(value, bool)
            else (None, "The :attribute field must be true or false.")
        )
    if kind == "datetime":
        try:
            moment = in_zone(parse_datetime(value), zone)
        except PydanticCustomError:
            return None, INVALID_DATETIME
        return moment.astimezone(dt.UTC).isoformat(), None
    if (
        kind == "selection"
        and isinstance(value, str)
        and value in (field["selection_options"] or [])
    ):
        return value, None
    return None, "The selected :attribute is invalid."


def check_values(
    definitions: Sequence[Mapping[Any, Any]],
    given: Mapping[str, Any],
    creating: bool,
    zone: ZoneInfo,
    errors: Errors,
) -> dict[int, Any]:
    """Field id -> value to store (None clears it); every problem goes into errors."""
    by_reference = {d["reference"]: d for d in definitions}
    values: dict[int, Any] = {}
    for reference, value in given.items():
        key, field = _key(reference), by_reference.get(reference)
        if field is None:
            errors.add(key, "The selected :attribute is invalid.")
        elif value is None:
            if field["is_required"]:
                errors.add(key, REQUIRED)
            values[int(field["id"])] = None
        else:
            stored, problem = _coerce(field, value, zone)
            if problem:
                errors.add(key, problem)
            values[int(field["id"])] = stored
    if creating:
        for field in definitions:
            if (
                field["is_required"]
                and given.get(field["reference"]) is None
                and field["reference"] not in given
            ):
                errors.add(f"custom_fields.{field['reference']}", REQUIRED)
    return values
