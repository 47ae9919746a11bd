"""Circles (households, /api/v1/circles)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.circles import service
from advisercrm.circles.schemas import CircleCreate, CircleOut, CircleUpdate
from advisercrm.db import Conn
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

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/circles", tags=["circles"])
LIST_SPEC = ListSpec(
    filters={"uuid": uuid_list_filter, "name": text_filter, "account_uuids": uuid_list_filter},
    sorts=("created_at", "updated_at", "name"),
)


@router.post("", status_code=201, response_model=CircleOut)
async def create_circle(
    body: CircleCreate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("", response_model=Page[CircleOut])
async def list_circles(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_circles(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=CircleOut)
async def show_circle(uuid: str, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, path_uuid(uuid), ctx))


@router.put("/{uuid}", response_model=CircleOut)
async def update_circle(
    uuid: str, body: CircleUpdate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, path_uuid(uuid), body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_circle(uuid: str, conn: Conn, principal: CurrentPrincipal) -> Response:
    await service.delete(conn, principal, path_uuid(uuid))
    return Response(status_code=204)
