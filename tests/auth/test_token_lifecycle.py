"""Token expiry, tokens bound to one account, and one user's tokens across firms."""

from __future__ import annotations

from typing import Any

from advisercrm.firms.service import add_person
from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
    LOGINS,
    NOT_FOUND,
    NOT_YOUR_ACCOUNT,
    TOKENS,
    UNAUTHENTICATED,
    assert_422,
    assert_body,
    errors_of,
    set_token_expiry,
    with_account,
    with_token,
)
from tests.helpers import Actor, Firm

INVALID_ACCOUNT = errors_of(("account_uuid", "The selected :a is invalid."))


async def mint(actor: Actor, firm: Firm, **extra: Any) -> dict[str, Any]:
    return await actor.created(TOKENS, {"name": "t", "password": firm.password, **extra})


async def second_hat(firm: Firm, home: Firm) -> str:
    """Another account on `firm` for the user who owns `home`."""
    names = {"type": "employee", "role": "admin", "first_name": "Other", "last_name": "Hat"}
    async with firm.app.state.engine.begin() as conn:
        person = await add_person(conn, firm.firm_id, names, home.emails[0], home.password)
    return person.account_uuid


async def test_an_expired_token_is_401_everywhere(firm: Firm) -> None:
    data = await mint(firm.owner, firm, expires_at="2099-01-01")
    token = with_token(firm.owner, data["token"])
    assert (await token.get(ACCOUNTS)).status_code == 200
    await set_token_expiry(firm.app, data["uuid"], 3600)
    assert (await token.get(ACCOUNTS)).status_code == 200
    await set_token_expiry(firm.app, data["uuid"], -1)
    assert_body(await token.get(ACCOUNTS), 401, UNAUTHENTICATED)
    assert_body(await token.post(CLIENTS, {}), 401, UNAUTHENTICATED)
    assert_body(await token.get(TOKENS), 401, UNAUTHENTICATED)
    logins = await token.client.get(LOGINS, headers={"Authorization": f"Bearer {data['token']}"})
    assert_body(logins, 401, UNAUTHENTICATED)
    assert (await firm.owner.get(ACCOUNTS)).status_code == 200


async def test_a_bound_token_acts_only_as_its_account(firm: Firm) -> None:
    other = await second_hat(firm, firm)
    # The owner's fixture token is bound to the owner account.
    assert_body(await with_account(firm.owner, other).get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
    free = await mint(firm.owner, firm)
    acting = Actor(firm.client, free["token"], other)
    assert (await acting.get(f"{ACCOUNTS}/{other}")).status_code == 200
    bound = await mint(firm.owner, firm, account_uuid=other)
    as_other = Actor(firm.client, bound["token"], other)
    assert (await as_other.get(ACCOUNTS)).status_code == 200
    as_owner = with_account(as_other, firm.owner.account_uuid)
    assert_body(await as_owner.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
    assert_body(
        await as_owner.post(TOKENS, {"name": "x", "password": firm.password}), 403, NOT_YOUR_ACCOUNT
    )


async def test_tokens_bound_in_another_firm_stay_there(firm: Firm, rival: Firm) -> None:
    """The same user holds a login in a second firm: acting in the first, that firm's
    accounts and the tokens bound to them do not exist."""
    abroad = await second_hat(rival, firm)
    free = await mint(firm.owner, firm)
    traveller = Actor(firm.client, free["token"], abroad)
    assert (await traveller.get(f"{ACCOUNTS}/{abroad}")).status_code == 200
    body = {"name": "t", "password": firm.password, "account_uuid": abroad}
    assert_422(await firm.owner.post(TOKENS, body), INVALID_ACCOUNT)
    bound = await traveller.created(TOKENS, body)
    assert bound["account_uuid"] == abroad
    at_home = [t["uuid"] for t in (await firm.owner.get(TOKENS)).json()["data"]]
    away = [t["uuid"] for t in (await traveller.get(TOKENS)).json()["data"]]
    assert bound["uuid"] not in at_home
    assert bound["uuid"] in away
    assert free["uuid"] in at_home
    assert free["uuid"] in away
    assert_body(await firm.owner.delete(f"{TOKENS}/{bound['uuid']}"), 404, NOT_FOUND)
    assert (await traveller.delete(f"{TOKENS}/{bound['uuid']}")).status_code == 204
