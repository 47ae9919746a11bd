"""The bearer token and the acting-account header on every route: 401, 400 and 403."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts.support import (
    ACCOUNTS,
    CIRCLES,
    CLIENTS,
    GROUPS,
    HEADER_REQUIRED,
    LOGINS,
    NOT_YOUR_ACCOUNT,
    TOKENS,
    UNAUTHENTICATED,
    Cast,
    assert_body,
    unknown,
    with_account,
)
from tests.helpers import Actor, Firm

ANY = unknown()
ROUTES = [
    ("GET", ACCOUNTS),
    ("POST", ACCOUNTS),
    ("GET", f"{ACCOUNTS}/{ANY}"),
    ("PUT", f"{ACCOUNTS}/{ANY}"),
    ("DELETE", f"{ACCOUNTS}/{ANY}"),
    ("GET", CLIENTS),
    ("POST", CLIENTS),
    ("GET", f"{CLIENTS}/{ANY}"),
    ("PUT", f"{CLIENTS}/{ANY}"),
    ("DELETE", f"{CLIENTS}/{ANY}"),
    ("GET", CIRCLES),
    ("POST", CIRCLES),
    ("GET", f"{CIRCLES}/{ANY}"),
    ("PUT", f"{CIRCLES}/{ANY}"),
    ("DELETE", f"{CIRCLES}/{ANY}"),
    ("GET", GROUPS),
    ("POST", GROUPS),
    ("GET", f"{GROUPS}/{ANY}"),
    ("PUT", f"{GROUPS}/{ANY}"),
    ("DELETE", f"{GROUPS}/{ANY}"),
    ("GET", TOKENS),
    ("POST", TOKENS),
    ("DELETE", f"{TOKENS}/{ANY}"),
]
BAD_AUTHORIZATION = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer    "},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Token acrm_pat_abc"},
    {"Authorization": "Bearer acrm_pat_not-a-real-token"},
    {"Authorization": "Bearer " + "a" * 600},
]


async def call(actor: Actor, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    body = {} if method in ("POST", "PUT") else None
    return await actor.client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path"), [*ROUTES, ("GET", LOGINS)])
async def test_without_a_valid_token_every_route_is_401(shop: Cast, method: str, path: str) -> None:
    for headers in BAD_AUTHORIZATION:
        with_header = {**headers, "X-PLANNR-ACCOUNT-UUID": shop.owner.account_uuid}
        for sent in (headers, with_header):
            response = await call(shop.owner, method, path, sent)
            assert_body(response, 401, UNAUTHENTICATED)


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_without_the_account_header_every_route_is_400(
    shop: Cast, method: str, path: str
) -> None:
    token = {"Authorization": f"Bearer {shop.owner.token}"}
    for extra in ({}, {"X-PLANNR-ACCOUNT-UUID": ""}, {"X-PLANNR-ACCOUNT-UUID": "   "}):
        response = await call(shop.owner, method, path, {**token, **extra})
        assert_body(response, 400, HEADER_REQUIRED)


async def test_the_scheme_is_case_insensitive(shop: Cast) -> None:
    headers = {**shop.owner.headers, "Authorization": f"bearer {shop.owner.token}"}
    response = await shop.owner.client.get(ACCOUNTS, headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["not-a-uuid", "123", ANY, ANY.upper() + "0"])
async def test_a_malformed_or_unknown_account_header_is_403_naming_it(
    shop: Cast, header: str
) -> None:
    """A value that is not a UUID names no account either: the same 403, not a 400 (400
    is kept for a missing header), and the message says which header to fix."""
    for method, path in ROUTES:
        headers = {**shop.member.headers, "X-PLANNR-ACCOUNT-UUID": header}
        response = await call(shop.member, method, path, headers)
        assert_body(response, 403, NOT_YOUR_ACCOUNT)


async def test_naming_someone_elses_account_is_403(shop: Cast, rival: Firm) -> None:
    no_login = await shop.firm.client_account()
    for account in (no_login["uuid"], shop.admin.account_uuid, rival.owner.account_uuid):
        impostor = with_account(shop.member, account)
        assert_body(await impostor.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
        assert_body(await impostor.post(GROUPS, {"name": "X"}), 403, NOT_YOUR_ACCOUNT)


async def test_a_token_from_another_firm_cannot_act_here(shop: Cast, rival: Firm) -> None:
    intruder = with_account(rival.owner, shop.owner.account_uuid)
    for method, path in ROUTES:
        response = await call(intruder, method, path, intruder.headers)
        assert_body(response, 403, NOT_YOUR_ACCOUNT)


async def test_logins_need_only_the_token(shop: Cast) -> None:
    token = {"Authorization": f"Bearer {shop.member.token}"}
    for extra in ({}, {"X-PLANNR-ACCOUNT-UUID": "nonsense"}, {"X-PLANNR-ACCOUNT-UUID": ANY}):
        response = await shop.member.client.get(LOGINS, headers={**token, **extra})
        assert response.status_code == 200, response.text
        assert [x["account"]["uuid"] for x in response.json()["data"]] == [shop.member.account_uuid]


async def test_the_account_header_is_case_insensitive(shop: Cast) -> None:
    upper = with_account(shop.member, shop.member.account_uuid.upper())
    response = await upper.get(f"{ACCOUNTS}/{shop.member.account_uuid}")
    assert response.status_code == 200, response.text
