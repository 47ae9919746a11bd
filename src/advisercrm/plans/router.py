"""Plans (/api/v1/plans)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import (
    ListSpec,
    Page,
    choice_list_filter,
    paginated,
    parse_list_query,
    text_filter,
    uuid_list_filter,
)
from advisercrm.kit.render import JSON
from advisercrm.plans import service
from advisercrm.plans.schemas import PLAN_TYPES, STATUSES, PlanCreate, PlanOut, PlanUpdate

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/plans", tags=["plans"])
LIST_SPEC = ListSpec(
    filters={
        "uuid": uuid_list_filter,
        "name": text_filter,
        "type": choice_list_filter(PLAN_TYPES),
        "status": choice_list_filter(STATUSES),
        "account_uuids": uuid_list_filter,
    },
    sorts=("created_at", "updated_at", "name", "type", "status"),
)


@router.post("", status_code=201, response_model=PlanOut)
async def create_plan(
    body: PlanCreate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("", response_model=Page[PlanOut])
async def list_plans(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_plans(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=PlanOut)
async def show_plan(uuid: str, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, path_uuid(uuid), ctx))


@router.put("/{uuid}", response_model=PlanOut)
async def update_plan(
    uuid: str, body: PlanUpdate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, path_uuid(uuid), body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_plan(uuid: str, conn: Conn, principal: CurrentPrincipal) -> Response:
    await service.delete(conn, principal, path_uuid(uuid))
    return Response(status_code=204)
