"""Case bodies: every rule broken gets the exact 422 body and changes nothing; every UUID
must name a record of the acting firm of the right kind (`field.index` keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import Firm
from tests.records_support import (
    CASES,
    DUPLICATE,
    HAS_NUL,
    INVALID,
    NOT_ARRAY,
    NOT_INT,
    NOT_STRING,
    NOT_UUID,
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

DATETIME = "The :a field must be a date as YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601."
MAX_VALUE = "The :a field must not be greater than 1000000000000000."

CASES_TABLE: list[tuple[dict[str, Any], str, str]] = [
    ({"name": ""}, "name", REQUIRED),
    ({"name": None}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", TOO_LONG_255),
    ({"name": 7}, "name", NOT_STRING),
    ({"name": "a\u0000b"}, "name", HAS_NUL),
    ({"participants": None}, "participants", REQUIRED),
    ({"participants": []}, "participants", REQUIRED),
    ({"participants": "x"}, "participants", NOT_ARRAY),
    ({"participants": ["nope"]}, "participants.0", NOT_UUID),
    ({"assigned_to_uuids": "x"}, "assigned_to_uuids", NOT_ARRAY),
    ({"assigned_to_uuids": [5]}, "assigned_to_uuids.0", NOT_UUID),
    (
        {"assigned_to_uuids": [unknown() for _ in range(51)]},
        "assigned_to_uuids",
        "The :a field must not have more than 50 items.",
    ),
    ({"group_uuids": {"a": 1}}, "group_uuids", NOT_ARRAY),
    ({"group_uuids": ["g"]}, "group_uuids.0", NOT_UUID),
    ({"value": -1}, "value", "The :a field must be at least 0."),
    ({"value": 10**15 + 1}, "value", MAX_VALUE),
    ({"value": "40.00"}, "value", NOT_INT),
    ({"value": 40.5}, "value", NOT_INT),
    ({"value": True}, "value", NOT_INT),
    ({"review_at": "tomorrow"}, "review_at", DATETIME),
    ({"review_at": "2026-02-30"}, "review_at", DATETIME),
    ({"review_at": "05/06/2026"}, "review_at", DATETIME),
    ({"review_at": "0001-01-01"}, "review_at", DATETIME),
    ({"review_at": 20260605}, "review_at", DATETIME),
]


@pytest.mark.parametrize(("overrides", "key", "template"), CASES_TABLE, ids=lambda v: repr(v)[:40])
async def test_create_rule(shop: Cast, overrides: dict[str, Any], key: str, template: str) -> None:
    client = await shop.firm.client_account()
    before = await total(shop.owner, CASES)
    body = {"name": "Valid", "participants": [client["uuid"]], **overrides}
    response = await shop.owner.post(CASES, body)
    expected = invalid({key: [say(template, key)]})
    await assert_rejected(shop.owner, response, 422, expected, CASES, before)


async def test_more_than_50_participants(shop: Cast) -> None:
    before = await total(shop.owner, CASES)
    response = await shop.owner.post(CASES, {"name": "Big", "participants": [unknown()] * 51})
    expected = invalid(
        {"participants": ["The participants field must not have more than 50 items."]}
    )
    await assert_rejected(shop.owner, response, 422, expected, CASES, before)


async def test_missing_fields_each_required_in_order(shop: Cast) -> None:
    before = await total(shop.owner, CASES)
    response = await shop.owner.post(CASES, {"value": -5})
    errors = {
        "name": ["The name field is required."],
        "participants": ["The participants field is required."],
        "value": ["The value field must be at least 0."],
    }
    await assert_rejected(shop.owner, response, 422, invalid(errors), CASES, before)
    assert invalid(errors)["message"] == "The name field is required. (and 2 more errors)"


@dataclass
class World:
    firm: Firm
    client: str
    other_client: str
    employee: str
    introducer: str
    group: str
    foreign_client: str
    foreign_employee: str
    foreign_group: str


@pytest.fixture(scope="module")
async def world(shop: Cast, rival: Firm) -> World:
    firm = shop.firm
    introducer = await firm.owner.created(
        "/api/v1/account",
        {"type": "external", "role": "introducer", "first_name": "In", "last_name": "Tro"},
    )
    foreign = await rival.client_account()
    return World(
        firm=firm,
        client=(await firm.client_account())["uuid"],
        other_client=(await firm.client_account())["uuid"],
        employee=shop.admin.account_uuid,
        introducer=introducer["uuid"],
        group=(await firm.group([]))["uuid"],
        foreign_client=foreign["uuid"],
        foreign_employee=rival.owner.account_uuid,
        foreign_group=(await rival.group([foreign["uuid"]]))["uuid"],
    )


async def _rejected(w: World, body: dict[str, Any], errors: dict[str, list[str]]) -> None:
    before = await total(w.firm.owner, CASES)
    response = await w.firm.owner.post(CASES, {"name": "Case", **body})
    await assert_rejected(w.firm.owner, response, 422, invalid(errors), CASES, before)


def sel(key: str) -> list[str]:
    return [say(INVALID, key)]


@pytest.mark.parametrize("kind", ["employee", "introducer", "foreign_client", "group"])
async def test_participant_must_be_a_client_of_the_firm(world: World, kind: str) -> None:
    body = {"participants": [world.client, getattr(world, kind)]}
    await _rejected(world, body, {"participants.1": sel("participants.1")})


@pytest.mark.parametrize("kind", ["client", "introducer", "foreign_employee"])
async def test_assignee_must_be_an_employee_of_the_firm(world: World, kind: str) -> None:
    body = {"participants": [world.client], "assigned_to_uuids": [getattr(world, kind)]}
    await _rejected(world, body, {"assigned_to_uuids.0": sel("assigned_to_uuids.0")})


@pytest.mark.parametrize("kind", ["foreign_group", "client"])
async def test_group_must_be_a_group_of_the_firm(world: World, kind: str) -> None:
    body = {"participants": [world.client], "group_uuids": [getattr(world, kind)]}
    await _rejected(world, body, {"group_uuids.0": sel("group_uuids.0")})


async def test_every_bad_reference_is_reported(world: World) -> None:
    body = {
        "participants": [world.client, unknown(), world.client.upper(), world.employee],
        "assigned_to_uuids": [world.employee, world.employee],
        "group_uuids": [world.group, unknown(), world.group],
    }
    errors = {
        "participants.1": sel("participants.1"),
        "participants.2": [say(DUPLICATE, "participants.2")],
        "participants.3": sel("participants.3"),
        "assigned_to_uuids.1": [say(DUPLICATE, "assigned_to_uuids.1")],
        "group_uuids.1": sel("group_uuids.1"),
        "group_uuids.2": [say(DUPLICATE, "group_uuids.2")],
    }
    await _rejected(world, body, errors)


UPDATE_TABLE: list[tuple[dict[str, Any], str, str]] = [
    ({"name": None}, "name", REQUIRED),
    ({"participants": None}, "participants", REQUIRED),
    ({"participants": []}, "participants", REQUIRED),
    ({"value": -1}, "value", "The :a field must be at least 0."),
    ({"review_at": "2026-13-01"}, "review_at", DATETIME),
    ({"assigned_to_uuids": ["x"]}, "assigned_to_uuids.0", NOT_UUID),
]


@pytest.mark.parametrize(("body", "key", "template"), UPDATE_TABLE, ids=lambda v: repr(v)[:40])
async def test_update_rule(world: World, body: dict[str, Any], key: str, template: str) -> None:
    made = await world.firm.owner.created(CASES, {"name": "Kept", "participants": [world.client]})
    path = f"{CASES}/{made['uuid']}"
    response = await world.firm.owner.put(path, body)
    assert_body(response, 422, invalid({key: [say(template, key)]}))
    assert_body(await world.firm.owner.get(path), 200, made)


async def test_update_references_are_checked(world: World) -> None:
    made = await world.firm.owner.created(CASES, {"name": "Kept", "participants": [world.client]})
    path = f"{CASES}/{made['uuid']}"
    body = {"participants": [world.foreign_client], "group_uuids": [world.foreign_group]}
    errors = {"participants.0": sel("participants.0"), "group_uuids.0": sel("group_uuids.0")}
    assert_body(await world.firm.owner.put(path, body), 422, invalid(errors))
    assert_body(await world.firm.owner.get(path), 200, made)
