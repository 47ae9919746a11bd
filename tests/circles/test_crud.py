"""Circles: create, list, show, update and delete, field by field."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    ACCOUNTS,
    CIRCLES,
    CLIENTS,
    COMPACT_KEYS,
    NOT_FOUND,
    TIMESTAMP,
    UUID,
    Cast,
    assert_body,
    assert_page,
    compact_of,
    joint,
    listed,
    unknown,
)
from tests.helpers import Firm


def compact_group(group: dict[str, Any]) -> dict[str, Any]:
    return {"uuid": group["uuid"], "name": group["name"], "slug": group["slug"]}


async def test_create_renders_every_field(shop: Cast) -> None:
    zed = await shop.firm.client_account(first_name="Zed", last_name="Z")
    amy = await shop.firm.client_account(first_name="Amy", last_name="A")
    bob = await shop.firm.client_account(first_name="Bob", last_name="B")
    north = await shop.firm.group([], name="North")
    east = await shop.firm.group([], name="East")
    body = {
        "name": "The Household",
        "account_uuids": [zed["uuid"], amy["uuid"], bob["uuid"]],
        "group_uuids": [north["uuid"], east["uuid"]],
        "bg_colour": "#DDDDDD",
    }
    response = await shop.owner.post(CIRCLES, body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert list(data) == [
        "uuid",
        "name",
        "photo_url",
        "bg_colour",
        "accounts",
        "groups",
        "joint_account_uuid",
        "external_references",
        "current_life_stage_uuid",
        "created_at",
        "updated_at",
    ]
    assert data["photo_url"] == "http://test/avatar.svg?name=The+Household"
    assert (data["bg_colour"], data["joint_account_uuid"], data["external_references"]) == (
        "#DDDDDD",
        None,
        [],
    )
    assert UUID.match(data["uuid"])
    assert data["name"] == "The Household"
    assert data["accounts"] == [compact_of(amy), compact_of(bob), compact_of(zed)]
    assert all(set(a) == COMPACT_KEYS for a in data["accounts"])
    assert data["groups"] == [compact_group(east), compact_group(north)]
    assert TIMESTAMP.match(data["created_at"])
    assert data["updated_at"] == data["created_at"]


async def test_groups_default_to_none(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    body = {"name": "No Groups", "account_uuids": [a["uuid"], b["uuid"]]}
    assert (await shop.owner.created(CIRCLES, body))["groups"] == []


async def test_any_client_role_may_be_a_member(shop: Cast) -> None:
    a = await shop.firm.client_account()
    shared = await joint(shop.firm, [a["uuid"]])
    data = await shop.firm.circle([a["uuid"], shared["uuid"]])
    assert {x["uuid"] for x in data["accounts"]} == {a["uuid"], shared["uuid"]}


async def test_show_and_list(firm: Firm) -> None:
    a, b = await firm.client_account(), await firm.client_account()
    first = await firm.circle([a["uuid"], b["uuid"]])
    second = await firm.circle([b["uuid"], a["uuid"]])
    assert_body(await firm.owner.get(f"{CIRCLES}/{first['uuid']}"), 200, first)
    response = await firm.owner.get(CIRCLES)
    assert response.status_code == 200
    body = response.json()
    assert_page(body, total=2, path=CIRCLES)
    assert body["data"] == [first, second]


async def test_update_changes_only_the_given_fields(shop: Cast) -> None:
    a, b, c = [await shop.firm.client_account() for _ in range(3)]
    group = await shop.firm.group([])
    circle = await shop.firm.circle([a["uuid"], b["uuid"]], group_uuids=[group["uuid"]])
    path = f"{CIRCLES}/{circle['uuid']}"
    renamed = await shop.owner.put(path, {"name": "Renamed"})
    assert renamed.status_code == 200, renamed.text
    data = renamed.json()
    assert data["name"] == "Renamed"
    assert (data["accounts"], data["groups"]) == (circle["accounts"], circle["groups"])
    assert data["updated_at"] >= circle["updated_at"]
    moved = (await shop.owner.put(path, {"account_uuids": [c["uuid"], b["uuid"]]})).json()
    assert {x["uuid"] for x in moved["accounts"]} == {b["uuid"], c["uuid"]}
    assert (moved["name"], moved["groups"]) == ("Renamed", circle["groups"])
    cleared = (await shop.owner.put(path, {"group_uuids": []})).json()
    assert cleared["groups"] == []
    assert cleared["accounts"] == moved["accounts"]
    assert_body(await shop.owner.get(path), 200, cleared)


async def test_membership_shows_on_the_accounts(shop: Cast) -> None:
    a, b, c = [await shop.firm.client_account() for _ in range(3)]
    circle = await shop.firm.circle([a["uuid"], b["uuid"]], name="Shown House")
    entry = {"uuid": circle["uuid"], "name": "Shown House", "login_access_level": None}
    assert (await shop.owner.get(f"{CLIENTS}/{a['uuid']}")).json()["circles"] == [entry]
    await shop.owner.put(f"{CIRCLES}/{circle['uuid']}", {"account_uuids": [b["uuid"], c["uuid"]]})
    assert (await shop.owner.get(f"{CLIENTS}/{a['uuid']}")).json()["circles"] == []
    assert (await shop.owner.get(f"{CLIENTS}/{c['uuid']}")).json()["circles"] == [entry]


async def test_delete_then_404(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    circle = await shop.firm.circle([a["uuid"], b["uuid"]])
    path = f"{CIRCLES}/{circle['uuid']}"
    response = await shop.owner.delete(path)
    assert (response.status_code, response.content) == (204, b"")
    assert_body(await shop.owner.get(path), 404, NOT_FOUND)
    assert_body(await shop.owner.put(path, {"name": "Back"}), 404, NOT_FOUND)
    assert_body(await shop.owner.delete(path), 404, NOT_FOUND)
    assert circle["uuid"] not in await listed(shop.owner, CIRCLES)
    shown = await shop.owner.get(f"{ACCOUNTS}/{a['uuid']}")
    assert (shown.status_code, shown.json()["circles"]) == (200, [])


async def test_deleted_group_leaves_the_circle(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    group = await shop.firm.group([])
    circle = await shop.firm.circle([a["uuid"], b["uuid"]], group_uuids=[group["uuid"]])
    assert (await shop.owner.delete(f"/api/v1/group/{group['uuid']}")).status_code == 204
    assert (await shop.owner.get(f"{CIRCLES}/{circle['uuid']}")).json()["groups"] == []


async def test_malformed_path_uuid_is_404(shop: Cast) -> None:
    assert_body(await shop.owner.get(f"{CIRCLES}/nope"), 404, NOT_FOUND)
    assert_body(await shop.owner.put(f"{CIRCLES}/nope", {}), 404, NOT_FOUND)
    assert_body(await shop.owner.delete(f"{CIRCLES}/nope"), 404, NOT_FOUND)
    assert_body(await shop.owner.get(f"{CIRCLES}/{unknown()}%0A"), 404, NOT_FOUND)
