"""An account's logins: list, create, update, expire; field by field and rule by rule."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from advisercrm.kit.times import INVALID_DATETIME
from advisercrm.tables import users
from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
    FIRM_KEYS,
    LOGIN_FLAGS,
    LOGIN_KEYS,
    NOT_BOOL,
    REQUIRED,
    TIMESTAMP,
    UUID,
    Cast,
    assert_422,
    assert_page,
    compact_of,
    errors_of,
)
from tests.helpers import Actor
from tests.logins.support import FLAGS, made, new_email, path, person


async def test_create_renders_every_field(shop: Cast) -> None:
    client = await shop.firm.client_account()
    body = {
        "first_name": "Gareth",
        "last_name": "Thompson",
        "email": new_email(),
        "expires_at": "2099-02-07T15:04:39+00:00",
        # Plannr's own example sends these as strings.
        "has_write_permission": "1",
        "has_delete_permission": "0",
        "receives_unread_notifications_email": "1",
        "wealth_enabled": True,
        "goals_enabled": 1,
        "factfind_enabled": "true",
        "tasks_enabled": False,
        "welcome_enabled": "false",
    }
    response = await shop.owner.post(path(client["uuid"]), body)
    assert response.status_code == 201, response.text
    login = response.json()
    assert set(login) == LOGIN_KEYS
    assert UUID.match(login["uuid"])
    assert TIMESTAMP.match(login["created_at"]) and login["updated_at"] == login["created_at"]
    assert login["expires_at"] == "2099-02-07T15:04:39+00:00"
    assert (login["has_write_permission"], login["has_delete_permission"]) == (True, False)
    flags = {flag: login[flag] for flag in LOGIN_FLAGS}
    assert flags == {
        "receives_unread_notifications_email": True,
        "wealth_enabled": True,
        "goals_enabled": True,
        "factfind_enabled": True,
        "tasks_enabled": False,
        "welcome_enabled": False,
    }
    assert login["primary"] is True  # the account's first login
    names = (login["first_name"], login["last_name"], login["email"])
    assert names == ("Gareth", "Thompson", body["email"])
    assert (login["user_type"], login["is_impersonated"]) == ("client", False)
    assert login["preferred_account_uuid"] == client["uuid"]
    assert login["account"] == compact_of(client)
    assert set(login["firm"]) == FIRM_KEYS and login["firm"]["uuid"] == shop.firm.firm_uuid


async def test_defaults_and_a_blank_expiry(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"], expires_at="")
    assert login["expires_at"] is None
    assert (login["has_write_permission"], login["has_delete_permission"]) == (True, True)
    assert {flag: login[flag] for flag in LOGIN_FLAGS} == dict.fromkeys(LOGIN_FLAGS, False)
    second = await made(shop.owner, client["uuid"], expires_at=None)
    assert (second["primary"], second["expires_at"]) == (False, None)


async def test_list_pages_filters_and_sorts(shop: Cast) -> None:
    client = await shop.firm.client_account()
    first = await made(shop.owner, client["uuid"])
    second = await made(shop.owner, client["uuid"])
    response = await shop.owner.get(path(client["uuid"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert_page(body, total=2, path=path(client["uuid"]))
    assert body["data"] == [first, second]
    newest = await shop.owner.get(path(client["uuid"]), params={"sort": "-created_at"})
    assert [x["uuid"] for x in newest.json()["data"]] == [second["uuid"], first["uuid"]]
    one = await shop.owner.get(path(client["uuid"]), params={"filter[uuid]": second["uuid"]})
    assert one.json()["data"] == [second]
    bad = await shop.owner.get(path(client["uuid"]), params={"sort": "email"})
    assert bad.status_code == 400, bad.text


async def test_every_create_rule_at_once(shop: Cast) -> None:
    client = await shop.firm.client_account()
    body = {
        "last_name": "",
        "email": "not an email",
        "expires_at": "next tuesday",
        "has_write_permission": "yes",
        "tasks_enabled": None,
    }
    response = await shop.owner.post(path(client["uuid"]), body)
    assert_422(
        response,
        errors_of(
            ("first_name", REQUIRED),
            ("last_name", REQUIRED),
            ("email", "The :a field must be a valid email address."),
            ("expires_at", INVALID_DATETIME.replace(":attribute", ":a")),
            ("has_write_permission", NOT_BOOL),
            ("tasks_enabled", NOT_BOOL),
        ),
    )
    assert (await shop.owner.get(path(client["uuid"]))).json()["data"] == []


async def test_an_email_with_a_login_on_the_account_is_taken(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"])
    again = person(email=login["email"].upper(), has_write_permission="maybe")
    response = await shop.owner.post(path(client["uuid"]), again)
    assert_422(
        response,
        errors_of(("email", "The :a has already been taken."), ("has_write_permission", NOT_BOOL)),
    )


async def test_a_known_email_attaches_its_user(shop: Cast) -> None:
    """The user's password stays theirs; a user without names takes the login's once, and
    keeps them."""
    client, other = await shop.firm.client_account(), await shop.firm.client_account()
    member = (await shop.member.get(f"{ACCOUNTS}/{shop.member.account_uuid}")).json()
    login = await made(shop.owner, client["uuid"], email=member["email"].upper(), first_name="X")
    assert (login["first_name"], login["email"]) == ("X", member["email"])
    later = await made(shop.owner, other["uuid"], email=member["email"], first_name="Y")
    assert (later["first_name"], later["last_name"]) == ("X", login["last_name"])
    headers = {"Authorization": f"Bearer {shop.member.token}"}
    mine = (await shop.member.client.get("/api/v1/logins", headers=headers)).json()["data"]
    assert {login["uuid"], later["uuid"]} <= {x["uuid"] for x in mine}
    # The member's token now acts as the client too (the user's password is unchanged:
    # the token was made with it).
    acting = Actor(shop.member.client, shop.member.token, client["uuid"])
    assert (await acting.get(f"{CLIENTS}/{client['uuid']}")).status_code == 200


async def test_update_changes_what_it_is_given(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"], welcome_enabled=True)
    body = {
        **FLAGS,
        "has_delete_permission": "0",
        "tasks_enabled": 1,
        "expires_at": "2098-01-01T10:00:00+01:00",
        "receives_unread_notifications_email": True,
    }
    response = await shop.owner.put(f"{path(client['uuid'])}/{login['uuid']}", body)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["expires_at"] == "2098-01-01T09:00:00+00:00"
    assert updated["has_delete_permission"] is False and updated["tasks_enabled"] is True
    assert updated["receives_unread_notifications_email"] is True
    assert updated["welcome_enabled"] is True  # absent: kept
    assert {k: updated[k] for k in ("uuid", "created_at", "primary", "account", "email")} == {
        k: login[k] for k in ("uuid", "created_at", "primary", "account", "email")
    }
    cleared = await shop.owner.put(
        f"{path(client['uuid'])}/{login['uuid']}", {**FLAGS, "expires_at": ""}
    )
    assert cleared.json()["expires_at"] is None


async def test_update_requires_the_permissions_and_features(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"])
    target = f"{path(client['uuid'])}/{login['uuid']}"
    response = await shop.owner.put(
        target, {"has_write_permission": None, "primary": "x", "welcome_enabled": None}
    )
    assert_422(
        response,
        errors_of(
            ("primary", NOT_BOOL),
            *((field, REQUIRED) for field in FLAGS),
            ("welcome_enabled", NOT_BOOL),
        ),
    )
    assert (await shop.owner.get(path(client["uuid"]))).json()["data"] == [login]


async def test_reading_a_login_and_writing_it_back_changes_nothing(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"], expires_at="2099-01-01T00:00:00Z")
    await made(shop.owner, client["uuid"])
    for shown in (await shop.owner.get(path(client["uuid"]))).json()["data"]:
        response = await shop.owner.put(f"{path(client['uuid'])}/{shown['uuid']}", shown)
        assert response.status_code == 200, response.text
        assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
            k: v for k, v in shown.items() if k != "updated_at"
        }
    assert login["expires_at"] == "2099-01-01T00:00:00+00:00"


async def test_one_primary_login_per_account(shop: Cast) -> None:
    client = await shop.firm.client_account()
    first = await made(shop.owner, client["uuid"])
    second = await made(shop.owner, client["uuid"])
    assert (first["primary"], second["primary"]) == (True, False)
    target = f"{path(client['uuid'])}/{second['uuid']}"
    response = await shop.owner.put(target, {**FLAGS, "primary": True})
    assert response.status_code == 200 and response.json()["primary"] is True
    listed = (await shop.owner.get(path(client["uuid"]))).json()["data"]
    assert [x["primary"] for x in listed] == [False, True]
    # Not primary any more: the account then has none until one is made so.
    response = await shop.owner.put(target, {**FLAGS, "primary": "0"})
    listed = (await shop.owner.get(path(client["uuid"]))).json()["data"]
    assert [x["primary"] for x in listed] == [False, False]
    third = await made(shop.owner, client["uuid"])
    assert third["primary"] is True


async def test_expire_is_now_and_kept(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"])
    target = f"{path(client['uuid'])}/{login['uuid']}/expire"
    response = await shop.owner.post(target)
    assert response.status_code == 200, response.text
    expired = response.json()
    moment = dt.datetime.fromisoformat(expired["expires_at"])
    assert moment <= dt.datetime.now(dt.UTC)
    assert {k: v for k, v in expired.items() if k not in ("expires_at", "updated_at")} == {
        k: v for k, v in login.items() if k not in ("expires_at", "updated_at")
    }
    # A login already expired keeps the moment it expired.
    put = f"{path(client['uuid'])}/{login['uuid']}"
    earlier = await shop.owner.put(put, {**FLAGS, "expires_at": "2001-01-01T00:00:00Z"})
    assert earlier.status_code == 200, earlier.text
    again = await shop.owner.post(target)
    assert again.status_code == 200, again.text
    assert again.json()["expires_at"] == "2001-01-01T00:00:00+00:00"


async def test_expiry_is_read_in_the_firms_zone_and_kept_in_range(shop: Cast) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"], expires_at="2099-07-01T12:00:00")
    assert login["expires_at"] == "2099-07-01T12:00:00+01:00"  # London, summer
    target = f"{path(client['uuid'])}/{login['uuid']}"
    for far in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", 20990101):
        response = await shop.owner.put(target, {**FLAGS, "expires_at": far})
        assert_422(
            response, errors_of(("expires_at", INVALID_DATETIME.replace(":attribute", ":a")))
        )


async def test_a_refused_create_leaves_no_user_behind(shop: Cast) -> None:
    """The user is made before the last checks; a 422 rolls it back with the request."""
    client = await shop.firm.client_account()
    body = person(welcome_enabled="sometimes")
    response = await shop.owner.post(path(client["uuid"]), body)
    assert_422(response, errors_of(("welcome_enabled", NOT_BOOL)))
    async with shop.firm.app.state.engine.connect() as conn:
        query = select(func.count()).where(func.lower(users.c.email) == body["email"].lower())
        assert (await conn.execute(query)).scalar_one() == 0
