"""Replay of Plannr's case pages."""

from __future__ import annotations

import pytest

from tests.helpers import Firm
from tests.replay.support import (
    INT,
    MONEY,
    NULL,
    STR,
    assert_list,
    check_types,
    nullable,
    page,
    round_trip,
)  # fmt: skip

LIST = page("operation-getapiv1cases")
CREATE = page("operation-postapiv1cases")
CASES = "/api/v1/cases"
CASE = {"uuid": STR, "name": STR, "value": nullable(MONEY), "review_at": (STR, NULL),
        "participants_count": INT, "participants": {"uuid": STR, "name": STR},
        "created_at": STR, "updated_at": STR}  # fmt: skip
SOME = "6ff8f7f6-1eb3-3525-be4a-3932c805afed"


async def _case(firm: Firm) -> dict[str, str]:
    client = await firm.client_account()
    body = {"name": "Case", "participants": [client["uuid"]], "value": 15099,
            "review_at": "2025-04-02 13:27:57"}  # fmt: skip
    return await firm.owner.created(CASES, body)


PARAMETERS = [
    *[({"include": i}, ()) for i in ("participants", "participants_count", "groups",
                                     "assigned_to")],
    ({"include": "type"}, ()), ({"include": "status"}, ()),
    ({"include": "tags"}, ()),
    ({"include": "plans"}, ()), ({"include": "custom_fields"}, ()),
    ({"filter[uuid]": SOME}, ()), ({"filter[account_uuids]": SOME}, ()),
    ({"filter[circle_uuids]": SOME}, ()), ({"filter[employee_account_uuids]": SOME}, ()),
    ({"filter[plan_uuid]": SOME}, ()),
    ({"filter[review_at_after]": "2024-01-01"}, ()),
    ({"filter[review_at_before]": "2030-01-01"}, ()),
    ({"filter[completed]": "true"}, ()), ({"filter[in_progress]": "true"}, ()),
    ({"filter[type]": SOME}, ()), ({"filter[status]": SOME}, ()),
    ({"filter[completed_after]": "2024-01-01"}, ()),
    ({"filter[completed_before]": "2024-01-01"}, ()),
    ({"filter[tags]": "vip"}, ()),
    ({"sort": "name"}, ()), ({"sort": "-created_at"}, ()), ({"sort": "value"}, ()),
    ({"sort": "review_at"}, ()), ({"sort": "status_position"}, ()),
    ({"sort": "completed_at"}, ()), ({"per_page": "500"}, ()),
]  # fmt: skip


@pytest.mark.parametrize("query", [pytest.param(q, marks=m, id=str(q)) for q, m in PARAMETERS])
async def test_documented_parameter_is_served(firm: Firm, query: dict[str, str]) -> None:
    """LIST"""
    await _case(firm)
    for item in assert_list(await firm.owner.get(CASES, params=query))["data"]:
        check_types(item, CASE)


async def test_circle_employee_and_review_filters(firm: Firm) -> None:
    """LIST: circle_uuids (a participant in the circle), employee_account_uuids (assigned
    to), review_at_after / review_at_before (days in the firm's zone)."""
    one, two = await firm.client_account(), await firm.client_account()
    circle = await firm.circle([one["uuid"], two["uuid"]])
    adviser = await firm.actor()
    made = await firm.owner.created(CASES, {
        "name": "A", "participants": [one["uuid"]], "assigned_to_uuids": [adviser.account_uuid],
        "review_at": "2025-06-10"})  # fmt: skip
    await _case(firm)

    async def listed(**query: str) -> list[str]:
        body = assert_list(await firm.owner.get(CASES, params=query))
        return [c["uuid"] for c in body["data"]]

    assert await listed(**{"filter[circle_uuids]": circle["uuid"]}) == [made["uuid"]]
    assert await listed(**{"filter[employee_account_uuids]": adviser.account_uuid}) == [
        made["uuid"]]  # fmt: skip
    assert await listed(**{"filter[account_uuids]": one["uuid"]}) == [made["uuid"]]
    assert await listed(**{"filter[review_at_after]": "2025-06-09",
                           "filter[review_at_before]": "2025-06-11"}) == [made["uuid"]]  # fmt: skip
    assert await listed(**{"filter[plan_uuid]": made["uuid"]}) == []


async def test_absent_includes_are_empty(firm: Firm) -> None:
    """LIST: custom_fields names data not kept here: shown empty; plans are always shown."""
    await _case(firm)
    body = assert_list(await firm.owner.get(CASES, params={"include": "plans,custom_fields"}))
    assert (body["data"][0]["plans"], body["data"][0]["custom_fields"]) == ([], [])
    plain = assert_list(await firm.owner.get(CASES))["data"][0]
    assert plain["plans"] == [] and "custom_fields" not in plain


async def test_create_example(firm: Firm) -> None:
    """CREATE: name, participants, assigned_to_uuids, group_uuids, review_at, value
    (pennies, the page's 15099); status, type and plans are ignored here."""
    client = await firm.client_account()
    adviser = await firm.actor()
    group = await firm.group([])
    body = {"name": "Pension transfer", "participants": [client["uuid"]],
            "assigned_to_uuids": [adviser.account_uuid], "group_uuids": [group["uuid"]],
            "review_at": "2025-04-02 13:27:57", "value": 15099}  # fmt: skip
    response = await firm.owner.post(CASES, body)
    assert response.status_code == 201, response.text
    made = response.json()
    check_types(made, CASE)
    assert made["value"] == {"amount": "15099", "currency": "GBP", "formatted": "£150.99"}


async def test_value_as_integer_string(firm: Firm) -> None:
    """An integer rule takes "15099" as Laravel does."""
    client = await firm.client_account()
    made = await firm.owner.created(CASES, {"name": "S", "participants": [client["uuid"]],
                                            "value": "15099"})  # fmt: skip
    assert made["value"]["amount"] == "15099"


async def test_round_trip(firm: Firm) -> None:
    made = await _case(firm)
    await round_trip(firm.owner, f"{CASES}/{made['uuid']}")
