"""POST /api/v1/client/{client_uuid}/owners: attach, detach or sync the owners of a
shared (joint, trust or business) client, under the rules its create and update keep:
owners are individual clients the writer may see, a shared client keeps at least one
and at most ten. Owners the writer cannot see are not the writer's to remove: a sync
keeps them."""

# No `from __future__ import annotations`: FastAPI reads the dependencies from the
# handler's annotations at import.

import uuid
from typing import Annotated, Any, Literal

from asyncpg import Record
from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS, CLIENTS
from advisercrm.accounts.repository import AccountRepository
from advisercrm.accounts.schemas import SHARED_ROLES, AccountOut
from advisercrm.accounts.service import recorded
from advisercrm.auth.access import Found, StaffWrite
from advisercrm.auth.deps import RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES, Body, BodyErrors
from advisercrm.kit.fields import Required, UUIDStr
from advisercrm.kit.references import check_uuid_list
from advisercrm.kit.render import JSON, Ctx
from advisercrm.resource import service as resource
from advisercrm.tables import account_owners, accounts

MAX_OWNERS = 10
SHARED_ONLY = "The :attribute field is only allowed for joint, trust and business clients."
KEEP_ONE = "The :attribute field would leave the client without an owner."
TOO_MANY = f"The :attribute field would give the client more than {MAX_OWNERS} owners."

router = APIRouter(route_class=ApiRoute, tags=["accounts"])


class OwnersChange(Body):
    mode: Annotated[Literal["attach", "detach", "sync"], Required]
    owners: Annotated[list[UUIDStr], Required, Field(max_length=MAX_OWNERS)]


async def _client(
    conn: AsyncConnection, principal: Principal, client_uuid: uuid.UUID
) -> Record | None:
    return await resource.find(conn, principal, CLIENTS, client_uuid)


async def _current(repo: AccountRepository, client_id: int) -> list[tuple[int, uuid.UUID]]:
    """The client's owners (every one, seen or not), in their order: ids and UUIDs."""
    o, a = account_owners, accounts
    query = (
        select(o.c.owner_id, a.c.uuid)
        .join(a, and_(a.c.firm_id == o.c.firm_id, a.c.id == o.c.owner_id))
        .where(repo.scoped(o), o.c.account_id == client_id)
        .order_by(o.c.position, o.c.owner_id)
    )
    return [(row["owner_id"], row["uuid"]) for row in await repo.all(query)]


async def change_owners(
    conn: AsyncConnection, principal: Principal, client: Record, body: OwnersChange, ctx: Ctx
) -> dict[str, Any]:
    repo = AccountRepository(conn, principal.firm_id)
    errors = BodyErrors(body)
    named = body.owners or []
    current = await _current(repo, client["id"])
    found = await resource.resolve(
        conn, principal, ACCOUNTS, named + [owner_uuid for _, owner_uuid in current]
    )
    ids = check_uuid_list(
        "owners", named, found, errors, lambda r: r["visible"] and r["role"] == "individual"
    )
    if client["role"] not in SHARED_ROLES:
        errors.add("owners", SHARED_ONLY)
    owner_ids = [owner_id for owner_id, _ in current]
    if body.mode == "attach":
        after = owner_ids + [i for i in ids if i not in owner_ids]
    elif body.mode == "detach":
        after = [i for i in owner_ids if i not in ids]
    else:  # sync: the ones the writer cannot see stay
        hidden = [i for i, owner_uuid in current if not found[owner_uuid]["visible"]]
        after = hidden + [i for i in ids if i not in hidden]
    if body.mode is not None and body.owners is not None and client["role"] in SHARED_ROLES:
        if not after:
            errors.add("owners", KEEP_ONE)
        elif len(after) > MAX_OWNERS:
            errors.add("owners", TOO_MANY)
    errors.raise_if_any()
    if after == owner_ids:  # nothing changes, nothing to record
        return (await resource.render(conn, principal, ACCOUNTS, [client["id"]], ctx))[0]
    await repo.replace_owners(client["id"], after)
    return await recorded(conn, principal, "updated", client["id"], ctx)


Client = Annotated[Record, Depends(Found(_client, "client_uuid"))]


@router.post(
    "/api/v1/client/{client_uuid}/owners",
    response_model=AccountOut,
    summary="Attach, detach or sync the owners of a shared client",
)
async def post_owners(
    client: Client,
    principal: StaffWrite,
    body: Annotated[OwnersChange, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await change_owners(conn, principal, client, body, ctx))
