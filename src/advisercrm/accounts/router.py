"""Accounts (/api/v1/account) and clients (/api/v1/client)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from advisercrm.accounts import service
from advisercrm.accounts.schemas import (
    ROLES,
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ClientCreate,
)
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.fields import path_uuid
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

router = APIRouter(route_class=ApiRoute, tags=["accounts"])
ALL_ROLES = tuple(r for roles in ROLES.values() for r in roles)
LIST_SPEC = ListSpec(
    filters={
        "uuid": uuid_list_filter,
        "type": choice_list_filter(tuple(ROLES)),
        "role": choice_list_filter(ALL_ROLES),
        "name": text_filter,
        "email": text_filter,
    },
    sorts=("created_at", "updated_at", "name", "first_name", "last_name", "email"),
)


def _routes(prefix: str, client_only: bool) -> None:
    @router.get(prefix, response_model=Page[AccountOut], summary=f"List ({prefix})")
    async def list_accounts(
        request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> JSON:
        query = parse_list_query(request, LIST_SPEC)
        data, total = await service.list_accounts(conn, principal, query, client_only, ctx)
        return paginated(request, query, data, total)

    @router.get(prefix + "/{uuid}", response_model=AccountOut, summary=f"Show ({prefix})")
    async def show_account(
        uuid: str, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> JSON:
        return JSON(await service.get(conn, principal, path_uuid(uuid), client_only, ctx))

    @router.put(prefix + "/{uuid}", response_model=AccountOut, summary=f"Update ({prefix})")
    async def update_account(
        uuid: str, body: AccountUpdate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> JSON:
        return JSON(await service.update(conn, principal, path_uuid(uuid), body, client_only, ctx))

    @router.delete(prefix + "/{uuid}", status_code=204, summary=f"Delete ({prefix})")
    async def delete_account(uuid: str, conn: Conn, principal: CurrentPrincipal) -> Response:
        await service.delete(conn, principal, path_uuid(uuid), client_only)
        return Response(status_code=204)


@router.post("/api/v1/account", status_code=201, response_model=AccountOut)
async def create_account(
    body: AccountCreate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.post("/api/v1/client", status_code=201, response_model=AccountOut)
async def create_client(
    body: ClientCreate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


_routes("/api/v1/account", client_only=False)
_routes("/api/v1/client", client_only=True)
