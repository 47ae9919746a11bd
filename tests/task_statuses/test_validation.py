"""Task-status bodies: every rule broken gets the exact 422 body and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.records_support import (
    HAS_NUL,
    NOT_BOOL,
    NOT_STRING,
    REQUIRED,
    TASK_STATUSES,
    TOO_LONG_255,
    Cast,
    assert_body,
    assert_rejected,
    invalid,
    one_error,
    say,
    total,
)

COLOUR = "The :a field must be a valid hexadecimal color."
BOTH = "The :a field cannot be true for a completed-type status."

CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"name": ""}, "name", REQUIRED),
    ({"name": None}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", TOO_LONG_255),
    ({"name": 5}, "name", NOT_STRING),
    ({"name": "a\u0000b"}, "name", HAS_NUL),
    ({"colour": "red"}, "colour", COLOUR),
    ({"colour": "#12345"}, "colour", COLOUR),
    ({"colour": "#1234567"}, "colour", COLOUR),
    ({"colour": "#GGGGGG"}, "colour", COLOUR),
    ({"colour": "123456"}, "colour", COLOUR),
    ({"colour": 123456}, "colour", NOT_STRING),
    ({"is_type_completed": "yes"}, "is_type_completed", NOT_BOOL),
    ({"is_archived": 2}, "is_archived", NOT_BOOL),
    ({"is_not_started": None}, "is_not_started", NOT_BOOL),
    ({"is_type_completed": True, "is_not_started": True}, "is_not_started", BOTH),
]


@pytest.mark.parametrize(("overrides", "key", "template"), CASES, ids=lambda v: repr(v)[:40])
async def test_create_rule(shop: Cast, overrides: dict[str, Any], key: str, template: str) -> None:
    before = await total(shop.owner, TASK_STATUSES)
    response = await shop.owner.post(TASK_STATUSES, {"name": "Valid", **overrides})
    await assert_rejected(
        shop.owner, response, 422, one_error(key, template), TASK_STATUSES, before
    )


async def test_missing_name_and_every_error_reported(shop: Cast) -> None:
    before = await total(shop.owner, TASK_STATUSES)
    body = {"is_archived": "no", "colour": "blue"}
    response = await shop.owner.post(TASK_STATUSES, body)
    errors = {
        "name": [say(REQUIRED, "name")],
        "colour": [say(COLOUR, "colour")],
        "is_archived": [say(NOT_BOOL, "is_archived")],
    }
    await assert_rejected(shop.owner, response, 422, invalid(errors), TASK_STATUSES, before)
    assert invalid(errors)["message"] == "The name field is required. (and 2 more errors)"


async def test_empty_body_names_the_required_field(shop: Cast) -> None:
    response = await shop.owner.request("POST", TASK_STATUSES, content=b"")
    assert_body(response, 422, one_error("name", REQUIRED))


async def test_malformed_json(shop: Cast) -> None:
    headers = {"content-type": "application/json"}
    response = await shop.owner.request("POST", TASK_STATUSES, content=b"{", headers=headers)
    assert_body(response, 400, {"message": "Malformed JSON body."})


UPDATE_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"name": None}, "name", REQUIRED),
    ({"name": ""}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", TOO_LONG_255),
    ({"colour": "#abc"}, "colour", COLOUR),
    ({"is_archived": "on"}, "is_archived", NOT_BOOL),
    ({"is_not_started": True}, "is_not_started", BOTH),
]


@pytest.mark.parametrize(("body", "key", "template"), UPDATE_CASES, ids=lambda v: repr(v)[:40])
async def test_update_rule(shop: Cast, body: dict[str, Any], key: str, template: str) -> None:
    made = await shop.owner.created(
        TASK_STATUSES, {"name": "Finished", "is_type_completed": True, "colour": "#000000"}
    )
    path = f"{TASK_STATUSES}/{made['uuid']}"
    assert_body(await shop.owner.put(path, body), 422, one_error(key, template))
    assert_body(await shop.owner.get(path), 200, made)


async def test_update_can_swap_the_flags_together(shop: Cast) -> None:
    made = await shop.owner.created(TASK_STATUSES, {"name": "Swap", "is_type_completed": True})
    path = f"{TASK_STATUSES}/{made['uuid']}"
    response = await shop.owner.put(path, {"is_type_completed": False, "is_not_started": True})
    assert response.status_code == 200, response.text
    assert (response.json()["is_type_completed"], response.json()["is_not_started"]) == (
        False,
        True,
    )


@pytest.mark.parametrize("name", ["n" * 255, "x", "Ünïcödé ✓"])
async def test_boundary_names_are_accepted(shop: Cast, name: str) -> None:
    made = await shop.owner.created(TASK_STATUSES, {"name": name, "colour": "#FFFFFF"})
    assert (made["name"], made["colour"]) == (name, "#FFFFFF")
