"""POST, GET and DELETE /api/v1/personal-access-tokens: the resource, validation,
revocation, and other users' and firms' tokens."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    ACCOUNTS,
    INVALID,
    LOGINS,
    NOT_FOUND,
    NOT_STRING,
    NOT_UUID,
    NOT_YOUR_ACCOUNT,
    REQUIRED,
    TIMESTAMP,
    TOKEN_KEYS,
    TOKENS,
    UNAUTHENTICATED,
    UUID,
    Cast,
    assert_422,
    assert_body,
    assert_page,
    errors_of,
    unknown,
    with_account,
    with_token,
)
from tests.helpers import Actor, Firm


async def mint(actor: Actor, firm: Firm, **extra: Any) -> dict[str, Any]:
    body = {"name": "ci token", "password": firm.password, **extra}
    return await actor.created(TOKENS, body)


async def token_uuids(actor: Actor) -> list[str]:
    response = await actor.get(TOKENS)
    assert response.status_code == 200, response.text
    return [t["uuid"] for t in response.json()["data"]]


async def test_create_returns_the_plain_token_once(firm: Firm) -> None:
    response = await firm.owner.post(TOKENS, {"name": "Deploy", "password": firm.password})
    assert response.status_code == 201, response.text
    data = response.json()
    assert set(data) == TOKEN_KEYS
    assert UUID.match(data["uuid"])
    assert data["name"] == "Deploy"
    assert data["token"].startswith("acrm_pat_")
    assert len(data["token"]) > 40
    assert (data["account_uuid"], data["expires_at"]) == (None, None)
    assert TIMESTAMP.match(data["created_at"])
    fresh = with_token(firm.owner, data["token"])
    assert (await fresh.get(ACCOUNTS)).status_code == 200
    listed = (await firm.owner.get(TOKENS)).json()
    assert_page(listed, total=2, path=TOKENS, per_page=2)
    assert listed["data"][1] == {**data, "token": None}
    assert all(t["token"] is None for t in listed["data"])
    assert data["token"] not in (await firm.owner.get(TOKENS)).text


async def test_expiry_is_rendered_in_the_firms_zone(shop: Cast) -> None:
    data = await mint(shop.owner, shop.firm, expires_at="2099-07-01T12:00:00+00:00")
    assert data["expires_at"] == "2099-07-01T13:00:00+01:00"
    data = await mint(shop.owner, shop.firm, expires_at="2099-01-01 09:30:00")
    assert data["expires_at"] == "2099-01-01T09:30:00+00:00"


async def test_a_token_bound_to_an_account(shop: Cast) -> None:
    data = await mint(shop.owner, shop.firm, account_uuid=shop.owner.account_uuid)
    assert data["account_uuid"] == shop.owner.account_uuid
    assert (await with_token(shop.owner, data["token"]).get(ACCOUNTS)).status_code == 200
    shown = [t for t in (await shop.owner.get(TOKENS)).json()["data"] if t["uuid"] == data["uuid"]]
    assert shown == [{**data, "token": None}]


async def test_validation(shop: Cast, rival: Firm) -> None:
    before = await token_uuids(shop.owner)
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        ({}, errors_of(("name", REQUIRED), ("password", REQUIRED))),
        (
            {"name": 5, "password": ["x"], "account_uuid": "x", "expires_at": 5},
            errors_of(
                ("name", NOT_STRING),
                ("password", NOT_STRING),
                ("account_uuid", NOT_UUID),
                ("expires_at", NOT_STRING),
            ),
        ),
        (
            {"name": "N\x00", "password": shop.firm.password},
            errors_of(("name", "The :a field must not contain NUL characters.")),
        ),
        (
            {"name": "t", "password": "wrong password"},
            {"password": ["The provided password is incorrect."]},
        ),
        (
            {"name": "t", "password": shop.firm.password, "expires_at": "2001-01-01"},
            errors_of(("expires_at", "The :a field must be a date after now.")),
        ),
        (
            {"name": "t", "password": shop.firm.password, "expires_at": "next week"},
            errors_of(("expires_at", "The :a field must be a valid date.")),
        ),
    ]
    for body, errors in cases:
        assert_422(await shop.owner.post(TOKENS, body), errors)
    no_login = await shop.firm.client_account()
    # Both errors at once for the first; the others with the right password, as five wrong
    # ones in a minute would lock the owner out of making tokens (tests/web/test_throttle.py).
    wrong = {"password": ["The provided password is incorrect."]}
    for n, account in enumerate(
        (no_login["uuid"], shop.admin.account_uuid, rival.owner.account_uuid, unknown())
    ):
        body = {"name": "t", "password": "wrong" if n == 0 else shop.firm.password}
        errors = {
            **(wrong if n == 0 else {}),
            "account_uuid": ["The selected account uuid is invalid."],
        }
        assert_422(await shop.owner.post(TOKENS, {**body, "account_uuid": account}), errors)
    assert await token_uuids(shop.owner) == before


async def test_revoke(shop: Cast) -> None:
    data = await mint(shop.owner, shop.firm)
    revoked = with_token(shop.owner, data["token"])
    assert (await revoked.get(ACCOUNTS)).status_code == 200
    response = await shop.owner.delete(f"{TOKENS}/{data['uuid']}")
    assert (response.status_code, response.content) == (204, b"")
    assert_body(await revoked.get(ACCOUNTS), 401, UNAUTHENTICATED)
    assert_body(await revoked.get(TOKENS), 401, UNAUTHENTICATED)
    logins = await revoked.client.get(LOGINS, headers={"Authorization": f"Bearer {data['token']}"})
    assert_body(logins, 401, UNAUTHENTICATED)
    assert data["uuid"] not in await token_uuids(shop.owner)
    assert_body(await shop.owner.delete(f"{TOKENS}/{data['uuid']}"), 404, NOT_FOUND)
    assert_body(await shop.owner.delete(f"{TOKENS}/{unknown()}"), 404, NOT_FOUND)
    assert_body(await shop.owner.delete(f"{TOKENS}/not-a-uuid"), 404, NOT_FOUND)


async def test_a_token_can_revoke_itself(shop: Cast) -> None:
    data = await mint(shop.owner, shop.firm)
    own = with_token(shop.owner, data["token"])
    assert (await own.delete(f"{TOKENS}/{data['uuid']}")).status_code == 204
    assert_body(await own.get(TOKENS), 401, UNAUTHENTICATED)
    assert (await shop.owner.get(TOKENS)).status_code == 200


async def test_other_users_tokens_are_not_found(shop: Cast) -> None:
    data = await mint(shop.owner, shop.firm)
    assert data["uuid"] not in await token_uuids(shop.admin)
    assert_body(await shop.admin.delete(f"{TOKENS}/{data['uuid']}"), 404, NOT_FOUND)
    assert data["uuid"] in await token_uuids(shop.owner)


async def test_other_firms_cannot_see_or_revoke_tokens(shop: Cast, rival: Firm) -> None:
    data = await mint(shop.owner, shop.firm)
    assert data["uuid"] not in await token_uuids(rival.owner)
    assert_body(await rival.owner.delete(f"{TOKENS}/{data['uuid']}"), 404, NOT_FOUND)
    intruder = with_account(rival.owner, shop.owner.account_uuid)
    assert_body(await intruder.get(TOKENS), 403, NOT_YOUR_ACCOUNT)
    assert_body(await intruder.delete(f"{TOKENS}/{data['uuid']}"), 403, NOT_YOUR_ACCOUNT)
    body = {"name": "t", "password": rival.password}
    assert_body(await intruder.post(TOKENS, body), 403, NOT_YOUR_ACCOUNT)
    body = {"name": "t", "password": rival.password, "account_uuid": shop.owner.account_uuid}
    assert_422(await rival.owner.post(TOKENS, body), errors_of(("account_uuid", INVALID)))
    assert data["uuid"] in await token_uuids(shop.owner)
