"""Another firm's groups, and the accounts they name, do not exist."""

from __future__ import annotations

from tests.accounts.support import (
    GROUPS,
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


async def test_paths_to_another_firms_group_are_404(shop: Cast, rival: Firm) -> None:
    group = await shop.firm.group([shop.owner.account_uuid])
    path = f"{GROUPS}/{group['uuid']}"
    assert_body(await rival.owner.get(path), 404, NOT_FOUND)
    assert_body(await rival.owner.put(path, {"name": "Taken"}), 404, NOT_FOUND)
    assert_body(await rival.owner.delete(path), 404, NOT_FOUND)
    assert_body(await shop.owner.get(path), 200, group)


async def test_lists_never_show_another_firms_groups(shop: Cast, rival: Firm) -> None:
    group = await shop.firm.group([])
    assert group["uuid"] not in await listed(rival.owner, GROUPS)
    assert await listed(rival.owner, GROUPS, **{"filter[uuid]": group["uuid"]}) == []


async def test_bodies_naming_another_firms_accounts_are_422(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    before = await total(rival.owner, GROUPS)
    body = {"name": "Poach", "participants": [rival.owner.account_uuid, client["uuid"]]}
    assert_422(await rival.owner.post(GROUPS, body), errors_of(("participants.1", INVALID)))
    assert await total(rival.owner, GROUPS) == before
    group = await rival.group([])
    path = f"{GROUPS}/{group['uuid']}"
    update = {"participants": [shop.owner.account_uuid]}
    assert_422(await rival.owner.put(path, update), errors_of(("participants.0", INVALID)))
    assert_body(await rival.owner.get(path), 200, group)


async def test_acting_as_another_firms_account_is_403(shop: Cast, rival: Firm) -> None:
    group = await shop.firm.group([])
    intruder = with_account(rival.owner, shop.owner.account_uuid)
    path = f"{GROUPS}/{group['uuid']}"
    assert_body(await intruder.get(GROUPS), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.post(GROUPS, {"name": "X"}), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.get(path), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.put(path, {"name": "X"}), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.delete(path), 403, NOT_YOUR_ACCOUNT)
    assert_body(await shop.owner.get(path), 200, group)
