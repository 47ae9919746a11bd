"""Plan bodies: every rule broken gets the exact 422 body and changes nothing; owners must
be client accounts of the acting firm (`accounts.index` keys)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Firm
from tests.records_support import (
    DUPLICATE,
    HAS_NUL,
    INVALID,
    NOT_ARRAY,
    NOT_STRING,
    NOT_UUID,
    PLANS,
    REQUIRED,
    TOO_LONG_255,
    Cast,
    assert_body,
    assert_rejected,
    invalid,
    say,
    total,
    unknown,
)

TABLE: list[tuple[dict[str, Any], str, str]] = [
    ({"name": ""}, "name", REQUIRED),
    ({"name": None}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", TOO_LONG_255),
    ({"name": 1}, "name", NOT_STRING),
    ({"name": "a\u0000"}, "name", HAS_NUL),
    ({"type": None}, "type", REQUIRED),
    ({"type": "isa"}, "type", INVALID),
    ({"type": "Pension"}, "type", INVALID),
    ({"accounts": None}, "accounts", REQUIRED),
    ({"accounts": []}, "accounts", REQUIRED),
    ({"accounts": "x"}, "accounts", NOT_ARRAY),
    ({"accounts": ["x"]}, "accounts.0", NOT_UUID),
    ({"accounts": [unknown()] * 11}, "accounts", "The :a field must not have more than 10 items."),
    ({"policy_number": "p" * 256}, "policy_number", TOO_LONG_255),
    ({"policy_number": 123}, "policy_number", NOT_STRING),
    ({"status": "closed"}, "status", INVALID),
    ({"status": None}, "status", REQUIRED),
]


@pytest.mark.parametrize(("overrides", "key", "template"), TABLE, ids=lambda v: repr(v)[:40])
async def test_create_rule(shop: Cast, overrides: dict[str, Any], key: str, template: str) -> None:
    client = await shop.firm.client_account()
    before = await total(shop.owner, PLANS)
    body = {"name": "Valid", "type": "pension", "accounts": [client["uuid"]], **overrides}
    response = await shop.owner.post(PLANS, body)
    expected = invalid({key: [say(template, key)]})
    await assert_rejected(shop.owner, response, 422, expected, PLANS, before)


async def test_missing_fields_each_required_in_order(shop: Cast) -> None:
    before = await total(shop.owner, PLANS)
    response = await shop.owner.post(PLANS, {"status": "gone"})
    errors = {
        "name": ["The name field is required."],
        "type": ["The type field is required."],
        "accounts": ["The accounts field is required."],
        "status": ["The selected status is invalid."],
    }
    await assert_rejected(shop.owner, response, 422, invalid(errors), PLANS, before)
    assert invalid(errors)["message"] == "The name field is required. (and 3 more errors)"


async def test_owners_must_be_clients_of_the_firm(shop: Cast, rival: Firm) -> None:
    client = (await shop.firm.client_account())["uuid"]
    foreign = (await rival.client_account())["uuid"]
    group = (await shop.firm.group([]))["uuid"]
    owners = [client, shop.admin.account_uuid, foreign, unknown(), client, group]
    before = await total(shop.owner, PLANS)
    response = await shop.owner.post(PLANS, {"name": "P", "type": "pension", "accounts": owners})
    errors = {f"accounts.{i}": [say(INVALID, f"accounts.{i}")] for i in (1, 2, 3)}
    errors["accounts.4"] = [say(DUPLICATE, "accounts.4")]
    errors["accounts.5"] = [say(INVALID, "accounts.5")]
    await assert_rejected(shop.owner, response, 422, invalid(errors), PLANS, before)


UPDATE_TABLE: list[tuple[dict[str, Any], str, str]] = [
    ({"name": None}, "name", REQUIRED),
    ({"type": None}, "type", REQUIRED),
    ({"type": "car"}, "type", INVALID),
    ({"accounts": []}, "accounts", REQUIRED),
    ({"status": None}, "status", REQUIRED),
    ({"policy_number": ["x"]}, "policy_number", NOT_STRING),
]


@pytest.mark.parametrize(("body", "key", "template"), UPDATE_TABLE, ids=lambda v: repr(v)[:40])
async def test_update_rule(shop: Cast, body: dict[str, Any], key: str, template: str) -> None:
    client = (await shop.firm.client_account())["uuid"]
    made = await shop.owner.created(PLANS, {"name": "K", "type": "pension", "accounts": [client]})
    path = f"{PLANS}/{made['uuid']}"
    assert_body(await shop.owner.put(path, body), 422, invalid({key: [say(template, key)]}))
    assert_body(await shop.owner.get(path), 200, made)


async def test_update_owners_are_checked(shop: Cast, rival: Firm) -> None:
    client = (await shop.firm.client_account())["uuid"]
    made = await shop.owner.created(PLANS, {"name": "K", "type": "pension", "accounts": [client]})
    path = f"{PLANS}/{made['uuid']}"
    foreign = (await rival.client_account())["uuid"]
    response = await shop.owner.put(path, {"accounts": [client, foreign]})
    assert_body(response, 422, invalid({"accounts.1": [say(INVALID, "accounts.1")]}))
    assert_body(await shop.owner.get(path), 200, made)


@pytest.mark.parametrize(
    "extremes",
    [
        {"name": "n" * 255, "policy_number": "p" * 255},
        {"policy_number": None, "status": "inactive"},
        {"policy_number": ""},
    ],
    ids=lambda v: ",".join(v),
)
async def test_boundary_values_are_accepted(shop: Cast, extremes: dict[str, Any]) -> None:
    clients = [(await shop.firm.client_account())["uuid"] for _ in range(10)]
    body = {"name": "Edge", "type": "investment", "accounts": clients, **extremes}
    response = await shop.owner.post(PLANS, body)
    assert response.status_code == 201, response.text
    assert len(response.json()["accounts"]) == 10
