"""Goals: /api/v2/goals and the per-client v1 reads."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.goals import service
from advisercrm.goals.schemas import GoalCreate, GoalOut, GoalUpdate
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import (
    ListSpec,
    Page,
    date_filter,
    int_list_filter,
    paginated,
    parse_list_query,
    text_filter,
    uuid_list_filter,
)
from advisercrm.kit.render import JSON

router = APIRouter(route_class=ApiRoute, tags=["goals"])
LIST_SPEC = ListSpec(
    filters={
        "uuid": uuid_list_filter,
        "account_uuids": uuid_list_filter,
        "circle_uuids": uuid_list_filter,
        "name": text_filter,
        "priority": int_list_filter(1, 5),
        "complete_goal_by_before": date_filter,
        "complete_goal_by_after": date_filter,
    },
    sorts=("created_at", "updated_at", "name", "progress", "complete_goal_by", "priority"),
)


@router.post("/api/v2/goals", status_code=201, response_model=GoalOut)
async def create_goal(
    body: GoalCreate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("/api/v2/goals", response_model=Page[GoalOut])
async def list_goals(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_goals(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/api/v2/goals/{uuid}", response_model=GoalOut)
async def show_goal(uuid: str, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, path_uuid(uuid), ctx))


@router.put("/api/v2/goals/{uuid}", response_model=GoalOut)
async def update_goal(
    uuid: str, body: GoalUpdate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, path_uuid(uuid), body, ctx))


@router.delete("/api/v2/goals/{uuid}", status_code=204)
async def delete_goal(uuid: str, conn: Conn, principal: CurrentPrincipal) -> Response:
    await service.delete(conn, principal, path_uuid(uuid))
    return Response(status_code=204)


@router.get("/api/v1/client/{client_uuid}/goal", response_model=Page[GoalOut])
async def list_client_goals(
    client_uuid: str, request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_goals(
        conn, principal, query, ctx, path_uuid(client_uuid), by_client=True
    )
    return paginated(request, query, data, total)


@router.get("/api/v1/client/{client_uuid}/goal/{uuid}", response_model=GoalOut)
async def show_client_goal(
    client_uuid: str, uuid: str, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    goal_uuid = path_uuid(uuid)
    return JSON(
        await service.get(conn, principal, goal_uuid, ctx, path_uuid(client_uuid), by_client=True)
    )
