"""Integer, number and boolean fields read as Laravel's `integer`, `numeric` and `boolean`
rules read them, at the type every schema shares (kit.fields), and through a real
request."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from advisercrm.kit.fields import Bool, Int, Number, Pennies, RecordUUID, to_laravel
from tests.helpers import Firm


class Body(BaseModel):
    number: Annotated[Int, Field(ge=-5, le=100)] | None = None
    flag: Bool | None = None
    money: Pennies | None = None
    ids: list[RecordUUID] | None = None
    amount: Number | None = None


def _errors(**given: Any) -> dict[str, list[str]]:
    try:
        Body(**given)
    except ValidationError as exc:
        return to_laravel(exc.errors(), strip=0)
    return {}


@pytest.mark.parametrize(
    ("raw", "read"), [(68, 68), ("68", 68), (" 68 ", 68), ("+5", 5), ("-5", -5), ("0", 0)]
)
def test_integers(raw: Any, read: int) -> None:
    assert Body(number=raw).number == read


@pytest.mark.parametrize("raw", ["068", "6 8", "68.0", "68.5", "", "x", 68.0, True, [], {}])
def test_not_integers(raw: Any) -> None:
    assert _errors(number=raw) == {"number": ["The number field must be an integer."]}


def test_integer_strings_keep_their_ranges() -> None:
    assert _errors(number="101") == {"number": ["The number field must not be greater than 100."]}
    # Beyond PHP's 64-bit integers a string is not an integer.
    too_big = str(2**63)
    assert _errors(number=too_big) == {"number": ["The number field must be an integer."]}


@pytest.mark.parametrize(
    ("raw", "read"),
    [(68, "68"), ("68", "68"), (" 68.5 ", "68.5"), (0.1, "0.1"), ("-.5", "-0.5"), ("5.", "5"),
     ("1e2", "1E+2"), ("+2E-1", "0.2"), (10**30, "1" + "0" * 30)],
)  # fmt: skip
def test_numbers(raw: Any, read: str) -> None:
    """PHP's is_numeric, read as the exact Decimal written (0.1 stays 0.1)."""
    assert Body(amount=raw).amount == Decimal(read)


@pytest.mark.parametrize(
    "raw", ["", " ", ".", "e5", "0x1A", "1_000", "1,5", "5 0", "NaN", "INF", float("nan"),
            float("inf"), True, False, [], {}, "1e99999999999999999999"],
)  # fmt: skip
def test_not_numbers(raw: Any) -> None:
    assert _errors(amount=raw) == {"amount": ["The amount field must be a number."]}


@pytest.mark.parametrize(
    ("raw", "read"),
    [(True, True), (False, False), (1, True), (0, False), ("1", True), ("0", False),
     ("true", True), ("false", False)],
)  # fmt: skip
def test_booleans(raw: Any, read: bool) -> None:
    assert Body(flag=raw).flag is read


@pytest.mark.parametrize("raw", [2, -1, 1.0, "yes", "on", "True", "", [], {}])
def test_not_booleans(raw: Any) -> None:
    assert _errors(flag=raw) == {"flag": ["The flag field must be true or false."]}


def test_money_and_records_read_back() -> None:
    body = Body(money={"amount": "5000", "currency": "GBP", "formatted": "£50.00"},
                ids=[{"uuid": "6c15dedc-d91f-4cdb-9ce7-c133497e96d8", "name": "x"}])  # fmt: skip
    assert body.money == 5000
    assert [str(i) for i in body.ids or []] == ["6c15dedc-d91f-4cdb-9ce7-c133497e96d8"]
    assert _errors(money={"amount": "50.5"}) == {"money": ["The money field must be an integer."]}
    assert _errors(ids=[{"name": "x"}]) == {"ids.0": ["The ids.0 field must be a valid UUID."]}


async def test_through_a_request(firm: Firm) -> None:
    """A task status made with the flags as strings, then refused with a word."""
    made = await firm.owner.created("/api/v1/task-status", {"name": "S", "is_archived": "1"})
    assert made["is_archived"] is True
    refused = await firm.owner.post("/api/v1/task-status", {"name": "T", "is_archived": "yes"})
    assert refused.status_code == 422
    assert refused.json() == {
        "message": "The is archived field must be true or false.",
        "errors": {"is_archived": ["The is archived field must be true or false."]},
    }
