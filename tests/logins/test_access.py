"""Who manages logins, and an expired login through the real authentication path."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    ACCOUNTS,
    NOT_FOUND,
    NOT_YOUR_ACCOUNT,
    UNAUTHORIZED,
    Cast,
    assert_body,
    employee,
    unknown,
)
from tests.helpers import Actor, Firm
from tests.logins.support import FLAGS, made, path, person


async def own_login(shop: Cast, actor: Actor) -> dict[str, Any]:
    [login] = (await shop.owner.get(path(actor.account_uuid))).json()["data"]
    return login


async def test_an_expired_login_stops_acting_at_once(shop: Cast) -> None:
    actor = await shop.firm.actor(role="member")
    assert (await actor.get(ACCOUNTS)).status_code == 200
    login = await own_login(shop, actor)
    expired = await shop.owner.post(f"{path(actor.account_uuid)}/{login['uuid']}/expire")
    assert expired.status_code == 200, expired.text
    assert_body(await actor.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
    # A later expiry set with PUT lets it act again; one in the past stops it again.
    target = f"{path(actor.account_uuid)}/{login['uuid']}"
    later = await shop.owner.put(target, {**FLAGS, "expires_at": "2099-01-01T00:00:00Z"})
    assert later.status_code == 200, later.text
    assert (await actor.get(ACCOUNTS)).status_code == 200
    # A naive moment is the firm's wall-clock time (London: GMT in January).
    past = await shop.owner.put(target, {**FLAGS, "expires_at": "2001-01-01"})
    assert past.json()["expires_at"] == "2001-01-01T00:00:00+00:00"
    assert_body(await actor.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)


async def test_permission_flags_set_by_put_take_effect(shop: Cast) -> None:
    actor = await shop.firm.actor(role="member")
    login = await own_login(shop, actor)
    target = f"{path(actor.account_uuid)}/{login['uuid']}"
    response = await shop.owner.put(target, {**FLAGS, "has_write_permission": False})
    assert response.status_code == 200, response.text
    made_client = await actor.post("/api/v1/client", {"first_name": "A", "last_name": "B"})
    assert_body(made_client, 403, UNAUTHORIZED)


async def test_a_member_is_refused_and_a_hidden_client_is_missing(shop: Cast) -> None:
    staff = await employee(shop.owner)
    hidden = await shop.firm.client_account()
    reached = await shop.firm.client_account()
    await shop.firm.group([reached["uuid"], shop.member.account_uuid])
    login = await made(shop.owner, staff["uuid"])
    for account, status, body in (
        (staff, 403, UNAUTHORIZED),
        (reached, 403, UNAUTHORIZED),
        (hidden, 404, NOT_FOUND),
    ):
        base = path(account["uuid"])
        assert_body(await shop.member.get(base), status, body)
        assert_body(await shop.member.post(base, person()), status, body)
    assert_body(
        await shop.member.put(f"{path(staff['uuid'])}/{login['uuid']}", FLAGS), 403, UNAUTHORIZED
    )
    expire = f"{path(staff['uuid'])}/{login['uuid']}/expire"
    assert_body(await shop.member.post(expire), 403, UNAUTHORIZED)
    # The client caller sees only itself, and may not manage its own logins.
    assert_body(await shop.client.get(path(staff["uuid"])), 404, NOT_FOUND)
    assert_body(await shop.client.get(path(shop.client.account_uuid)), 403, UNAUTHORIZED)


async def test_admins_manage_logins_but_not_an_owners(shop: Cast) -> None:
    client = await shop.firm.client_account()
    assert (await shop.admin.post(path(client["uuid"]), person())).status_code == 201
    owner_logins = path(shop.owner.account_uuid)
    assert_body(await shop.admin.get(owner_logins), 403, UNAUTHORIZED)
    assert_body(await shop.admin.post(owner_logins, person()), 403, UNAUTHORIZED)
    assert (await shop.owner.get(owner_logins)).status_code == 200


async def test_read_only_admins_list_but_do_not_write(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"])
    assert (await shop.readonly.get(path(client["uuid"]))).json()["data"] == [login]
    assert_body(await shop.readonly.post(path(client["uuid"]), person()), 403, UNAUTHORIZED)
    expire = f"{path(client['uuid'])}/{login['uuid']}/expire"
    assert_body(await shop.readonly.post(expire), 403, UNAUTHORIZED)
    assert (await shop.nodelete.post(expire)).status_code == 200


async def test_another_firms_account_and_login_are_missing(shop: Cast, rival: Firm) -> None:
    theirs = await rival.client_account()
    their_login = await made(rival.owner, theirs["uuid"])
    mine = await shop.firm.client_account()
    assert_body(await shop.owner.get(path(theirs["uuid"])), 404, NOT_FOUND)
    assert_body(await shop.owner.post(path(theirs["uuid"]), person()), 404, NOT_FOUND)
    for login_uuid in (their_login["uuid"], unknown(), "not-a-uuid"):
        target = f"{path(mine['uuid'])}/{login_uuid}"
        assert_body(await shop.owner.put(target, FLAGS), 404, NOT_FOUND)
        assert_body(await shop.owner.post(f"{target}/expire"), 404, NOT_FOUND)
    # A login of another account of the same firm is not this account's.
    other = await made(shop.owner, (await shop.firm.client_account())["uuid"])
    assert_body(
        await shop.owner.put(f"{path(mine['uuid'])}/{other['uuid']}", FLAGS), 404, NOT_FOUND
    )
