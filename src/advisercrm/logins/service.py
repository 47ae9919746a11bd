"""An account's logins: who may act as it, with which permissions and portal features.

A login joins a user to an account. Creating one for an email that a user already has
attaches that user (their password and names stay theirs); a new email makes a new user
with no password, who cannot sign in until one is set with `advisercrm user
set-password` (this server sends no email invitations)."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.body import BodyErrors
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.render import Ctx, zone
from advisercrm.kit.times import in_zone
from advisercrm.logins import schemas
from advisercrm.logins.repository import LoginRepository
from advisercrm.tables import LOGIN_FLAGS

TAKEN = "The :attribute has already been taken."
PERMISSIONS = ("has_write_permission", "has_delete_permission")


def _zoned(values: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """A naive expiry is the firm's wall-clock time."""
    if values.get("expires_at") is not None:
        values["expires_at"] = in_zone(values["expires_at"], ctx.timezone)
    return values


def _render(rows: list[dict[str, Any]], ctx: Ctx) -> list[dict[str, Any]]:
    return [schemas.login(row, ctx) for row in rows]


async def listing(
    conn: AsyncConnection, principal: Principal, account: Record, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    rows, total = await LoginRepository(conn, principal.firm_id).page(account["id"], query)
    return _render(rows, ctx), total


async def _shown(repo: LoginRepository, login_id: int, ctx: Ctx) -> dict[str, Any]:
    return _render(await repo.load([login_id]), ctx)[0]


async def create(
    conn: AsyncConnection,
    principal: Principal,
    account: Record,
    body: schemas.LoginCreate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = LoginRepository(conn, principal.firm_id)
    errors = BodyErrors(body)
    await repo.lock_account(account["id"])
    user_id = None
    if body.email is not None and body.first_name and body.last_name:
        # Made or found before the checks: a 422 rolls the request's writes back.
        user_id = await repo.user_for(body.email, body.first_name, body.last_name)
        if await repo.user_has_login(account["id"], user_id):
            errors.add("email", TAKEN)
    errors.raise_if_any()
    assert user_id is not None  # every field it needs is required
    values = _zoned(body.model_dump(include={"expires_at", *PERMISSIONS, *LOGIN_FLAGS}), ctx)
    return await _shown(repo, await repo.insert(account["id"], {"user_id": user_id, **values}), ctx)


async def update(
    conn: AsyncConnection,
    principal: Principal,
    account: Record,
    login: dict[str, Any],
    body: schemas.LoginUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = LoginRepository(conn, principal.firm_id)
    BodyErrors(body).raise_if_any()
    values = body.model_dump(exclude_unset=True, include={"expires_at", *PERMISSIONS, *LOGIN_FLAGS})
    if body.primary is not None:
        await repo.lock_account(account["id"])
        if body.primary:
            await repo.demote_others(account["id"], login["id"])
        values["is_primary"] = body.primary
    await repo.update(login["id"], values)
    return await _shown(repo, login["id"], ctx)


async def expire(
    conn: AsyncConnection, principal: Principal, login: dict[str, Any], ctx: Ctx
) -> dict[str, Any]:
    repo = LoginRepository(conn, principal.firm_id)
    await repo.expire(login["id"])
    return await _shown(repo, login["id"], ctx)


def own_ctx(row: dict[str, Any], base_url: str) -> Ctx:
    """A login shown to its own user renders in its firm's zone and currency."""
    return Ctx(zone(row["timezone"]), row["currency"], base_url)
