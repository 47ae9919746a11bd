"""Wire formats shared by every resource: money, timestamps, dates and the JSON body."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from babel.numbers import format_currency, get_currency_precision, get_currency_symbol
from fastapi import Response
from pydantic import BaseModel


@dataclass(frozen=True)
class Ctx:
    """What rendering needs to know about the acting firm and this server."""

    timezone: ZoneInfo
    currency: str
    base_url: str


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@cache
def _precision(currency: str) -> int:
    return int(get_currency_precision(currency))


class MoneyOut(BaseModel):
    """The documented shape of Money in responses."""

    amount: str
    currency: str
    formatted: str


@cache
def _formatter(currency: str) -> Callable[[Decimal], str]:
    """Babel's en_GB format for the currency, or a plain f-string that gives the same text.

    Babel costs about 40 us a call, an eighth of a goal list's CPU (issue 4, S5). Most
    currencies are a symbol before a grouped number; the short form is used only when it
    matches Babel on every sample, so any currency it would get wrong keeps Babel."""
    precision = _precision(currency)
    symbol = get_currency_symbol(currency, locale="en_GB")

    def babel(major: Decimal) -> str:
        return str(format_currency(major, currency, locale="en_GB"))

    def short(major: Decimal) -> str:
        sign = "-" if major < 0 else ""
        return f"{sign}{symbol}{abs(major):,.{precision}f}"

    samples = (0, 1, -1, 5, 99, 100, 1234, -98765, 123456789, -987654321012, 10**17)
    majors = [Decimal(n).scaleb(-precision) for n in samples]
    return short if all(short(m) == babel(m) for m in majors) else babel


def money(amount: int | None, currency: str) -> dict[str, str] | None:
    """Minor units as the Money object: amount as a string, formatted as Babel's
    en_GB currency format."""
    if amount is None:
        return None
    major = Decimal(amount).scaleb(-_precision(currency))
    return {"amount": str(amount), "currency": currency, "formatted": _formatter(currency)(major)}


def timestamp(value: dt.datetime | None, ctx: Ctx) -> str | None:
    """ISO 8601 with seconds and a numeric offset, in the firm's zone."""
    if value is None:
        return None
    # timespec drops the fraction without building another datetime (a list renders
    # dozens of these per record: 2.1 against 2.8 us here).
    return value.astimezone(ctx.timezone).isoformat(timespec="seconds")


def day_start(value: dt.date | None, ctx: Ctx) -> str | None:
    """A date rendered as the timestamp of the start of that day in the firm's zone."""
    if value is None:
        return None
    start = dt.datetime(value.year, value.month, value.day, tzinfo=ctx.timezone)
    return start.isoformat()


def date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_PASSTHROUGH_DATETIME)
