"""Task statuses (/api/v1/task-status)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import RowMapping

from advisercrm.auth.access import Found, ManagerDelete, ManagerWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.listing import (
    ListSpec,
    Page,
    bool_filter,
    paginated,
    parse_list_query,
    text_filter,
    uuid_list_filter,
)
from advisercrm.kit.render import JSON
from advisercrm.task_statuses import service
from advisercrm.task_statuses.schemas import TaskStatusCreate, TaskStatusOut, TaskStatusUpdate

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/task-status", tags=["task statuses"])
LIST_SPEC = ListSpec(
    filters={
        "uuid": uuid_list_filter,
        "name": text_filter,
        "is_type_completed": bool_filter,
        "is_archived": bool_filter,
        "is_not_started": bool_filter,
    },
    sorts=("position", "created_at", "name"),
    default_sort="position",
)

# The path's record first, then the permission: 404 before 403, both before the body.
Status = Annotated[RowMapping, Depends(Found(service.find))]


@router.post("", status_code=201, response_model=TaskStatusOut)
async def create_task_status(
    principal: ManagerWrite, body: TaskStatusCreate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("", response_model=Page[TaskStatusOut])
async def list_task_statuses(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_statuses(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=TaskStatusOut)
async def show_task_status(
    status: Status, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.get(conn, principal, status, ctx))


@router.put("/{uuid}", response_model=TaskStatusOut)
async def update_task_status(
    status: Status, principal: ManagerWrite, body: TaskStatusUpdate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, status, body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_task_status(status: Status, principal: ManagerDelete, conn: Conn) -> Response:
    await service.delete(conn, principal, status)
    return Response(status_code=204)
