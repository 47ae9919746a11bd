"""POST /api/v2/goals: every rule of the field table (docs/API.md, Goals) that the request
alone can break. Each case gets the exact 422 body and creates nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.goals.support import GOALS, assert_rejected, goal_count, invalid, one_error
from tests.helpers import Firm

REQUIRED = "The :f field is required."
STRING = "The :f field must be a string."
INTEGER = "The :f field must be an integer."
BOOLEAN = "The :f field must be true or false."
DATE = "The :f field must match the format Y-m-d."
UUID = "The :f field must be a valid UUID."
ARRAY = "The :f field must be an array."

# (body overrides, error key, sentence with :f standing for the key read with spaces)
CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"name": ""}, "name", REQUIRED),
    ({"name": None}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", "The :f field must not be greater than 255 characters."),
    ({"name": 5}, "name", STRING),
    ({"name": ["a"]}, "name", STRING),
    ({"name": "a\u0000b"}, "name", "The :f field must not contain NUL characters."),
    (
        {"description": "d" * 5001},
        "description",
        "The :f field must not be greater than 5000 characters.",
    ),
    ({"description": 1}, "description", STRING),
    ({"description": "a\u0000b"}, "description", "The :f field must not contain NUL characters."),
    ({"target_amount": -1}, "target_amount", "The :f field must be at least 0."),
    (
        {"target_amount": 10**15 + 1},
        "target_amount",
        "The :f field must not be greater than 1000000000000000.",
    ),
    (
        {"target_amount": 10**30},
        "target_amount",
        "The :f field must not be greater than 1000000000000000.",
    ),
    ({"target_amount": 50.5}, "target_amount", INTEGER),
    ({"target_amount": 50.0}, "target_amount", INTEGER),
    ({"target_amount": "5,000"}, "target_amount", INTEGER),
    ({"target_amount": True}, "target_amount", INTEGER),
    ({"progress": -1}, "progress", "The :f field must be at least 0."),
    ({"progress": 101}, "progress", "The :f field must not be greater than 100."),
    ({"progress": "68.5"}, "progress", INTEGER),
    (
        {"timeframe": "t" * 256},
        "timeframe",
        "The :f field must not be greater than 255 characters.",
    ),
    ({"timeframe": 12}, "timeframe", STRING),
    ({"timeframe": "a\u0000b"}, "timeframe", "The :f field must not contain NUL characters."),
    ({"complete_goal_by": "2027-4-28"}, "complete_goal_by", DATE),
    ({"complete_goal_by": "28/04/2027"}, "complete_goal_by", DATE),
    ({"complete_goal_by": "2027-02-30"}, "complete_goal_by", DATE),
    ({"complete_goal_by": "2027-04-28T10:00:00"}, "complete_goal_by", DATE),
    ({"complete_goal_by": 20270428}, "complete_goal_by", DATE),
    ({"priority": 0}, "priority", "The :f field must be at least 1."),
    ({"priority": 6}, "priority", "The :f field must not be greater than 5."),
    ({"priority": "four"}, "priority", INTEGER),
    ({"show_on_circles": "yes"}, "show_on_circles", BOOLEAN),
    ({"show_on_circles": 2}, "show_on_circles", BOOLEAN),
    ({"show_on_circles": None}, "show_on_circles", BOOLEAN),
    ({"visible_to_circles_uuids": "x"}, "visible_to_circles_uuids", ARRAY),
    ({"visible_to_circles_uuids": ["nope"]}, "visible_to_circles_uuids.0", UUID),
    ({"visible_to_circles_uuids": [None]}, "visible_to_circles_uuids.0", UUID),
    ({"account_uuids": ["6c531e26-f0e1-4747-b9a5-c0a6b5d8bee0\n"]}, "account_uuids.0", UUID),
    ({"account_uuids": ["{6c531e26-f0e1-4747-b9a5-c0a6b5d8bee0}"]}, "account_uuids.0", UUID),
    ({"account_uuids": ["6c531e26f0e14747b9a5c0a6b5d8bee0"]}, "account_uuids.0", UUID),
    ({"account_uuids": None}, "account_uuids", REQUIRED),
    ({"account_uuids": []}, "account_uuids", REQUIRED),
    ({"account_uuids": "x"}, "account_uuids", ARRAY),
    ({"account_uuids": {"0": "x"}}, "account_uuids", ARRAY),
]


async def _body(firm: Firm) -> dict[str, Any]:
    client = await firm.client_account()
    return {"account_uuids": [client["uuid"]], "name": "Reduced Mileage"}


def _sentence(template: str, key: str) -> str:
    return template.replace(":f", key.replace("_", " "))


def _case_id(overrides: dict[str, Any]) -> str:
    return ",".join(f"{k}={json.dumps(v)[:24]}" for k, v in overrides.items())


@pytest.mark.parametrize(
    ("overrides", "key", "template"), [pytest.param(*c, id=_case_id(c[0])) for c in CASES]
)
async def test_field_rule(
    shared_firm: Firm,
    valid_body: dict[str, Any],
    overrides: dict[str, Any],
    key: str,
    template: str,
) -> None:
    actor = shared_firm.owner
    before = await goal_count(actor)
    response = await actor.post(GOALS, {**valid_body, **overrides})
    await assert_rejected(actor, response, 422, one_error(key, _sentence(template, key)), before)


async def test_missing_fields_are_each_required(firm: Firm) -> None:
    response = await firm.owner.post(GOALS, {"description": "no owners, no name"})
    expected = {
        "message": "The account uuids field is required. (and 1 more error)",
        "errors": {
            "account_uuids": ["The account uuids field is required."],
            "name": ["The name field is required."],
        },
    }
    await assert_rejected(firm.owner, response, 422, expected, 0)


async def test_more_than_50_owners(firm: Firm) -> None:
    body = await _body(firm)
    owners = body["account_uuids"] * 51
    response = await firm.owner.post(GOALS, {**body, "account_uuids": owners})
    expected = one_error(
        "account_uuids", "The account uuids field must not have more than 50 items."
    )
    await assert_rejected(firm.owner, response, 422, expected, 0)


async def test_malformed_owner_uuids_are_keyed_by_index(firm: Firm) -> None:
    body = await _body(firm)
    owners = [body["account_uuids"][0], "not-a-uuid", 7]
    response = await firm.owner.post(GOALS, {**body, "account_uuids": owners})
    expected = invalid(
        {
            "account_uuids.1": ["The account uuids.1 field must be a valid UUID."],
            "account_uuids.2": ["The account uuids.2 field must be a valid UUID."],
        }
    )
    assert (
        expected["message"] == "The account uuids.1 field must be a valid UUID. (and 1 more error)"
    )
    await assert_rejected(firm.owner, response, 422, expected, 0)


async def test_every_broken_rule_is_reported_in_field_order(firm: Firm) -> None:
    body = {
        "visible_to_circles_uuids": ["x"],
        "priority": 9,
        "progress": 101,
        "name": "",
        "account_uuids": "x",
    }
    response = await firm.owner.post(GOALS, body)
    expected = {
        "message": "The account uuids field must be an array. (and 4 more errors)",
        "errors": {
            "account_uuids": ["The account uuids field must be an array."],
            "name": ["The name field is required."],
            "progress": ["The progress field must not be greater than 100."],
            "priority": ["The priority field must not be greater than 5."],
            "visible_to_circles_uuids.0": [
                "The visible to circles uuids.0 field must be a valid UUID."
            ],
        },
    }
    await assert_rejected(firm.owner, response, 422, expected, 0)


@pytest.mark.parametrize(
    "extremes",
    [
        {"name": "n" * 255, "description": "d" * 5000, "timeframe": "t" * 255},
        {"target_amount": 0, "progress": 0, "priority": 1},
        {"target_amount": 10**15, "progress": 100, "priority": 5},
        {"description": None, "target_amount": None, "progress": None, "timeframe": None},
        {"complete_goal_by": None, "priority": None, "visible_to_circles_uuids": None},
        {"complete_goal_by": "2028-02-29", "visible_to_circles_uuids": []},
        {"unknown_field": {"is": "ignored"}, "show_on_circles": True},
    ],
    ids=lambda v: ",".join(v)[:40],
)
async def test_boundary_values_are_accepted(firm: Firm, extremes: dict[str, Any]) -> None:
    body = await _body(firm)
    response = await firm.owner.post(GOALS, {**body, **extremes})
    assert response.status_code == 201, response.text
    assert await goal_count(firm.owner) == 1
