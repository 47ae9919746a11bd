"""Tasks: the acting account's open tasks, soonest due first, and a task's page with its
details, custom fields and subtasks, where it is completed or reopened. Reads and
writes go through the services the API's task routes use, under the same rules."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from asyncpg import Record
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import TypeAdapter

from advisercrm.auth.access import Allowed
from advisercrm.auth.principal import Principal
from advisercrm.custom_fields.description import CUSTOM_FIELDS
from advisercrm.kit import transactions
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.errors import ApiError, ValidationFailed
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.render import Ctx
from advisercrm.resource import service as resource_service
from advisercrm.task_statuses.description import TASK_STATUSES
from advisercrm.tasks import service as tasks_service
from advisercrm.tasks.description import TASKS
from advisercrm.tasks.includes import render, show
from advisercrm.tasks.schemas import TaskUpdate
from advisercrm.web import forms, task_fields
from advisercrm.web.clients import PER_PAGE
from advisercrm.web.guard import Acting, ActingAs, WebConn, record
from advisercrm.web.templating import not_found, page, page_number, redirect

router = APIRouter(include_in_schema=False)
STATUS_NOT_FOUND = "Task status not found."
# A firm has a handful of task statuses and fields; the page offers the first hundred.
MOST = 100
# The API's update body, checked as the API checks it: every rule at once.
UPDATE = TypeAdapter(Annotated[TaskUpdate, ALL_RULES])


def _now(ctx: Ctx) -> str:
    """Now on the firm's clock, as the API writes a due date: overdue is earlier."""
    return dt.datetime.now(ctx.timezone).strftime("%Y-%m-%d %H:%M:%S")


@router.get("/tasks")
async def my_tasks(request: Request, acting: ActingAs, conn: WebConn) -> Response:
    number = page_number(request.query_params.get("page"))
    mine = [uuid.UUID(acting.principal.account_uuid)]
    # Subtasks too: one assigned to this account is theirs to do.
    filters = {"assigned_to_uuids": mine, "open_tasks": True, "subtask_visibility": "include"}
    query = ListQuery(number, PER_PAGE, "due_at", False, filters)
    ctx = acting.ctx
    tasks, total = await tasks_service.list_tasks(conn, acting.principal, query, ctx)
    return page(
        request,
        "my_tasks.html",
        acting.session,
        tasks=tasks,
        total=total,
        now=_now(ctx),
        page_number=number,
        last_page=max(1, math.ceil(total / PER_PAGE)),
    )


async def _task_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    row: Record,
    status: int = 200,
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    """The page; `errors` and `sent`: a refused form's, shown beside its controls."""
    principal, ctx, errors = acting.principal, acting.ctx, errors or {}
    task = await show(conn, principal, row, ctx, {"parent_task", "subtasks"})
    writer = await forms.may(principal)
    reopen_to: list[dict[str, Any]] = []
    if writer and task["completed_at"] is not None:
        only_open = {"is_type_completed": False, "is_archived": False}
        query = ListQuery(1, MOST, "position", False, only_open)
        reopen_to, _ = await resource_service.listing(conn, principal, TASK_STATUSES, query, ctx)
    controls = []
    if writer:
        definitions = await _task_fields(conn, principal, ctx)
        controls = task_fields.controls(definitions, task, sent, errors)
    return page(
        request,
        "task.html",
        acting.session,
        status=status,
        task=task,
        now=_now(ctx),
        writer=writer,
        reopen_to=reopen_to,
        controls=controls,
        errors=errors,
    )


async def _task_fields(conn: WebConn, principal: Principal, ctx: Ctx) -> list[dict[str, Any]]:
    """The firm's task custom fields, in the order a task shows its values."""
    query = ListQuery(1, MOST, "position", False, {"model_type": ["task"]})
    definitions, _ = await resource_service.listing(conn, principal, CUSTOM_FIELDS, query, ctx)
    return definitions


@router.get("/tasks/{task_uuid}")
async def task_page(request: Request, task_uuid: str, acting: ActingAs, conn: WebConn) -> Response:
    row = await record(conn, acting, TASKS, task_uuid, loaded=True)
    if row is None:
        return not_found(request, acting.session)
    return await _task_page(request, acting, conn, row)


async def _refused(
    request: Request,
    acting: Acting,
    conn: WebConn,
    task_uuid: str,
    error: ApiError,
    sent: dict[str, str] | None = None,
) -> Response:
    """The task's page again, with why the change was refused (the API's words: its
    message on top, and each field's beside its control)."""
    row = await record(conn, acting, TASKS, task_uuid, loaded=True)
    if row is None:  # deleted meanwhile
        return not_found(request, acting.session)
    errors = {"action": error.message}
    if isinstance(error, ValidationFailed):
        errors |= {field: messages[0] for field, messages in error.errors.items()}
    return await _task_page(request, acting, conn, row, error.status, errors, sent)


# A change: the task and the form it was sent with, written through the task service.
Change = Callable[[Record, dict[str, str]], Awaitable[object]]


async def _change(
    request: Request, acting: Acting, conn: WebConn, task_uuid: str, change: Change
) -> Response:
    """A form that changes the task, checked as the API's route checks its request (the
    form's CSRF token first): back to the task's page once done, or the page again with
    the API's reasons for refusing it."""
    form = await forms.form(request, acting)
    row = await record(conn, acting, TASKS, task_uuid)
    if row is None:
        return not_found(request, acting.session)
    try:
        await Allowed("write")(acting.principal)
        async with transactions.savepoint(conn):
            await change(row, form)
    except ApiError as error:
        return await _refused(request, acting, conn, task_uuid, error, form)
    return redirect(f"/tasks/{row['uuid']}")


@router.post("/tasks/{task_uuid}/complete")
async def complete(request: Request, task_uuid: str, acting: ActingAs, conn: WebConn) -> Response:
    async def change(row: Record, form: dict[str, str]) -> object:
        return await tasks_service.complete(conn, acting.principal, row, acting.ctx)

    return await _change(request, acting, conn, task_uuid, change)


@router.post("/tasks/{task_uuid}/uncomplete")
async def uncomplete(request: Request, task_uuid: str, acting: ActingAs, conn: WebConn) -> Response:
    principal = acting.principal

    async def change(row: Record, form: dict[str, str]) -> object:
        status_uuid = path_uuid(form.get("task_status_uuid", ""))
        found = None
        if status_uuid is not None:
            found = await tasks_service.find_status(conn, principal, status_uuid)
        if found is None:
            raise ValidationFailed({"task_status_uuid": [STATUS_NOT_FOUND]})
        return await tasks_service.uncomplete(conn, principal, row, found, acting.ctx)

    return await _change(request, acting, conn, task_uuid, change)


@router.post("/tasks/{task_uuid}/fields")
async def set_fields(request: Request, task_uuid: str, acting: ActingAs, conn: WebConn) -> Response:
    principal, ctx = acting.principal, acting.ctx

    async def change(row: Record, form: dict[str, str]) -> object:
        definitions = await _task_fields(conn, principal, ctx)
        task = (await render(conn, principal, [int(row["id"])], ctx))[0]
        changed = task_fields.changes(definitions, task, form)
        if not changed:
            return None
        body = UPDATE.validate_python({"custom_fields": changed})
        return await tasks_service.update(conn, principal, row, body, ctx)

    return await _change(request, acting, conn, task_uuid, change)
