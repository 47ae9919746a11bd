"""Goals: /api/v2/goals and the per-client v1 reads."""

from __future__ import annotations

from typing import Annotated

from asyncpg import Record
from fastapi import APIRouter, Depends, Request, Response

from advisercrm.auth.access import AnyoneDelete, AnyoneWrite, Found
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.goals import service
from advisercrm.goals.schemas import GoalCreate, GoalOut, GoalUpdate
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES
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


# The path's record first, then the permission: 404 before 403, both before the body.
Goal = Annotated[int, Depends(Found(service.find))]
GoalRow = Annotated[Record, Depends(Found(service.find_row))]
LockedGoal = Annotated[int, Depends(Found(service.find_locked))]
Client = Annotated[int, Depends(Found(service.find_client, "client_uuid"))]


@router.post("/api/v2/goals", status_code=201, response_model=GoalOut)
async def create_goal(
    principal: AnyoneWrite,
    body: Annotated[GoalCreate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
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
async def show_goal(goal: GoalRow, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, goal, ctx))


@router.put("/api/v2/goals/{uuid}", response_model=GoalOut)
async def update_goal(
    goal: LockedGoal,
    principal: AnyoneWrite,
    body: Annotated[GoalUpdate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.update(conn, principal, goal, body, ctx))


@router.delete("/api/v2/goals/{uuid}", status_code=204)
async def delete_goal(goal: Goal, principal: AnyoneDelete, conn: Conn) -> Response:
    await service.delete(conn, principal, goal)
    return Response(status_code=204)


@router.get("/api/v1/client/{client_uuid}/goal", response_model=Page[GoalOut])
async def list_client_goals(
    client: Client, request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_goals(conn, principal, query, ctx, client)
    return paginated(request, query, data, total)


@router.get("/api/v1/client/{client_uuid}/goal/{uuid}", response_model=GoalOut)
async def show_client_goal(
    client: Client, goal: GoalRow, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.get(conn, principal, goal, ctx, client))
