"""Replay of Plannr's circle pages."""

from __future__ import annotations

import pytest

from tests.helpers import Firm
from tests.replay.support import (
    STR,
    assert_list,
    check_types,
    page,
    round_trip,
)  # fmt: skip

LIST = page("operation-get-api-v1-circles")
CREATE = page("operation-postapiv1circles")
CREATE_OLD = page("operation-post-api-v1-circles")
UPDATE = page("operation-putapiv1circlesuuid")
UPDATE_OLD = page("operation-put-api-v1-circles-parameter")
CIRCLES = "/api/v1/circles"
MEMBER = {"uuid": STR, "name": STR, "type": STR, "role": STR, "photo_url": STR}
CIRCLE = {"uuid": STR, "name": STR, "created_at": STR, "updated_at": STR,
          "accounts": MEMBER, "groups": {"uuid": STR, "name": STR, "slug": STR}}  # fmt: skip


async def _circle(firm: Firm) -> dict[str, str]:
    one, two = await firm.client_account(), await firm.client_account()
    group = await firm.group([])
    return await firm.circle([one["uuid"], two["uuid"]], group_uuids=[group["uuid"]])


@pytest.mark.parametrize(
    "query",
    [{"filter[uuid]": "59899c0c-2e52-4676-b5ae-949f63faaaee"},
     {"filter[account_uuids]": "59899c0c-2e52-4676-b5ae-949f63faaaee"},
     {"filter[group_uuids]": "59899c0c-2e52-4676-b5ae-949f63faaaee"},
     {"filter[name]": "Jones"}, {"include": "accounts"}, {"include": "groups"},
     {"include": "firm"},
     {"sort": "name"}, {"sort": "-created_at"}, {"sort": "updated_at"}, {"per_page": "500"}],
    ids=str,
)  # fmt: skip
async def test_documented_parameter_is_served(firm: Firm, query: dict[str, str]) -> None:
    """LIST"""
    await _circle(firm)
    for item in assert_list(await firm.owner.get(CIRCLES, params=query))["data"]:
        check_types(item, CIRCLE)


async def test_include_firm(firm: Firm) -> None:
    """LIST: include=firm embeds the firm, with the documented fields this server keeps."""
    await _circle(firm)
    listed = assert_list(await firm.owner.get(CIRCLES, params={"include": "firm"}))
    for item in listed["data"]:
        check_types(item["firm"], {"uuid": STR, "created_at": STR, "updated_at": STR, "name": STR})


async def test_group_uuids_filter(firm: Firm) -> None:
    """LIST: filter[group_uuids] holds circles carrying any of the groups."""
    made = await _circle(firm)
    await _circle(firm)
    group = made["groups"][0]["uuid"]  # type: ignore[index]
    listed = assert_list(await firm.owner.get(CIRCLES, params={"filter[group_uuids]": group}))
    assert [c["uuid"] for c in listed["data"]] == [made["uuid"]]


async def test_create_example(firm: Firm) -> None:
    """CREATE / CREATE_OLD: the example body, its null placeholders replaced by records."""
    one, two = await firm.client_account(), await firm.client_account()
    groups = [(await firm.group([]))["uuid"] for _ in range(2)]
    body = {"name": "Jones Family", "account_uuids": [one["uuid"], two["uuid"]],
            "group_uuids": groups}  # fmt: skip
    response = await firm.owner.post(CIRCLES, body)
    assert response.status_code == 201, response.text
    check_types(response.json(), CIRCLE)


async def test_newer_fields(firm: Firm) -> None:
    """CREATE (newest): bg_colour in; joint_account_uuid and external_references out."""
    one, two = await firm.client_account(), await firm.client_account()
    body = {"name": "J", "account_uuids": [one["uuid"], two["uuid"]], "bg_colour": "#ff0000"}
    made = await firm.owner.created(CIRCLES, body)
    assert made["bg_colour"] == "#ff0000" and "joint_account_uuid" in made
    assert made["external_references"] == []


async def test_update_example(firm: Firm) -> None:
    """UPDATE_OLD: name and account_uuids (2 to 50)."""
    made = await _circle(firm)
    one, two = await firm.client_account(), await firm.client_account()
    body = {"name": "Jones Family", "account_uuids": [one["uuid"], two["uuid"]]}
    response = await firm.owner.put(f"{CIRCLES}/{made['uuid']}", body)
    assert response.status_code == 200, response.text
    assert {a["uuid"] for a in response.json()["accounts"]} == {one["uuid"], two["uuid"]}


async def test_update_newest(firm: Firm) -> None:
    """UPDATE (newest): 1 to 100 accounts (UPDATE_OLD and CREATE_OLD: 2 to 50), named
    by `accounts` objects with a login_access_level; bg_colour."""
    made = await _circle(firm)
    one = await firm.client_account()
    body = {"accounts": [{"uuid": one["uuid"], "login_access_level": "read"}],
            "bg_colour": "#00ff00"}  # fmt: skip
    response = await firm.owner.put(f"{CIRCLES}/{made['uuid']}", body)
    assert response.status_code == 200, response.text
    assert [a["uuid"] for a in response.json()["accounts"]] == [one["uuid"]]


async def test_round_trip(firm: Firm) -> None:
    made = await _circle(firm)
    await round_trip(firm.owner, f"{CIRCLES}/{made['uuid']}")
