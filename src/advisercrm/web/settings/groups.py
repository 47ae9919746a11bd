"""Groups: the firm's groups, made, renamed and deleted through the API's own service
calls and request models (`crud_router(GROUPS)`); staff added to a group as the API's
participants route adds them, and removed as an update of its participants."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.groups.description import GROUPS
from advisercrm.groups.participants import ParticipantsAdd, add_participants
from advisercrm.groups.schemas import GroupCreate, GroupUpdate
from advisercrm.resource import service
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
from advisercrm.web.templating import not_found, page, redirect

router = APIRouter(include_in_schema=False)
HERE = "/settings/groups"
R = GROUPS


async def staff(request: Request, acting: Acting, conn: WebConn) -> list[dict[str, Any]]:
    """The firm's employees by name, as the API's account list gives them."""
    only = {"type": ACCOUNTS.list_spec.filters["type"]("employee")}
    people, _ = await listed(conn, acting, ACCOUNTS, "name", **only)
    return people


async def _list_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    groups, total = await listed(conn, acting, R, "name")
    return page(
        request,
        "settings/groups.html",
        acting.session,
        status=status,
        groups=groups,
        total=total,
        staff=await staff(request, acting, conn),
        errors=errors or {},
        entered=entered or {"name": "", "participants": []},
    )


@router.get(HERE)
async def groups(request: Request, acting: Manager, conn: WebConn) -> Response:
    return await _list_page(request, acting, conn)


@router.post(HERE)
async def create(request: Request, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    raw = {"name": one(fields, "name"), "participants": fields.get("participants", [])}

    async def work() -> dict[str, Any]:
        made = body(GroupCreate, raw)
        return await service.create(conn, acting.principal, R, made, acting.ctx)

    made, errors = await attempt(request, acting, conn, work, HERE)
    if errors or made is None:
        return await _list_page(request, acting, conn, 422, errors, raw)
    return redirect(f"{HERE}/{made['uuid']}")


async def _group_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    row: Any,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    name: str | None = None,
) -> Response:
    shown = await service.show(conn, acting.principal, R, row, acting.ctx)
    members = {p["uuid"] for p in shown["participants"]}
    others = [p for p in await staff(request, acting, conn) if p["uuid"] not in members]
    return page(
        request,
        "settings/group.html",
        acting.session,
        status=status,
        group=shown,
        others=others,
        errors=errors or {},
        name=shown["name"] if name is None else name,
    )


@router.get(HERE + "/{group_uuid}")
async def group(request: Request, group_uuid: str, acting: Manager, conn: WebConn) -> Response:
    row = await found(request, acting, conn, R, group_uuid)
    return await _group_page(request, acting, conn, row)


async def _update(
    request: Request, acting: Acting, conn: WebConn, row: Any, raw: dict[str, Any]
) -> dict[str, list[str]]:
    async def work() -> dict[str, Any]:
        changes = body(GroupUpdate, raw)
        here = acting.ctx
        return await service.update_row(conn, acting.principal, R, row, changes, here)

    _, errors = await attempt(request, acting, conn, work, HERE)
    return errors


@router.post(HERE + "/{group_uuid}")
async def rename(request: Request, group_uuid: str, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, group_uuid)
    name = one(fields, "name")
    errors = await _update(request, acting, conn, row, {"name": name})
    if errors:
        return await _group_page(request, acting, conn, row, 422, errors, name)
    return redirect(f"{HERE}/{group_uuid}")


@router.post(HERE + "/{group_uuid}/members")
async def add(request: Request, group_uuid: str, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, group_uuid)
    raw = {"participants": fields.get("participants", [])}

    async def work() -> dict[str, Any]:
        added = body(ParticipantsAdd, raw)
        return await add_participants(conn, acting.principal, row, added, acting.ctx)

    _, errors = await attempt(request, acting, conn, work, HERE)
    if errors:
        return await _group_page(request, acting, conn, row, 422, errors)
    return redirect(f"{HERE}/{group_uuid}")


@router.post(HERE + "/{group_uuid}/members/{account_uuid}/remove")
async def remove(
    request: Request, group_uuid: str, account_uuid: str, acting: Manager, conn: WebConn
) -> Response:
    """The group's participants but this one, written as the API's update writes them."""
    await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, group_uuid)
    shown = await service.show(conn, acting.principal, R, row, acting.ctx)
    kept = [p["uuid"] for p in shown["participants"] if p["uuid"] != account_uuid]
    if len(kept) == len(shown["participants"]):
        return not_found(request, acting.session)
    errors = await _update(request, acting, conn, row, {"participants": kept})
    if errors:
        return await _group_page(request, acting, conn, row, 422, errors)
    return redirect(f"{HERE}/{group_uuid}")


@router.post(HERE + "/{group_uuid}/delete")
async def delete(request: Request, group_uuid: str, acting: Manager, conn: WebConn) -> Response:
    return await delete_record(request, acting, conn, R, group_uuid, HERE)
