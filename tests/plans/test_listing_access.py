"""Plan lists (pagination, filters, sorts), visibility by role, permissions, isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Firm
from tests.records_support import (
    INVALID,
    NOT_FOUND,
    PLANS,
    UNAUTHORIZED,
    Cast,
    assert_body,
    assert_meta,
    invalid,
    listed,
    not_allowed,
    say,
)


async def _plan(firm: Firm, accounts: list[str], **extra: Any) -> dict[str, Any]:
    body = {"name": "Plan", "type": "pension", "accounts": accounts, **extra}
    return await firm.owner.created(PLANS, body)


async def _names(firm: Firm, **params: str) -> list[str]:
    response = await firm.owner.get(PLANS, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()["data"]]


async def test_list_pagination_sorts_and_filters(firm: Firm) -> None:
    a, b = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    made = [
        await _plan(firm, [a], name="Delta", type="mortgage", status="proposed"),
        await _plan(firm, [b], name="Alpha", type="annuity"),
        await _plan(firm, [a, b], name="Charlie", type="pension", status="inactive"),
        await _plan(firm, [b], name="Bravo", type="investment"),
    ]
    response = await firm.owner.get(PLANS, params={"per_page": "2", "page": "2"})
    assert response.status_code == 200, response.text
    assert_meta(response.json(), total=4, page=2, per_page=2)
    assert [p["name"] for p in response.json()["data"]] == ["Charlie", "Bravo"]
    assert await _names(firm) == ["Delta", "Alpha", "Charlie", "Bravo"]
    assert await _names(firm, sort="-created_at") == ["Bravo", "Charlie", "Alpha", "Delta"]
    assert await _names(firm, sort="name") == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert await _names(firm, sort="type") == ["Alpha", "Bravo", "Delta", "Charlie"]
    assert await _names(firm, sort="-status") == ["Delta", "Charlie", "Bravo", "Alpha"]
    assert await _names(firm, **{"filter[name]": "ARL"}) == ["Charlie"]
    assert await _names(firm, **{"filter[uuid]": made[1]["uuid"]}) == ["Alpha"]
    assert await _names(firm, **{"filter[type]": "annuity,mortgage"}) == ["Delta", "Alpha"]
    assert await _names(firm, **{"filter[status]": "active"}) == ["Alpha", "Bravo"]
    assert await _names(firm, **{"filter[account_uuids]": a}) == ["Delta", "Charlie"]


async def test_bad_list_parameters(firm: Firm) -> None:
    response = await firm.owner.get(PLANS, params={"filter[policy_number]": "x"})
    allowed = "uuid, name, type, status, account_uuids, tags"
    assert_body(response, 400, not_allowed("filter", "policy_number", allowed))
    response = await firm.owner.get(PLANS, params={"sort": "policy_number"})
    allowed = "created_at, updated_at, name, type, status"
    assert_body(response, 400, not_allowed("sort", "policy_number", allowed))
    response = await firm.owner.get(PLANS, params={"filter[status]": "open"})
    message = "The filter.status filter must be one of: active, inactive, proposed."
    assert_body(response, 422, {"message": message, "errors": {"filter.status": [message]}})


async def test_member_sees_plans_with_an_owner_they_reach(firm: Firm) -> None:
    member = await firm.actor(role="member")
    reached, other = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    await firm.group([member.account_uuid, reached])
    seen = [await _plan(firm, [reached], name="Mine"), await _plan(firm, [other, reached])]
    hidden = await _plan(firm, [other], name="Hidden")
    assert await listed(member, PLANS) == [p["uuid"] for p in seen]
    # The other owner is out of the member's reach: left out.
    owners = [a for a in seen[1]["accounts"] if a["uuid"] == reached]
    assert_body(
        await member.get(f"{PLANS}/{seen[1]['uuid']}"), 200, {**seen[1], "accounts": owners}
    )
    path = f"{PLANS}/{hidden['uuid']}"
    assert_body(await member.get(path), 404, NOT_FOUND)
    assert_body(await member.put(path, {"name": "x"}), 404, NOT_FOUND)
    assert_body(await member.delete(path), 404, NOT_FOUND)
    body = {"name": "New", "type": "pension", "accounts": [reached, other]}
    response = await member.post(PLANS, body)
    assert_body(response, 422, invalid({"accounts.1": [say(INVALID, "accounts.1")]}))
    made = await member.created(PLANS, {**body, "accounts": [reached]})
    assert (await member.put(f"{PLANS}/{made['uuid']}", {"status": "inactive"})).status_code == 200
    assert (await member.delete(f"{PLANS}/{made['uuid']}")).status_code == 204


async def test_client_sees_only_their_plans_and_never_writes(shop: Cast) -> None:
    me = shop.client.account_uuid
    other = (await shop.firm.client_account())["uuid"]
    mine = await _plan(shop.firm, [other, me], name="Mine")
    theirs = await _plan(shop.firm, [other], name="Theirs")
    assert await listed(shop.client, PLANS) == [mine["uuid"]]
    owners = [a for a in mine["accounts"] if a["uuid"] == me]  # not the other owner
    assert_body(await shop.client.get(f"{PLANS}/{mine['uuid']}"), 200, {**mine, "accounts": owners})
    assert_body(await shop.client.get(f"{PLANS}/{theirs['uuid']}"), 404, NOT_FOUND)
    path = f"{PLANS}/{mine['uuid']}"
    body = {"name": "x", "type": "pension", "accounts": [me]}
    assert_body(await shop.client.post(PLANS, body), 403, UNAUTHORIZED)
    assert_body(await shop.client.put(path, {"name": "x"}), 403, UNAUTHORIZED)
    assert_body(await shop.client.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.owner.get(path), 200, mine)


async def test_write_and_delete_permissions(shop: Cast) -> None:
    client = (await shop.firm.client_account())["uuid"]
    made = await _plan(shop.firm, [client], name="Guarded")
    path = f"{PLANS}/{made['uuid']}"
    before = await listed(shop.owner, PLANS)
    body = {"name": "Nope", "type": "pension", "accounts": [client]}
    assert_body(await shop.readonly.post(PLANS, body), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.put(path, {"name": "Nope"}), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.nodelete.delete(path), 403, UNAUTHORIZED)
    assert await listed(shop.owner, PLANS) == before
    assert_body(await shop.readonly.get(path), 200, made)
    assert (await shop.nodelete.put(path, {"name": "Renamed"})).status_code == 200
    assert (await shop.admin.delete(path)).status_code == 204


@pytest.mark.parametrize("method", ["get", "put", "delete"])
async def test_another_firm_gets_404(shop: Cast, rival: Firm, method: str) -> None:
    client = (await shop.firm.client_account())["uuid"]
    made = await _plan(shop.firm, [client], name="Private")
    path = f"{PLANS}/{made['uuid']}"
    call = getattr(rival.owner, method)
    response = await (call(path, {"name": "x"}) if method == "put" else call(path))
    assert_body(response, 404, NOT_FOUND)
    assert made["uuid"] not in await listed(rival.owner, PLANS)
    assert await listed(rival.owner, PLANS, **{"filter[account_uuids]": client}) == []
    body = {"name": "Steal", "type": "pension", "accounts": [client]}
    response = await rival.owner.post(PLANS, body)
    assert_body(response, 422, invalid({"accounts.0": [say(INVALID, "accounts.0")]}))
    assert_body(await shop.owner.get(path), 200, made)
