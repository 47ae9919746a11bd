"""The token cache (auth.cache): what it keeps, every change that drops it (notified by
the database's own triggers), expiry checked against what it keeps, its bounds, and that
it answers nothing while its LISTEN connection is down."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from advisercrm.app import create_app
from advisercrm.auth import cache as auth_cache
from advisercrm.auth.cache import AuthCache, Key
from advisercrm.auth.credentials import token_hash
from advisercrm.config import Settings
from tests.accounts.support import (
    ACCOUNTS,
    NOT_YOUR_ACCOUNT,
    UNAUTHENTICATED,
    assert_body,
    with_token,
)
from tests.helpers import Actor, Firm, auth_listening, auth_settled, new_firm

CLIENTS = "/api/v1/client"


def key(app: FastAPI, actor: Actor) -> Key:
    return token_hash(actor.token, app.state.secret_key), uuid.UUID(actor.account_uuid)


async def kept(app: FastAPI, actor: Actor) -> AuthCache:
    """Authenticate once so that the actor's token is kept; the cache."""
    cache = await auth_listening(app)
    await auth_settled(app)  # the notifications of the actor's making are behind us
    assert (await actor.get(ACCOUNTS)).status_code == 200
    assert cache.get(key(app, actor)) is not None
    return cache


async def run(app: FastAPI, statement: str, **params: Any) -> None:
    async with app.state.engine.begin() as conn:
        await conn.execute(text(statement), params)


async def dropped(cache: AuthCache, k: Key) -> str:
    """Wait (bounded) until the entry is dropped; the notification that dropped it."""
    for _ in range(5_000):
        if cache.get(k) is None:
            return cache.last_notice
        await asyncio.sleep(0.001)
    raise AssertionError("the cached token was never dropped")


