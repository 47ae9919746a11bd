"""GET /api/v1/logins: the token user's logins, across accounts and firms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text, update

from advisercrm.auth.service import issue_token
from advisercrm.firms.service import add_person
from advisercrm.tables import logins, users
from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
    FIRM_KEYS,
    LOGIN_FLAGS,
    LOGIN_KEYS,
    LOGINS,
    NOT_YOUR_ACCOUNT,
    TIMESTAMP,
    UNAUTHORIZED,
    UUID,
    Cast,
    assert_body,
    assert_page,
    compact_of,
    with_account,
)
from tests.helpers import Actor, Firm, auth_settled


async def hat(firm: Firm, home: Firm, role: str = "member") -> str:
    """Another account on `firm` for the user who owns `home`; its uuid."""
    names = {"type": "employee", "role": role, "first_name": "Second", "last_name": "Hat"}
    async with firm.app.state.engine.begin() as conn:
        person = await add_person(
            conn, firm.firm_id, names, home.emails[0], home.password, write=False
        )
    return person.account_uuid


async def login_page(actor: Actor) -> dict[str, Any]:
    response = await actor.client.get(LOGINS, headers={"Authorization": f"Bearer {actor.token}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_login_resource_field_by_field(firm: Firm) -> None:
    body = await login_page(firm.owner)
    assert_page(body, total=1, path=LOGINS, per_page=1)
    [login] = body["data"]
    assert set(login) == LOGIN_KEYS
    assert UUID.match(login["uuid"])
    assert login["has_write_permission"] is True
    assert login["has_delete_permission"] is True
    assert login["primary"] is True
    assert login["expires_at"] is None
    assert TIMESTAMP.match(login["created_at"]) and TIMESTAMP.match(login["updated_at"])
    assert {flag: login[flag] for flag in LOGIN_FLAGS} == dict.fromkeys(LOGIN_FLAGS, False)
    account = (await firm.owner.get(f"{ACCOUNTS}/{firm.owner.account_uuid}")).json()
    # The user's names are the account's until the user has names of their own.
    assert (login["first_name"], login["last_name"]) == (
        account["first_name"],
        account["last_name"],
    )
    assert login["email"] == firm.emails[0]
    assert (login["user_type"], login["is_impersonated"]) == ("employee", False)
    assert login["preferred_account_uuid"] == firm.owner.account_uuid
    assert login["account"] == compact_of(account)
    assert set(login["firm"]) == FIRM_KEYS
    assert login["firm"]["uuid"] == firm.firm_uuid
    assert login["firm"]["name"].startswith("Firm ")
    assert (login["firm"]["currency"], login["firm"]["timezone"]) == ("GBP", "Europe/London")


async def test_permissions_are_reported(shop: Cast) -> None:
    for actor, write, delete in (
        (shop.readonly, False, False),
        (shop.nodelete, True, False),
        (shop.member, True, True),
    ):
        [login] = (await login_page(actor))["data"]
        assert (login["has_write_permission"], login["has_delete_permission"]) == (write, delete)


async def test_a_user_with_several_accounts_and_firms(firm: Firm, rival: Firm) -> None:
    here = await hat(firm, firm)
    there = await hat(rival, firm, "admin")
    body = await login_page(firm.owner)
    assert_page(body, total=3, path=LOGINS, per_page=3)
    data = body["data"]
    assert [x["account"]["uuid"] for x in data] == [firm.owner.account_uuid, here, there]
    assert [x["primary"] for x in data] == [True, False, False]
    assert [x["firm"]["uuid"] for x in data] == [firm.firm_uuid, firm.firm_uuid, rival.firm_uuid]
    assert data[2]["account"]["role"] == "admin"
    assert data[1]["has_write_permission"] is False


async def test_an_expired_login_cannot_act(shop: Cast) -> None:
    actor = await shop.firm.actor()
    account_id = await shop.firm.account_id(actor.account_uuid)
    async with shop.firm.app.state.engine.begin() as conn:
        await conn.execute(
            update(logins)
            .where(logins.c.firm_id == shop.firm.firm_id, logins.c.account_id == account_id)
            .values(expires_at=func.now() - text("interval '1 minute'"))
        )
    await auth_settled(shop.firm.app)
    assert_body(await actor.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
    [login] = (await login_page(actor))["data"]
    assert login["expires_at"] is not None


async def test_a_login_made_with_an_account(shop: Cast) -> None:
    email = f"new-login-{shop.firm.firm_id}@example.com"
    body = {
        "first_name": "Logged",
        "last_name": "In",
        "email": email,
        "login": {"password": "a long password", "has_write_permission": False},
    }
    created = await shop.owner.created(CLIENTS, body)
    async with shop.firm.app.state.engine.begin() as conn:
        user_id = (await conn.execute(select(users.c.id).where(users.c.email == email))).scalar()
        token, _ = await issue_token(conn, int(user_id), "t", shop.firm.app.state.secret_key)
    actor = Actor(shop.firm.client, token, created["uuid"])
    [login] = (await login_page(actor))["data"]
    assert login["account"] == compact_of(created)
    assert (login["primary"], login["has_write_permission"]) == (True, False)
    assert login["has_delete_permission"] is True
    assert (await actor.get(f"{CLIENTS}/{created['uuid']}")).json() == created
    assert_body(await actor.put(f"{CLIENTS}/{created['uuid']}", {}), 403, UNAUTHORIZED)
    # The new user holds no login on anyone else's account.
    elsewhere = with_account(actor, shop.owner.account_uuid)
    assert_body(await elsewhere.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
