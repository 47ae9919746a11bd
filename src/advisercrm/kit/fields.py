"""Request field types whose failures read like Laravel's validation messages.

Numbers and booleans are read the way Laravel's `integer` and `boolean` rules read them:
an integer field takes 68 or "68" (not 68.5, "68.0" or "6 8"), a boolean field takes
true, false, 1, 0, "1", "0", "true" or "false"; every other value is refused with the
same message as a value of the wrong JSON type. Strings are strict (no 5 for "5") and
refuse NUL bytes and lone surrogates, which PostgreSQL cannot store.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Strict
from pydantic_core import PydanticCustomError

from advisercrm.kit.errors import Errors

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# PHP's FILTER_VALIDATE_INT: surrounding whitespace, a sign, no leading zeros.
_INT_TEXT = re.compile(r"^\s*[+-]?(0|[1-9][0-9]*)\s*\Z")
_INT64 = 2**63
# PHP's is_numeric on a string: surrounding whitespace, a sign, digits with a point (one
# side may be empty, not both) and an exponent.
_SPACE = " \t\n\r\v\f"
_NUMBER_TEXT = re.compile(
    rf"^[{_SPACE}]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[{_SPACE}]*\Z"
)
_BOOLEANS = {"1": True, "0": False, "true": True, "false": False}


def _fail(template: str) -> PydanticCustomError:
    return PydanticCustomError("laravel", template)


def clean_text(value: str) -> str:
    if "\x00" in value:
        raise _fail("The :attribute field must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail("The :attribute field must be valid UTF-8 text.") from None
    return value


def parse_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, str) and UUID_RE.match(value):
        return uuid.UUID(value)
    raise _fail("The :attribute field must be a valid UUID.")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, str) and DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail("The :attribute field must match the format Y-m-d.")


def _laravel_int(value: Any) -> Any:
    """An integer string as its integer; anything else is left for the strict check to
    refuse. PHP's integers are 64-bit: a longer string is not an integer there either."""
    if isinstance(value, str) and _INT_TEXT.match(value):
        number = int(value)
        if -_INT64 <= number < _INT64:
            return number
    return value


def _laravel_number(value: Any) -> Decimal:
    """Laravel's `numeric`: a JSON number (not a boolean) or a numeric string, as the
    Decimal it writes (0.1 is 0.1, "50" is 50); anything else is refused. An exponent
    beyond what a Decimal holds is refused too."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, float) and math.isfinite(value):
            return Decimal(repr(value))
        if isinstance(value, str) and _NUMBER_TEXT.match(value):
            return Decimal(value.strip(_SPACE))
    except InvalidOperation:
        pass
    raise _fail("The :attribute field must be a number.")


def laravel_bool(value: Any) -> Any:
    """1 and 0 (numbers or strings) and "true"/"false" as booleans; anything else is left
    for the strict check to refuse (2, "yes", 1.0, null)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in _BOOLEANS:
        return _BOOLEANS[value]
    return value


def _record_uuid(value: Any) -> Any:
    """A record as a response shows it (an object with its `uuid`) names that UUID, so a
    list read from a response can be written back as it is."""
    if isinstance(value, dict) and "uuid" in value:
        return value["uuid"]
    return value


def _money_amount(value: Any) -> Any:
    """Money as a response shows it ({"amount": "5000", "currency", "formatted"}) is its
    amount, so a value read from a response can be written back as it is."""
    if isinstance(value, dict) and "amount" in value:
        return value["amount"]
    return value


def _present(value: Any) -> Any:
    """Laravel's `required`: an explicit null or an empty array is as good as absent."""
    if value is None or (isinstance(value, list) and not value):
        raise _fail("The :attribute field is required.")
    return value


# Runs on the raw input only: an absent field keeps its default without reaching it.
Required = BeforeValidator(_present)
# Compose with Field(...) for lengths and ranges: Annotated[Str, Field(max_length=255)].
Str = Annotated[str, Strict(), AfterValidator(clean_text)]
Int = Annotated[int, Strict(), BeforeValidator(_laravel_int)]
Bool = Annotated[bool, Strict(), BeforeValidator(laravel_bool)]
UUIDStr = Annotated[uuid.UUID, BeforeValidator(parse_uuid)]
# Any number, as a Decimal: compose range and precision rules with AfterValidator.
Number = Annotated[Decimal, Strict(), BeforeValidator(_laravel_number)]
# A UUID, or the record a response embeds ({"uuid": ...}): for lists of records.
RecordUUID = Annotated[uuid.UUID, BeforeValidator(parse_uuid), BeforeValidator(_record_uuid)]
# An integer of minor units, or the Money object a response shows.
Pennies = Annotated[Int, BeforeValidator(_money_amount)]
DateStr = Annotated[dt.date, BeforeValidator(parse_date)]


def _template(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    simple = {
        "missing": "The :attribute field is required.",
        "string_type": "The :attribute field must be a string.",
        "string_unicode": "The :attribute field must be valid UTF-8 text.",
        "int_type": "The :attribute field must be an integer.",
        "int_parsing": "The :attribute field must be an integer.",
        "int_from_float": "The :attribute field must be an integer.",
        "bool_type": "The :attribute field must be true or false.",
        "bool_parsing": "The :attribute field must be true or false.",
        "list_type": "The :attribute field must be an array.",
        "dict_type": "The :attribute field must be an object.",
        "model_type": "The :attribute field must be an object.",
        "model_attributes_type": "The :attribute field must be an object.",
        "literal_error": "The selected :attribute is invalid.",
        "enum": "The selected :attribute is invalid.",
    }
    if kind in simple:
        return simple[kind]
    if kind == "laravel":
        return str(error["msg"])
    # A length rule composed onto Str runs as a generic length check: judge by the input.
    textual = kind.startswith("string_") or isinstance(error.get("input"), str)
    if kind in ("string_too_short", "too_short") and textual:
        if ctx.get("min_length") == 1:
            return "The :attribute field is required."
        return f"The :attribute field must be at least {ctx.get('min_length')} characters."
    if kind in ("string_too_long", "too_long") and textual:
        return f"The :attribute field must not be greater than {ctx.get('max_length')} characters."
    if kind == "greater_than_equal":
        return f"The :attribute field must be at least {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"The :attribute field must not be greater than {ctx.get('le')}."
    if kind == "too_short":
        return f"The :attribute field must have at least {ctx.get('min_length')} items."
    if kind == "too_long":
        return f"The :attribute field must not have more than {ctx.get('max_length')} items."
    return "The :attribute field is invalid."


def to_laravel(errors: list[Any], *, strip: int = 1) -> dict[str, list[str]]:
    """Pydantic errors as Laravel's `errors` object, keyed `field` or `field.1`."""
    collected = Errors()
    for error in errors:
        loc = [str(part) for part in error["loc"][strip:]]
        collected.add(".".join(loc) or "body", _template(error))
    return collected.by_field


def path_uuid(raw: str) -> uuid.UUID | None:
    """A UUID from a path segment; None (answered as 404) when malformed."""
    return uuid.UUID(raw) if UUID_RE.match(raw) else None
