"""Who may see and write circles: managers, members (through their groups), logins
without write or delete permission, and client accounts (their own circles only)."""

from __future__ import annotations

from tests.accounts.support import (
    CIRCLES,
    INVALID,
    NOT_FOUND,
    UNAUTHORIZED,
    Cast,
    assert_422,
    assert_body,
    errors_of,
    listed,
    total,
)


async def test_member_sees_circles_through_clients_and_groups(shop: Cast) -> None:
    firm = shop.firm
    reached, partner, x, y, z, w = [await firm.client_account() for _ in range(6)]
    mine = await firm.group([shop.member.account_uuid, reached["uuid"]])
    other = await firm.group([shop.admin.account_uuid])
    with_client = await firm.circle([reached["uuid"], partner["uuid"]])
    with_group = await firm.circle([x["uuid"], y["uuid"]], group_uuids=[mine["uuid"]])
    elsewhere = await firm.circle([z["uuid"], w["uuid"]], group_uuids=[other["uuid"]])
    unlinked = await firm.circle([x["uuid"], z["uuid"]])
    assert_body(await shop.member.get(f"{CIRCLES}/{with_group['uuid']}"), 200, with_group)
    # The partner is out of the member's reach: left out of the circle's accounts.
    shown = [a for a in with_client["accounts"] if a["uuid"] == reached["uuid"]]
    body = {**with_client, "accounts": shown}
    assert_body(await shop.member.get(f"{CIRCLES}/{with_client['uuid']}"), 200, body)
    assert_body(await shop.member.get(f"{CIRCLES}/{elsewhere['uuid']}"), 404, NOT_FOUND)
    everything = ",".join(c["uuid"] for c in (with_client, with_group, elsewhere, unlinked))
    seen = await listed(shop.member, CIRCLES, **{"filter[uuid]": everything})
    # x sits in a circle carrying the member's group, so every circle holding x is reached.
    assert seen == [with_client["uuid"], with_group["uuid"], unlinked["uuid"]]


async def test_member_writes_circles_of_clients_they_reach(shop: Cast) -> None:
    firm = shop.firm
    a, b, hidden = [await firm.client_account() for _ in range(3)]
    await firm.group([shop.member.account_uuid, a["uuid"], b["uuid"]])
    made = await shop.member.post(
        CIRCLES, {"name": "Mine", "account_uuids": [a["uuid"], b["uuid"]]}
    )
    assert made.status_code == 201, made.text
    path = f"{CIRCLES}/{made.json()['uuid']}"
    body = {"account_uuids": [a["uuid"], hidden["uuid"]]}
    assert_422(await shop.member.put(path, body), errors_of(("account_uuids.1", INVALID)))
    before = await total(shop.owner, CIRCLES)
    body = {"name": "Hidden", "account_uuids": [a["uuid"], hidden["uuid"]]}
    assert_422(await shop.member.post(CIRCLES, body), errors_of(("account_uuids.1", INVALID)))
    assert await total(shop.owner, CIRCLES) == before
    assert (await shop.member.put(path, {"name": "Ours"})).json()["name"] == "Ours"
    assert (await shop.member.delete(path)).status_code == 204


async def test_member_cannot_touch_circles_they_do_not_see(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    circle = await shop.firm.circle([a["uuid"], b["uuid"]])
    path = f"{CIRCLES}/{circle['uuid']}"
    assert_body(await shop.member.put(path, {"name": "Mine now"}), 404, NOT_FOUND)
    assert_body(await shop.member.delete(path), 404, NOT_FOUND)
    assert_body(await shop.owner.get(path), 200, circle)


async def test_login_without_write_or_delete_permission(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    circle = await shop.firm.circle([a["uuid"], b["uuid"]])
    path = f"{CIRCLES}/{circle['uuid']}"
    body = {"name": "Nope", "account_uuids": [a["uuid"], b["uuid"]]}
    assert_body(await shop.readonly.get(path), 200, circle)
    assert_body(await shop.readonly.post(CIRCLES, body), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.put(path, {"name": "Nope"}), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.nodelete.delete(path), 403, UNAUTHORIZED)
    renamed = await shop.nodelete.put(path, {"name": "Kept"})
    assert renamed.status_code == 200
    assert_body(await shop.owner.get(path), 200, renamed.json())


async def test_client_account_sees_only_its_circles(shop: Cast) -> None:
    me = shop.client.account_uuid
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    group = await shop.firm.group([shop.admin.account_uuid])
    ours = await shop.firm.circle([me, a["uuid"]], group_uuids=[group["uuid"]])
    theirs = await shop.firm.circle([a["uuid"], b["uuid"]])
    # Of what the circle holds, the client may open only its own account.
    mine_only = [x for x in ours["accounts"] if x["uuid"] == me]
    body = {**ours, "accounts": mine_only, "groups": []}
    assert_body(await shop.client.get(f"{CIRCLES}/{ours['uuid']}"), 200, body)
    assert_body(await shop.client.get(f"{CIRCLES}/{theirs['uuid']}"), 404, NOT_FOUND)
    seen = await listed(shop.client, CIRCLES)
    assert ours["uuid"] in seen
    assert theirs["uuid"] not in seen
    path = f"{CIRCLES}/{ours['uuid']}"
    body = {"name": "Mine", "account_uuids": [me, a["uuid"]]}
    assert_body(await shop.client.post(CIRCLES, body), 403, UNAUTHORIZED)
    assert_body(await shop.client.put(path, {"name": "Mine"}), 403, UNAUTHORIZED)
    assert_body(await shop.client.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.owner.get(path), 200, ours)
