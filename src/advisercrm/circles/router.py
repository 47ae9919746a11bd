"""Circles (households, /api/v1/circles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from advisercrm.auth.access import Found, StaffDelete, StaffWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.circles import service
from advisercrm.circles.schemas import CircleCreate, CircleOut, CircleUpdate
from advisercrm.db import Conn
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

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/circles", tags=["circles"])
LIST_SPEC = ListSpec(
    filters={"uuid": uuid_list_filter, "name": text_filter, "account_uuids": uuid_list_filter},
    sorts=("created_at", "updated_at", "name"),
)

# The path's record first, then the permission: 404 before 403, both before the body.
Circle = Annotated[int, Depends(Found(service.find))]


@router.post("", status_code=201, response_model=CircleOut)
async def create_circle(
    principal: StaffWrite, body: CircleCreate, conn: Conn, ctx: RenderCtx
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
async def show_circle(
    circle: Circle, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.get(conn, principal, circle, ctx))


@router.put("/{uuid}", response_model=CircleOut)
async def update_circle(
    circle: Circle, principal: StaffWrite, body: CircleUpdate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, circle, body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_circle(circle: Circle, principal: StaffDelete, conn: Conn) -> Response:
    await service.delete(conn, principal, circle)
    return Response(status_code=204)
