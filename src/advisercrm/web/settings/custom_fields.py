"""Custom fields: the extra fields of the firm's tasks, clients, cases and plans, made,
edited and deleted through the API's own service calls and request models
(`crud_router(CUSTOM_FIELDS)`). A selection's options are typed one a line."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.custom_fields.description import CUSTOM_FIELDS, OPTIONS
from advisercrm.custom_fields.schemas import (
    FIELD_TYPES,
    MODEL_TYPES,
    CustomFieldCreate,
    CustomFieldUpdate,
)
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
from advisercrm.web.templating import page, redirect

router = APIRouter(include_in_schema=False)
HERE = "/settings/custom-fields"
R = CUSTOM_FIELDS
FLAGS = ("is_required", "is_visible_to_clients")
MODEL_CHOICES = [(m, m.replace("_", " ").capitalize()) for m in MODEL_TYPES]
TYPE_CHOICES = [(t, t.capitalize()) for t in FIELD_TYPES]


def _options(text: str) -> list[str]:
    """One option a line; blank lines (a textarea's leftovers) are not options."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _values(fields: dict[str, list[str]], field_type: str) -> dict[str, Any]:
    """The form as the API's JSON body: the name as typed, each flag ticked or not, the
    help text (empty: none) and, for a selection, its options."""
    raw: dict[str, Any] = {"name": one(fields, "name")}
    raw |= {flag: flag in fields for flag in FLAGS}
    raw["help_text"] = one(fields, "help_text") or None
    if field_type == "selection" or one(fields, OPTIONS).strip():
        raw[OPTIONS] = _options(one(fields, OPTIONS))
    return raw


def _entered(raw: dict[str, Any]) -> dict[str, Any]:
    """What a form shows again: the options as their lines."""
    return {**raw, OPTIONS: "\n".join(raw.get(OPTIONS) or [])}


async def _list_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    rows, total = await listed(conn, acting, R, "position")
    rows.sort(key=lambda row: MODEL_TYPES.index(row["model_type"]))  # stable: by position
    return page(
        request,
        "settings/custom_fields.html",
        acting.session,
        status=status,
        custom_fields=rows,
        total=total,
        model_choices=MODEL_CHOICES,
        type_choices=TYPE_CHOICES,
        errors=errors or {},
        entered=entered or {"type": "string", "model_type": "task"},
    )


@router.get(HERE)
async def custom_fields(request: Request, acting: Manager, conn: WebConn) -> Response:
    return await _list_page(request, acting, conn)


@router.post(HERE)
async def create(request: Request, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    field_type = one(fields, "type")
    raw = {"type": field_type, "model_type": one(fields, "model_type")}
    raw |= _values(fields, field_type)

    async def work() -> dict[str, Any]:
        made = body(CustomFieldCreate, raw)
        return await service.create(conn, acting.principal, R, made, acting.ctx)

    _, errors = await attempt(request, acting, conn, work, HERE)
    if errors:
        return await _list_page(request, acting, conn, 422, errors, _entered(raw))
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
        "settings/custom_field.html",
        acting.session,
        status=status,
        field=shown,
        errors=errors or {},
        entered=_entered(entered or shown),
    )


@router.get(HERE + "/{field_uuid}")
async def edit_form(request: Request, field_uuid: str, acting: Manager, conn: WebConn) -> Response:
    row = await found(request, acting, conn, R, field_uuid)
    shown = await service.show(conn, acting.principal, R, row, acting.ctx)
    return _edit_page(request, acting, shown)


@router.post(HERE + "/{field_uuid}")
async def update(request: Request, field_uuid: str, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, field_uuid)
    raw = _values(fields, row["type"])

    async def work() -> dict[str, Any]:
        changes = body(CustomFieldUpdate, raw)
        here = acting.ctx
        return await service.update_row(conn, acting.principal, R, row, changes, here)

    _, errors = await attempt(request, acting, conn, work, HERE)
    if errors:
        shown = await service.show(conn, acting.principal, R, row, acting.ctx)
        return _edit_page(request, acting, shown, 422, errors, {**shown, **raw})
    return redirect(HERE)


@router.post(HERE + "/{field_uuid}/delete")
async def delete(request: Request, field_uuid: str, acting: Manager, conn: WebConn) -> Response:
    return await delete_record(request, acting, conn, R, field_uuid, HERE)
