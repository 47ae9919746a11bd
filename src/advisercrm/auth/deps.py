"""FastAPI dependencies that authenticate a request: the bearer token, and the acting
account named by the X-PLANNR-ACCOUNT-UUID header (docs/API.md, Authentication)."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from typing import Annotated

from asyncpg import Record
from fastapi import Depends, Request

from advisercrm.auth import repository
from advisercrm.auth.cache import AuthCache
from advisercrm.auth.credentials import token_hash
from advisercrm.auth.principal import Principal, User
from advisercrm.db import Conn
from advisercrm.kit.errors import BadRequest, Forbidden, Unauthenticated
from advisercrm.kit.fields import UUID_RE
from advisercrm.kit.render import Ctx

ACCOUNT_HEADER = "x-plannr-account-uuid"
# One answer for every header that names no account the token may act as: not a UUID, no
# login on it (another firm's account included), an expired login, or a token bound to a
# different account. Telling these apart would only help someone probing for accounts.
NOT_YOURS = "The X-PLANNR-ACCOUNT-UUID header does not name an account this token may act as."


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise Unauthenticated()
    return token


def _expired(moment: dt.datetime | None) -> bool:
    return moment is not None and moment <= dt.datetime.now(dt.UTC)


async def _count(request: Request, bucket: str) -> None:
    """Spend one request of the caller's minute; the verdict's headers go on the response."""
    verdict = await request.app.state.limiter.hit(bucket)
    request.state.ratelimit = verdict.headers()


def _acceptable(row: Record, account_uuid: uuid.UUID | None) -> bool:
    """Whether the row lets the token act (as the named account): only those are kept."""
    if account_uuid is None:
        return True
    bound = row["token_account_id"]
    return row["login_id"] is not None and bound in (None, row["account_id"])


async def _token_row(request: Request, conn: Conn, account_uuid: uuid.UUID | None) -> Record:
    cache: AuthCache = request.app.state.auth_cache
    try:
        digest = token_hash(_bearer(request), request.app.state.secret_key)
        key = (digest, account_uuid)
        generation = cache.generation  # before the lookup: a drop during it is seen
        row = cache.get(key)
        kept = row is not None
        if row is None:
            row = await repository.find_token(conn, digest, account_uuid)
            # The lookup is by digest; comparing again in constant time keeps any timing
            # difference out of the one comparison this code makes.
            if row is None or not hmac.compare_digest(bytes(row["token_hash"]), digest):
                raise Unauthenticated()
        # A kept row is checked too: a token expires while it is kept.
        if row["revoked_at"] is not None or _expired(row["expires_at"]):
            raise Unauthenticated()
        if not kept and _acceptable(row, account_uuid):
            cache.put(key, row, generation)
    except Unauthenticated:
        # Guessing tokens spends the budget of the caller's address.
        await _count(request, f"ip:{request.client.host if request.client else 'unknown'}")
        raise
    await _count(request, f"user:{row['user_id']}")
    return row


async def current_user(request: Request, conn: Conn) -> User:
    row = await _token_row(request, conn, None)
    return User(user_id=row["user_id"], token_id=row["token_id"])


async def current_principal(request: Request, conn: Conn) -> Principal:
    # A blank header names no account: it counts as missing (400), not as a wrong one.
    header = (request.headers.get(ACCOUNT_HEADER) or "").strip()
    account_uuid = uuid.UUID(header) if UUID_RE.match(header) else None
    row = await _token_row(request, conn, account_uuid)
    if not header:
        raise BadRequest("The X-PLANNR-ACCOUNT-UUID header is required.")
    if row["login_id"] is None or _expired(row["login_expires_at"]):
        raise Forbidden(NOT_YOURS)
    if row["token_account_id"] is not None and row["token_account_id"] != row["account_id"]:
        raise Forbidden(NOT_YOURS)
    return Principal.of(row, row["token_id"])


CurrentUser = Annotated[User, Depends(current_user)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def render_ctx(request: Request, principal: CurrentPrincipal) -> Ctx:
    # async: a plain function dependency would be sent to the thread pool every request.
    return principal.ctx(str(request.base_url))


RenderCtx = Annotated[Ctx, Depends(render_ctx)]
