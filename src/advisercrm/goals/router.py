"""Goals: /api/v2/goals and the per-client v1 reads."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from asyncpg import Record
from fastapi import APIRouter, Depends, Request, Response

from advisercrm.accounts.description import CLIENTS
from advisercrm.auth.access import AnyoneDelete, AnyoneWrite, Found
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn, one_statement
from advisercrm.goals import service
from advisercrm.goals.description import GOALS
from advisercrm.goals.schemas import ClientGoalUpdate, GoalCreate, GoalOut, GoalUpdate
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.listing import Page, paginated, parse_list_query
from advisercrm.kit.render import JSON
from advisercrm.resource import service as resource_service
from advisercrm.resource.router import path_row

router = APIRouter(route_class=ApiRoute, tags=["goals"])
LIST_SPEC = GOALS.list_spec
# Plannr documents `include=shared_owner` on a client's goals: the resource always has it.
CLIENT_LIST_SPEC = dataclasses.replace(LIST_SPEC, includes=("shared_owner",))

# The path's record first, then the permission: 404 before 403, both before the body.
Goal = Annotated[Record, path_row(GOALS)]
DoomedGoal = Annotated[Record, path_row(GOALS, lock=True)]
Shown = Annotated[Record, path_row(GOALS, loaded=True)]
LockedGoal = Annotated[int, Depends(Found(service.find_locked))]
Client = Annotated[Record, path_row(CLIENTS, name="client_uuid")]


@router.post("/api/v2/goals", status_code=201, response_model=GoalOut)
async def create_goal(
    principal: AnyoneWrite,
    body: Annotated[GoalCreate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("/api/v2/goals", response_model=Page[GoalOut])
@one_statement()
async def list_goals(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await resource_service.listing(conn, principal, GOALS, query, ctx)
    return paginated(request, query, data, total)


@router.get("/api/v2/goals/{uuid}", response_model=GoalOut)
@one_statement()
async def show_goal(goal: Shown, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.show(conn, principal, goal, ctx, None))


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
async def delete_goal(
    goal: DoomedGoal, principal: AnyoneDelete, conn: Conn, ctx: RenderCtx
) -> Response:
    await resource_service.delete(conn, principal, GOALS, goal, ctx)
    return Response(status_code=204)


@router.get("/api/v1/client/{client_uuid}/goal", response_model=Page[GoalOut])
async def list_client_goals(
    client: Client, request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, CLIENT_LIST_SPEC)
    parent = ("client", client["id"])
    data, total = await resource_service.listing(conn, principal, GOALS, query, ctx, parent)
    return paginated(request, query, data, total)


@router.get("/api/v1/client/{client_uuid}/goal/{uuid}", response_model=GoalOut)
async def show_client_goal(
    client: Client, goal: Shown, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.show(conn, principal, goal, ctx, client["id"]))


async def _client_goal(client: Client, goal: LockedGoal, conn: Conn) -> int:
    """The goal the path names, if the path's client owns it (404 otherwise, before the
    permission is checked)."""
    await service.owned_by(conn, client, goal)
    return goal


@router.put("/api/v1/client/{client_uuid}/goal/{uuid}", response_model=GoalOut)
async def update_client_goal(
    goal: Annotated[int, Depends(_client_goal)],
    principal: AnyoneWrite,
    body: Annotated[ClientGoalUpdate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.update_for_client(conn, principal, goal, body, ctx))
