"""Task statuses: the firm's task board columns in order, made, edited, moved and deleted
through the API's own service calls and request models (`crud_router(TASK_STATUSES)`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.resource import service
from advisercrm.task_statuses.description import TASK_STATUSES
from advisercrm.task_statuses.repository import FLAGS
from advisercrm.task_statuses.schemas import TaskStatusCreate, TaskStatusUpdate
from advisercrm.web.guard import Acting, WebConn
from advisercrm.web.settings.common import (
    Manager,
    allowed,
    attempt,
    body,
    delete_record,
    form,
    found,
    listed,
    one,
)
from advisercrm.web.templating import page, redirect

router = APIRouter(include_in_schema=False)
HERE = "/settings/task-statuses"
R = TASK_STATUSES


def _values(fields: dict[str, list[str]]) -> dict[str, Any]:
    """The form as the API's JSON body: the name as typed, a colour only when given (a
    new status then gets the palette's next one, an edited one keeps its own), and each
    flag ticked or not."""
    raw: dict[str, Any] = {"name": one(fields, "name")}
    colour = one(fields, "colour").strip()
    if colour:
        raw["colour"] = colour
    raw |= {flag: flag in fields for flag in FLAGS}
    return raw


async def _list_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    statuses, total = await listed(conn, acting, R, "position")
    return page(
        request,
        "settings/task_statuses.html",
        acting.session,
        status=status,
        statuses=statuses,
        total=total,
        errors=errors or {},
        entered=entered or {},
    )


@router.get(HERE)
async def statuses(request: Request, acting: Manager, conn: WebConn) -> Response:
    return await _list_page(request, acting, conn)


@router.post(HERE)
async def create(request: Request, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    raw = _values(fields)

    async def work() -> dict[str, Any]:
        made = body(TaskStatusCreate, raw)
        return await service.create(conn, acting.principal, R, made, acting.ctx)

    _, errors = await attempt(request, acting, conn, work, HERE)
    if errors:
        return await _list_page(request, acting, conn, 422, errors, raw)
    return redirect(HERE)


def _edit_page(
    request: Request,
    acting: Acting,
    shown: dict[str, Any],
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    return page(
        request,
        "settings/task_status.html",
        acting.session,
        status=status,
        status_=shown,
        errors=errors or {},
        entered=entered or shown,
    )


@router.get(HERE + "/{status_uuid}")
async def edit_form(request: Request, status_uuid: str, acting: Manager, conn: WebConn) -> Response:
    row = await found(request, acting, conn, R, status_uuid)
    shown = await service.show(conn, acting.principal, R, row, acting.ctx)
    return _edit_page(request, acting, shown)


async def _update(
    request: Request, acting: Acting, conn: WebConn, row: Any, raw: dict[str, Any]
) -> dict[str, list[str]]:
    async def work() -> dict[str, Any]:
        changes = body(TaskStatusUpdate, raw)
        return await service.update_row(conn, acting.principal, R, row, changes, acting.ctx)

    _, errors = await attempt(request, acting, conn, work, HERE)
    return errors


@router.post(HERE + "/{status_uuid}")
async def update(request: Request, status_uuid: str, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, status_uuid)
    raw = _values(fields)
    errors = await _update(request, acting, conn, row, raw)
    if errors:
        shown = await service.show(conn, acting.principal, R, row, acting.ctx)
        return _edit_page(request, acting, shown, 422, errors, {**shown, **raw})
    return redirect(HERE)


@router.post(HERE + "/{status_uuid}/move")
async def move(request: Request, status_uuid: str, acting: Manager, conn: WebConn) -> Response:
    """Up or down one place: the API's update with the new `position`."""
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, status_uuid)
    errors = await _update(request, acting, conn, row, {"position": one(fields, "position")})
    if errors:
        return await _list_page(request, acting, conn, 422, errors)
    return redirect(HERE)


@router.post(HERE + "/{status_uuid}/delete")
async def delete(request: Request, status_uuid: str, acting: Manager, conn: WebConn) -> Response:
    return await delete_record(request, acting, conn, R, status_uuid, HERE)
