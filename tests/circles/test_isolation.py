"""Another firm's circles, and the accounts and groups they name, do not exist."""

from __future__ import annotations

from tests.accounts.support import (
    CIRCLES,
    INVALID,
    NOT_FOUND,
    NOT_YOUR_ACCOUNT,
    Cast,
    assert_422,
    assert_body,
    errors_of,
    listed,
    total,
    with_account,
)
from tests.helpers import Firm


async def test_paths_to_another_firms_circle_are_404(shop: Cast, rival: Firm) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    circle = await shop.firm.circle([a["uuid"], b["uuid"]])
    path = f"{CIRCLES}/{circle['uuid']}"
    assert_body(await rival.owner.get(path), 404, NOT_FOUND)
    assert_body(await rival.owner.put(path, {"name": "Taken"}), 404, NOT_FOUND)
    assert_body(await rival.owner.delete(path), 404, NOT_FOUND)
    assert_body(await shop.owner.get(path), 200, circle)


async def test_lists_never_show_another_firms_circles(shop: Cast, rival: Firm) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    circle = await shop.firm.circle([a["uuid"], b["uuid"]])
    assert circle["uuid"] not in await listed(rival.owner, CIRCLES)
    assert await listed(rival.owner, CIRCLES, **{"filter[uuid]": circle["uuid"]}) == []
    by_account = {"filter[account_uuids]": a["uuid"]}
    assert await listed(rival.owner, CIRCLES, **by_account) == []


async def test_bodies_naming_another_firms_records_are_422(shop: Cast, rival: Firm) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    group = await shop.firm.group([])
    mine = [(await rival.client_account())["uuid"] for _ in range(2)]
    before = await total(rival.owner, CIRCLES)
    body = {"name": "Mixed", "account_uuids": [mine[0], a["uuid"]], "group_uuids": [group["uuid"]]}
    errors = errors_of(("account_uuids.1", INVALID), ("group_uuids.0", INVALID))
    assert_422(await rival.owner.post(CIRCLES, body), errors)
    assert await total(rival.owner, CIRCLES) == before
    circle = await rival.circle(mine)
    path = f"{CIRCLES}/{circle['uuid']}"
    body = {"account_uuids": [a["uuid"], b["uuid"]], "group_uuids": [group["uuid"]]}
    errors = errors_of(
        ("account_uuids.0", INVALID), ("account_uuids.1", INVALID), ("group_uuids.0", INVALID)
    )
    assert_422(await rival.owner.put(path, body), errors)
    assert_body(await rival.owner.get(path), 200, circle)


async def test_acting_as_another_firms_account_is_403(shop: Cast, rival: Firm) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    circle = await shop.firm.circle([a["uuid"], b["uuid"]])
    intruder = with_account(rival.owner, shop.owner.account_uuid)
    path = f"{CIRCLES}/{circle['uuid']}"
    assert_body(await intruder.get(CIRCLES), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.get(path), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.put(path, {"name": "X"}), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.delete(path), 403, NOT_YOUR_ACCOUNT)
    body = {"name": "X", "account_uuids": [a["uuid"], b["uuid"]]}
    assert_body(await intruder.post(CIRCLES, body), 403, NOT_YOUR_ACCOUNT)
    assert_body(await shop.owner.get(path), 200, circle)
