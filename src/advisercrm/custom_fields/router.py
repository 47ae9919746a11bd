"""Custom fields (/api/v1/custom-field)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import RowMapping

from advisercrm.auth.access import Found, ManagerDelete, ManagerWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.custom_fields import service
from advisercrm.custom_fields.schemas import (
    FIELD_TYPES,
    MODEL_TYPES,
    CustomFieldCreate,
    CustomFieldOut,
    CustomFieldUpdate,
)
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

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/custom-field", tags=["custom fields"])
LIST_SPEC = ListSpec(
    filters={
        "uuid": uuid_list_filter,
        "model_type": choice_list_filter(MODEL_TYPES),
        "type": choice_list_filter(FIELD_TYPES),
        "name": text_filter,
    },
    sorts=("position", "created_at", "updated_at", "name"),
    default_sort="position",
)

# The path's record first, then the permission: 404 before 403, both before the body.
Field = Annotated[RowMapping, Depends(Found(service.find))]


@router.post("", status_code=201, response_model=CustomFieldOut)
async def create_custom_field(
    principal: ManagerWrite, body: CustomFieldCreate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("", response_model=Page[CustomFieldOut])
async def list_custom_fields(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_fields(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=CustomFieldOut)
async def show_custom_field(
    field: Field, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.get(conn, principal, field, ctx))


@router.put("/{uuid}", response_model=CustomFieldOut)
async def update_custom_field(
    field: Field, principal: ManagerWrite, body: CustomFieldUpdate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.update(conn, principal, field, body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_custom_field(field: Field, principal: ManagerDelete, conn: Conn) -> Response:
    await service.delete(conn, principal, field)
    return Response(status_code=204)
