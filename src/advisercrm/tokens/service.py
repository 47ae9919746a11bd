"""Logins and personal access tokens."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth import repository
from advisercrm.auth.credentials import verify_password
from advisercrm.auth.principal import Principal, User
from advisercrm.auth.service import issue_token
from advisercrm.kit.errors import Errors
from advisercrm.kit.render import Ctx
from advisercrm.logins.repository import own_logins
from advisercrm.logins.schemas import login
from advisercrm.logins.service import own_ctx
from advisercrm.ratelimit import attempts
from advisercrm.ratelimit.limiter import TooManyAttempts
from advisercrm.tokens import schemas


def confirm_keys(user_id: int, address: str) -> list[str]:
    """The throttle key of a password confirmation: the user's, from this address. Not
    the address's as well, as signing in has: each guess here needs a valid token of
    the user whose password it guesses, so one address cannot try many users' passwords
    without first holding their tokens."""
    return [attempts.key("confirm", str(user_id), address)]


async def create_token(
    conn: AsyncConnection,
    principal: Principal,
    body: schemas.TokenCreate,
    key: bytes,
    ctx: Ctx,
    throttle: attempts.Attempts,
    address: str,
) -> dict[str, Any]:
    keys = confirm_keys(principal.user_id, address)
    wait = await throttle.locked_for(keys)
    if wait:
        raise TooManyAttempts(headers={"Retry-After": str(wait)})
    errors = Errors()
    stored = await repository.password_hash(conn, principal.user_id)
    if verify_password(stored, body.password):
        await throttle.clear(keys[0])
    else:
        await throttle.failed(keys)
        errors.add("password", "The provided password is incorrect.")
    account = None
    if body.account_uuid is not None:
        account = await repository.firm_login_account(
            conn, principal.user_id, principal.firm_id, body.account_uuid
        )
        if account is None:
            errors.add("account_uuid", "The selected :attribute is invalid.")
    errors.raise_if_any()
    plain, row = await issue_token(
        conn, principal.user_id, body.name, key, account, body.expires_at
    )
    return schemas.token(row, plain, body.account_uuid, ctx)


async def list_tokens(
    conn: AsyncConnection, principal: Principal, ctx: Ctx
) -> list[dict[str, Any]]:
    rows = await repository.list_tokens(conn, principal.user_id, principal.firm_id)
    return [schemas.token(dict(r), None, r["account_uuid"], ctx) for r in rows]


async def find_token(
    conn: AsyncConnection, principal: Principal, token_uuid: uuid.UUID
) -> int | None:
    """The caller's own live token of the acting firm (auth.access.Found)."""
    return await repository.live_token_id(conn, principal.user_id, principal.firm_id, token_uuid)


async def revoke_token(conn: AsyncConnection, principal: Principal, token_id: int) -> None:
    await repository.revoke_token(conn, principal.user_id, principal.firm_id, token_id)


async def list_logins(conn: AsyncConnection, user: User, base_url: str) -> list[dict[str, Any]]:
    """The user's logins across firms, each in its own firm's zone and currency."""
    rows = await own_logins(conn, user.user_id)
    return [login(row, own_ctx(row, base_url)) for row in rows]
