"""Groups (/api/v1/group)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from advisercrm.auth.access import Found, ManagerDelete, ManagerWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.groups import service
from advisercrm.groups.schemas import GroupCreate, GroupOut, GroupUpdate
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.listing import (
    ListSpec,
    Page,
    paginated,
    parse_list_query,
    text_filter,
    uuid_list_filter,
)
from advisercrm.kit.render import JSON

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/group", tags=["groups"])
LIST_SPEC = ListSpec(
    filters={"uuid": uuid_list_filter, "name": text_filter},
    sorts=("created_at", "updated_at", "name"),
)

# The path's record first, then the permission: 404 before 403, both before the body.
Group = Annotated[int, Depends(Found(service.find))]


@router.post("", status_code=201, response_model=GroupOut)
async def create_group(
    principal: ManagerWrite, body: GroupCreate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("", response_model=Page[GroupOut])
async def list_groups(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_groups(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=GroupOut)
async def show_group(group: Group, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, group, ctx))


@router.put("/{uuid}", response_model=GroupOut)
async def update_group(
    group: Group, principal: ManagerWrite, body: GroupUpdate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, group, body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_group(group: Group, principal: ManagerDelete, conn: Conn) -> Response:
    await service.delete(conn, principal, group)
    return Response(status_code=204)