TOKEN = "UPDATE personal_access_tokens SET {} WHERE token_hash = :digest"
LOGIN = "UPDATE logins SET {} WHERE firm_id = :firm AND account_id = :account"
ACCOUNT = "UPDATE accounts SET {} WHERE firm_id = :firm AND id = :account"
# change -> (statement, the table whose trigger notifies, the actor's next status)
CHANGES: dict[str, tuple[str, str, int]] = {
    "token revoked": (TOKEN.format("revoked_at = now()"), "personal_access_tokens", 401),
    "token expired": (
        TOKEN.format("expires_at = now() - interval '1 minute'"),
        "personal_access_tokens",
        401,
    ),
    "token given a later expiry": (
        TOKEN.format("expires_at = now() + interval '1 day'"),
        "personal_access_tokens",
        200,
    ),
    "token deleted": (
        "DELETE FROM personal_access_tokens WHERE token_hash = :digest",
        "personal_access_tokens",
        401,
    ),
    "login expired": (LOGIN.format("expires_at = now() - interval '1 minute'"), "logins", 403),
    "login loses writing": (LOGIN.format("has_write_permission = false"), "logins", 200),
    "login loses deleting": (LOGIN.format("has_delete_permission = false"), "logins", 200),
    "login deleted": (
        "DELETE FROM logins WHERE firm_id = :firm AND account_id = :account",
        "logins",
        403,
    ),
    "login added": (
        "INSERT INTO logins (user_id, firm_id, account_id) SELECT user_id, firm_id, :other "
        "FROM logins WHERE firm_id = :firm AND account_id = :account",
        "logins",
        200,
    ),
    "account role": (ACCOUNT.format("role = 'admin'"), "accounts", 200),
    "account type": (ACCOUNT.format("type = 'client', role = 'individual'"), "accounts", 200),
    "account uuid": (ACCOUNT.format("uuid = gen_random_uuid()"), "accounts", 403),
    "account deleted": (
        "DELETE FROM accounts WHERE firm_id = :firm AND id = :account",
        # Its login and tokens bound to it go with it (foreign keys' cascades) and notify.
        "logins personal_access_tokens accounts",
        403,
    ),
    "firm timezone": (
        "UPDATE firms SET timezone = 'America/New_York' WHERE id = :firm",
        "firms",
        200,
    ),
    "firm currency": ("UPDATE firms SET currency = 'USD' WHERE id = :firm", "firms", 200),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_every_change_to_what_authentication_reads_drops_the_cache(
    app: FastAPI, firm: Firm, change: str
) -> None:
    statement, table, status = CHANGES[change]
    actor = await firm.actor(role="member")
    other = (await firm.client_account())["uuid"]
    cache = await kept(app, actor)
    k = key(app, actor)
    params = {
        "digest": k[0],
        "firm": firm.firm_id,
        "account": await firm.account_id(actor.account_uuid),
        "other": await firm.account_id(other),
    }
    await run(app, statement, **{p: v for p, v in params.items() if f":{p}" in statement})
    assert await dropped(cache, k) in table.split()
    assert (await actor.get(ACCOUNTS)).status_code == status


# changes that leave what authentication reads as it was: no notification
UNRELATED = {
    "account renamed": ACCOUNT.format("first_name = 'Renamed'"),
    "login's portal flag": LOGIN.format("wealth_enabled = true"),
    "token used": TOKEN.format("last_used_at = now(), name = 'renamed'"),
    "firm renamed": "UPDATE firms SET name = 'Renamed' WHERE id = :firm",
    "no change": TOKEN.format("revoked_at = revoked_at"),
}


@pytest.mark.parametrize("change", list(UNRELATED))
async def test_other_changes_keep_the_cache(app: FastAPI, firm: Firm, change: str) -> None:
    actor = await firm.actor(role="member")
    cache = await kept(app, actor)
    k = key(app, actor)
    before = cache.generation
    statement = UNRELATED[change]
    params = {
        "digest": k[0],
        "firm": firm.firm_id,
        "account": await firm.account_id(actor.account_uuid),
    }
    await run(app, statement, **{p: v for p, v in params.items() if f":{p}" in statement})
    await auth_settled(app)  # its own marker is the one drop
    assert cache.generation == before + 1


async def test_only_tokens_that_may_act_are_kept(
    app: FastAPI, firm: Firm, other_firm: Firm
) -> None:
    cache = await kept(app, firm.owner)
    size = len(cache)
    unknown = with_token(firm.owner, "not-a-token")
    assert_body(await unknown.get(ACCOUNTS), 401, UNAUTHENTICATED)
    elsewhere = Actor(firm.owner.client, firm.owner.token, other_firm.owner.account_uuid)
    assert_body(await elsewhere.get(ACCOUNTS), 403, NOT_YOUR_ACCOUNT)
    assert cache.get(key(app, unknown)) is None and cache.get(key(app, elsewhere)) is None
    assert len(cache) == size


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE personal_access_tokens SET expires_at = now() + interval '1 second' "
        "WHERE token_hash = :digest",
        "UPDATE logins SET expires_at = now() + interval '1 second' "
        "WHERE firm_id = :firm AND account_id = :account",
    ],
    ids=["token", "login"],
)
async def test_a_kept_token_still_expires(app: FastAPI, firm: Firm, statement: str) -> None:
    """Expiry passes without any change to notify: each request checks the kept row."""
    actor = await firm.actor(role="member")
    account = await firm.account_id(actor.account_uuid)
    k = key(app, actor)
    params = {"digest": k[0], "firm": firm.firm_id, "account": account}
    await run(app, statement, **{p: v for p, v in params.items() if f":{p}" in statement})
    cache = await kept(app, actor)
    generation = cache.generation
    for _ in range(1_000):  # bounded: the expiry is a second away
        status = (await actor.get(ACCOUNTS)).status_code
        if status != 200:
            break
        await asyncio.sleep(0.01)
    assert status == (401 if "personal_access_tokens" in statement else 403)
    # Refused from the kept row: nothing dropped it, and it is still there.
    assert cache.generation == generation and cache.get(k) is not None


async def test_the_cache_is_bounded_in_size_and_age(app: FastAPI, firm: Firm) -> None:
    cache = await auth_listening(app)
    actors = [await firm.actor() for _ in range(3)]
    await auth_settled(app)
    size, age = cache.size, cache.max_age
    try:
        cache.size = 2
        for actor in actors:
            assert (await actor.get(ACCOUNTS)).status_code == 200
        assert len(cache) == 2
        assert cache.get(key(app, actors[0])) is None  # the least recently used went
        assert cache.get(key(app, actors[2])) is not None
        cache.max_age = 0.0
        assert cache.get(key(app, actors[2])) is None
    finally:
        cache.size, cache.max_age = size, age


