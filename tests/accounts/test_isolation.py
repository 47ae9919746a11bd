"""Another firm's accounts do not exist: 404 on paths, absent from lists, 422 in bodies,
and acting as another firm's account is 403."""

from __future__ import annotations

from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
    INVALID,
    NOT_FOUND,
    NOT_YOUR_ACCOUNT,
    Cast,
    assert_422,
    assert_body,
    employee,
    errors_of,
    listed,
    total,
    with_account,
)
from tests.helpers import Firm


async def test_paths_to_another_firms_accounts_are_404(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    staff = await employee(shop.owner)
    for record in (client, staff):
        for path in (ACCOUNTS, CLIENTS):
            item = f"{path}/{record['uuid']}"
            assert_body(await rival.owner.get(item), 404, NOT_FOUND)
            assert_body(await rival.owner.put(item, {"first_name": "Stolen"}), 404, NOT_FOUND)
            assert_body(await rival.owner.delete(item), 404, NOT_FOUND)
        assert (await shop.owner.get(f"{ACCOUNTS}/{record['uuid']}")).json() == record


async def test_lists_never_show_another_firms_accounts(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    mine = await rival.client_account()
    for path in (ACCOUNTS, CLIENTS):
        seen = await listed(rival.owner, path)
        assert client["uuid"] not in seen
        assert shop.owner.account_uuid not in seen
        assert mine["uuid"] in seen
        filtered = {"filter[uuid]": f"{client['uuid']},{shop.owner.account_uuid}"}
        assert await listed(rival.owner, path, **filtered) == []


async def test_bodies_naming_another_firms_accounts_are_422(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    staff = await employee(shop.owner)
    before = await total(rival.owner, ACCOUNTS)
    body = {
        "role": "joint",
        "name": "Borrowed",
        "owner_uuids": [client["uuid"]],
        "assigned_adviser_uuid": staff["uuid"],
    }
    errors = errors_of(("assigned_adviser_uuid", INVALID), ("owner_uuids.0", INVALID))
    assert_422(await rival.owner.post(CLIENTS, body), errors)
    assert_422(await rival.owner.post(ACCOUNTS, {**body, "type": "client"}), errors)
    own = await rival.client_account()
    update = {"assigned_paraplanner_uuid": shop.owner.account_uuid}
    response = await rival.owner.put(f"{CLIENTS}/{own['uuid']}", update)
    assert_422(response, errors_of(("assigned_paraplanner_uuid", INVALID)))
    assert await total(rival.owner, ACCOUNTS) == before + 1


async def test_acting_as_another_firms_account_is_403(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    intruder = with_account(rival.owner, shop.owner.account_uuid)
    body = {"first_name": "A", "last_name": "B"}
    for path in (ACCOUNTS, CLIENTS):
        assert_body(await intruder.get(path), 403, NOT_YOUR_ACCOUNT)
        assert_body(await intruder.get(f"{path}/{client['uuid']}"), 403, NOT_YOUR_ACCOUNT)
        assert_body(await intruder.put(f"{path}/{client['uuid']}", body), 403, NOT_YOUR_ACCOUNT)
        assert_body(await intruder.delete(f"{path}/{client['uuid']}"), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.post(CLIENTS, body), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.post(ACCOUNTS, {"type": "client", **body}), 403, NOT_YOUR_ACCOUNT)
    # The shop's own token acting as the rival owner is refused the same way.
    back = with_account(shop.owner, rival.owner.account_uuid)
    assert_body(await back.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
    assert (await shop.owner.get(f"{CLIENTS}/{client['uuid']}")).json() == client
