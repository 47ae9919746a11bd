"""Tasks (/api/v1/task)."""

from __future__ import annotations

from typing import Annotated

from asyncpg import Record
from fastapi import APIRouter, Depends, Request, Response

from advisercrm.auth.access import Found, StaffDelete, StaffWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn, one_statement
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.errors import BadRequest
from advisercrm.kit.listing import (
    ListSpec,
    Page,
    bool_filter,
    choice_filter,
    choice_list_filter,
    date_filter,
    paginated,
    parse_list_query,
    text_filter,
    uuid_list_filter,
)
from advisercrm.kit.render import JSON
from advisercrm.resource import service as resource_service
from advisercrm.resource.router import path_row
from advisercrm.tasks import service
from advisercrm.tasks.description import TASKS
from advisercrm.tasks.includes import show
from advisercrm.tasks.schemas import PRIORITIES, TASKABLE_TYPES, TaskCreate, TaskOut, TaskUpdate

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/task", tags=["tasks"])
# Author, completer and custom fields are always in the resource; related tasks and the
# workflow task are empty here (no task relations or workflows): Plannr documents them all.
INCLUDES = (
    "parent_task",
    "subtasks",
    "author",
    "completed_by",
    "custom_fields",
    "related_tasks",
    "workflow_task",
)
LIST_SPEC = ListSpec(
    filters={
        "name": text_filter,
        "taskable_type": choice_list_filter(TASKABLE_TYPES),
        "taskable_uuid": uuid_list_filter,
        "client_uuid": uuid_list_filter,
        "priority": choice_list_filter(PRIORITIES),
        "assigned_to_uuids": uuid_list_filter,
        "circle_uuids": uuid_list_filter,
        "status_uuid": uuid_list_filter,
        "due_before": date_filter,
        "due_after": date_filter,
        "has_due_date": bool_filter,
        "open_tasks": bool_filter,
        "completed_status": bool_filter,
        "archived_status": bool_filter,
        "not_started_status": bool_filter,
        "subtask_visibility": choice_filter(("include", "exclude", "only")),
        "show_child_tasks": bool_filter,
        "group_uuids": uuid_list_filter,
    },
    sorts=("created_at", "updated_at", "name", "priority", "due_at", "position", "completed_last"),
    includes=INCLUDES,
)


def _show_includes(request: Request) -> set[str]:
    """A single task takes `include` only; page, sort and filters are list parameters,
    which a show request ignores rather than rejects."""
    raw = request.query_params.get("include") or ""
    includes = {i.strip() for i in raw.split(",") if i.strip()}
    unknown = sorted(includes - set(INCLUDES))
    if unknown:
        raise BadRequest(
            f"Requested include(s) `{', '.join(unknown)}` are not allowed. "
            f"Allowed include(s) are `{', '.join(INCLUDES)}`."
        )
    return includes


# The path's records first, then the permission: 404 before 403, both before the body.
Task = Annotated[Record, path_row(TASKS)]
DoomedTask = Annotated[Record, path_row(TASKS, lock=True)]
Shown = Annotated[Record, path_row(TASKS, loaded=True)]
# The task is looked up first: with both UUIDs unknown the answer is about the task, and
# a status that names nothing says that it is the second path UUID.
Status = Annotated[
    service.Row,
    Depends(Found(service.find_status, "task_status_uuid", "Task status not found.")),
]


@router.post("", status_code=201, response_model=TaskOut)
async def create_task(
    principal: StaffWrite, body: Annotated[TaskCreate, ALL_RULES], conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


def _no_include(request: Request) -> bool:
    """Includes read more tasks, in statements of their own."""
    return not request.query_params.get("include")


@router.get("", response_model=Page[TaskOut])
@one_statement(_no_include)
async def list_tasks(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_tasks(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=TaskOut)
@one_statement(_no_include)
async def show_task(
    task: Shown, request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    includes = _show_includes(request)
    return JSON(await show(conn, principal, task, ctx, includes))


@router.put("/{uuid}", response_model=TaskOut)
async def update_task(
    task: Task,
    principal: StaffWrite,
    body: Annotated[TaskUpdate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.update(conn, principal, task, body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_task(
    task: DoomedTask, principal: StaffDelete, conn: Conn, ctx: RenderCtx
) -> Response:
    await resource_service.delete(conn, principal, TASKS, task, ctx)
    return Response(status_code=204)


@router.patch("/{uuid}/complete", response_model=TaskOut)
async def complete_task(task: Task, principal: StaffWrite, conn: Conn, ctx: RenderCtx) -> JSON:
    return JSON(await service.complete(conn, principal, task, ctx))


@router.patch("/{uuid}/uncomplete/{task_status_uuid}", response_model=TaskOut)
async def uncomplete_task(
    task: Task, status: Status, principal: StaffWrite, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.uncomplete(conn, principal, task, status, ctx))
