"""Racing writes to one account's logins never fail with a 5xx: the account's row lock
serialises them, so one email gets one login and the account one primary login."""

from __future__ import annotations

import asyncio

from tests.accounts.support import Cast
from tests.logins.support import FLAGS, made, path, person


async def test_one_new_email_raced_onto_one_account_gets_one_login(shop: Cast) -> None:
    client = await shop.firm.client_account()
    body = person()
    responses = await asyncio.gather(
        *(shop.owner.post(path(client["uuid"]), body) for _ in range(6))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 422, 422, 422, 422, 422], [r.text for r in responses]
    listed = (await shop.owner.get(path(client["uuid"]))).json()["data"]
    assert [(x["email"], x["primary"]) for x in listed] == [(body["email"], True)]


async def test_raced_primaries_leave_one(shop: Cast) -> None:
    client = await shop.firm.client_account()
    logins = [await made(shop.owner, client["uuid"]) for _ in range(5)]
    base = path(client["uuid"])
    responses = await asyncio.gather(
        *(shop.owner.put(f"{base}/{x['uuid']}", {**FLAGS, "primary": True}) for x in logins)
    )
    assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
    listed = (await shop.owner.get(base)).json()["data"]
    assert sum(x["primary"] for x in listed) == 1
