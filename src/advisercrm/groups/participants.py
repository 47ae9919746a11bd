"""POST /api/v1/group/{group_uuid}/participants: add accounts to a group. The accounts
already in it stay (and naming one again changes nothing); owners and admins write, as
for the group itself."""

# No `from __future__ import annotations`: FastAPI reads the dependencies from the
# handler's annotations at import.

import uuid
from typing import Annotated, Any

from asyncpg import Record
from fastapi import APIRouter, Depends
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.references import resolve as accounts_named
from advisercrm.auth.access import Found, ManagerWrite
from advisercrm.auth.deps import RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn
from advisercrm.groups.description import GROUPS
from advisercrm.groups.repository import GroupRepository
from advisercrm.groups.schemas import GroupOut, Participants
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES, Body, BodyErrors
from advisercrm.kit.fields import Required
from advisercrm.kit.references import check_uuid_list
from advisercrm.kit.render import JSON, Ctx
from advisercrm.resource import service as resource
from advisercrm.tables import group_participants

router = APIRouter(route_class=ApiRoute, tags=["groups"])


class ParticipantsAdd(Body):
    participants: Annotated[Participants, Required]


async def _group(
    conn: AsyncConnection, principal: Principal, group_uuid: uuid.UUID
) -> Record | None:
    return await resource.find(conn, principal, GROUPS, group_uuid)


async def add_participants(
    conn: AsyncConnection, principal: Principal, group: Record, body: ParticipantsAdd, ctx: Ctx
) -> dict[str, Any]:
    errors = BodyErrors(body)
    named = body.participants or []
    found = await accounts_named(conn, principal, named)
    ids = check_uuid_list("participants", named, found, errors, lambda r: bool(r["visible"]))
    errors.raise_if_any()
    repo = GroupRepository(conn, principal.firm_id)
    rows = [{"firm_id": principal.firm_id, "group_id": group["id"], "account_id": i} for i in ids]
    await repo.execute(insert(group_participants).values(rows).on_conflict_do_nothing())
    return (await resource.render(conn, principal, GROUPS, [group["id"]], ctx))[0]


Group = Annotated[Record, Depends(Found(_group, "group_uuid"))]


@router.post(
    "/api/v1/group/{group_uuid}/participants",
    response_model=GroupOut,
    summary="Add participants to a group",
)
async def post_participants(
    group: Group,
    principal: ManagerWrite,
    body: Annotated[ParticipantsAdd, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await add_participants(conn, principal, group, body, ctx))
