"""Groups (/api/v1/group)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.groups import service
from advisercrm.groups.schemas import GroupCreate, GroupOut, GroupUpdate
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.fields import path_uuid
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


@router.post("", status_code=201, response_model=GroupOut)
async def create_group(
    body: GroupCreate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
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
async def show_group(uuid: str, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, path_uuid(uuid), ctx))


@router.put("/{uuid}", response_model=GroupOut)
async def update_group(
    uuid: str, body: GroupUpdate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, path_uuid(uuid), body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_group(uuid: str, conn: Conn, principal: CurrentPrincipal) -> Response:
    await service.delete(conn, principal, path_uuid(uuid))
    return Response(status_code=204)
