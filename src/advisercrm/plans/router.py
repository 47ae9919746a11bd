"""Plans (/api/v1/plans)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from advisercrm.auth.access import Found, StaffDelete, StaffWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
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

# The path's record first, then the permission: 404 before 403, both before the body.
Plan = Annotated[int, Depends(Found(service.find))]


@router.post("", status_code=201, response_model=PlanOut)
async def create_plan(principal: StaffWrite, body: PlanCreate, conn: Conn, ctx: RenderCtx) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("", response_model=Page[PlanOut])
async def list_plans(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_plans(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=PlanOut)
async def show_plan(plan: Plan, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, plan, ctx))


@router.put("/{uuid}", response_model=PlanOut)
async def update_plan(
    plan: Plan, principal: StaffWrite, body: PlanUpdate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, plan, body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_plan(plan: Plan, principal: StaffDelete, conn: Conn) -> Response:
    await service.delete(conn, principal, plan)
    return Response(status_code=204)