@pytest.fixture
async def own_app(
    database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app of its own, whose listener waits 2 s before listening again."""
    monkeypatch.setattr(auth_cache, "RETRY_FIRST", 2.0)
    app = create_app(dataclasses.replace(settings, db_pool_size=2), database_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield app, http


async def test_without_its_listener_the_cache_answers_nothing(
    own_app: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """The listener's connection is killed, then a token revoked: its notification
    reaches no one, yet the token is refused at once; the cache works again once the
    listener is back."""
    app, http = own_app
    firm = await new_firm(app, http)
    actor, other = await firm.actor(), await firm.actor()
    cache = await kept(app, actor)
    assert (await other.get(ACCOUNTS)).status_code == 200
    await run(app, "SELECT pg_terminate_backend(:pid)", pid=cache.listener_pid)
    for _ in range(5_000):
        if not cache.listening:
            break
        await asyncio.sleep(0.001)
    assert not cache.listening
    await run(
        app,
        "UPDATE personal_access_tokens SET revoked_at = now() WHERE token_hash = :digest",
        digest=key(app, actor)[0],
    )
    assert not cache.listening, "the listener came back during the test"
    assert_body(await actor.get(ACCOUNTS), 401, UNAUTHENTICATED)
    assert (await other.get(ACCOUNTS)).status_code == 200
    assert len(cache) == 0
    await auth_listening(app)
    assert (await other.get(ACCOUNTS)).status_code == 200
    assert cache.get(key(app, other)) is not None


async def test_a_lookup_overtaken_by_a_notification_is_not_kept(app: FastAPI, firm: Firm) -> None:
    """A change notified while a token's lookup is under way may postdate what the
    lookup read: its row is used for that request but not kept. The lookup is held up by
    a lock on the tokens' table while a notification arrives."""
    actor = await firm.actor()
    cache = await auth_listening(app)
    await auth_settled(app)
    async with app.state.engine.connect() as locker:
        await locker.execute(text("LOCK TABLE personal_access_tokens IN ACCESS EXCLUSIVE MODE"))
        request = asyncio.create_task(actor.get(ACCOUNTS))
        waiting = text(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'personal_access_tokens' AND NOT l.granted"
        )
        for _ in range(5_000):
            async with app.state.engine.connect() as conn:
                if (await conn.execute(waiting)).scalar_one():
                    break
            await asyncio.sleep(0.001)
        else:
            raise AssertionError("the lookup never waited for the lock")
        await auth_settled(app)  # a notification, seen while the lookup waits
        await locker.rollback()
    assert (await request).status_code == 200
    assert cache.get(key(app, actor)) is None
    assert (await actor.get(ACCOUNTS)).status_code == 200  # the next lookup is kept
    assert cache.get(key(app, actor)) is not None


async def test_the_process_that_revokes_a_token_refuses_it_before_any_notification(
    app: FastAPI, firm: Firm
) -> None:
    """A revocation through the API drops the process's own cache as it commits: the
    process's next request does not wait for the database's notification (here never
    heard: the cache's callback is taken off its listener)."""
    cache = await auth_listening(app)
    body = {"name": "revoked soon", "password": firm.password}
    minted = await firm.owner.created("/api/v1/personal-access-tokens", body)
    actor = with_token(firm.owner, minted["token"])
    cache = await kept(app, actor)
    assert cache._listener is not None
    listener = cache._listener
    await listener.remove_listener(auth_cache.CHANNEL, cache._notified)
    try:
        revoked = await firm.owner.delete(f"/api/v1/personal-access-tokens/{minted['uuid']}")
        assert revoked.status_code == 204, revoked.text
        assert cache.listening
        assert_body(await actor.get(ACCOUNTS), 401, UNAUTHENTICATED)
    finally:
        await listener.add_listener(auth_cache.CHANNEL, cache._notified)
