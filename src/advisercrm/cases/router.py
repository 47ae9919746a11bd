"""Cases (/api/v1/cases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from advisercrm.auth.access import Found, StaffDelete, StaffWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.cases import service
from advisercrm.cases.schemas import CaseCreate, CaseOut, CaseUpdate
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.listing import (
    ListSpec,
    Page,
    paginated,
    parse_list_query,
    text_filter,
    uuid_list_filter,
)
from advisercrm.kit.render import JSON

router = APIRouter(route_class=ApiRoute, prefix="/api/v1/cases", tags=["cases"])
LIST_SPEC = ListSpec(
    filters={
        "uuid": uuid_list_filter,
        "name": text_filter,
        "participant_uuids": uuid_list_filter,
        "group_uuids": uuid_list_filter,
    },
    sorts=("created_at", "updated_at", "name", "review_at", "value"),
)

# The path's record first, then the permission: 404 before 403, both before the body.
Case = Annotated[int, Depends(Found(service.find))]


@router.post("", status_code=201, response_model=CaseOut)
async def create_case(
    principal: StaffWrite, body: Annotated[CaseCreate, ALL_RULES], conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.get("", response_model=Page[CaseOut])
async def list_cases(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, LIST_SPEC)
    data, total = await service.list_cases(conn, principal, query, ctx)
    return paginated(request, query, data, total)


@router.get("/{uuid}", response_model=CaseOut)
async def show_case(case: Case, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx) -> JSON:
    return JSON(await service.get(conn, principal, case, ctx))


@router.put("/{uuid}", response_model=CaseOut)
async def update_case(
    case: Case,
    principal: StaffWrite,
    body: Annotated[CaseUpdate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.update(conn, principal, case, body, ctx))


@router.delete("/{uuid}", status_code=204)
async def delete_case(case: Case, principal: StaffDelete, conn: Conn) -> Response:
    await service.delete(conn, principal, case)
    return Response(status_code=204)
