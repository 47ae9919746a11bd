"""Money's formatted text is Babel's en_GB currency format, for every currency Babel
knows, although most are formatted without calling Babel (kit.render._formatter)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision, list_currencies
from hypothesis import given, settings
from hypothesis import strategies as st

from advisercrm.kit.render import money

CURRENCIES = sorted(list_currencies())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CURRENCIES), st.integers(min_value=-(10**18), max_value=10**18))
def test_formatted_is_babels_en_gb_format(currency: str, amount: int) -> None:
    major = Decimal(amount).scaleb(-get_currency_precision(currency))
    assert money(amount, currency) == {
        "amount": str(amount),
        "currency": currency,
        "formatted": format_currency(major, currency, locale="en_GB"),
    }


def test_every_currency_formats_small_amounts_like_babel() -> None:
    for currency in CURRENCIES:
        for amount in (0, 1, -1, 10, 999, 100_000):
            major = Decimal(amount).scaleb(-get_currency_precision(currency))
            expected = format_currency(major, currency, locale="en_GB")
            assert money(amount, currency)["formatted"] == expected, currency  # type: ignore[index]
