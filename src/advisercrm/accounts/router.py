"""Accounts (/api/v1/account) and clients (/api/v1/client)."""

# No `from __future__ import annotations`: the handlers made per prefix in `_routes` are
# annotated with that prefix's dependencies, which FastAPI must see as objects.

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from asyncpg import Record
from fastapi import APIRouter, Depends, Request, Response

from advisercrm.accounts import service
from advisercrm.accounts.schemas import (
    ROLES,
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ClientCreate,
)
from advisercrm.auth.access import Allowed, Found, StaffWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.auth.principal import Principal
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
    # The path's account first, then the permission: 404 before 403, both before the body.
    account = Annotated[Record, Depends(Found(service.finder(client_only)))]

    def may(action: Literal["write", "delete"]) -> Callable[..., Awaitable[Principal]]:
        """The permission to change this account: the login's flag, then its kind."""

        async def check(
            row: account, principal: Annotated[Principal, Depends(Allowed(action))]
        ) -> Principal:
            service.check_may_manage(principal, row["type"], row["role"])
            return principal

        return check

    @router.get(prefix, response_model=Page[AccountOut], summary=f"List ({prefix})")
    async def list_accounts(
        request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> JSON:
        query = parse_list_query(request, LIST_SPEC)
        data, total = await service.list_accounts(conn, principal, query, client_only, ctx)
        return paginated(request, query, data, total)

    @router.get(prefix + "/{uuid}", response_model=AccountOut, summary=f"Show ({prefix})")
    async def show_account(
        row: account, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> JSON:
        return JSON(await service.get(conn, principal, row, ctx))

    @router.put(prefix + "/{uuid}", response_model=AccountOut, summary=f"Update ({prefix})")
    async def update_account(
        row: account,
        principal: Annotated[Principal, Depends(may("write"))],
        body: AccountUpdate,
        conn: Conn,
        ctx: RenderCtx,
    ) -> JSON:
        return JSON(await service.update(conn, principal, row, body, ctx))

    @router.delete(prefix + "/{uuid}", status_code=204, summary=f"Delete ({prefix})")
    async def delete_account(
        row: account, principal: Annotated[Principal, Depends(may("delete"))], conn: Conn
    ) -> Response:
        await service.delete(conn, principal, row)
        return Response(status_code=204)


@router.post("/api/v1/account", status_code=201, response_model=AccountOut)
async def create_account(
    principal: StaffWrite, body: AccountCreate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


@router.post("/api/v1/client", status_code=201, response_model=AccountOut)
async def create_client(
    principal: StaffWrite, body: ClientCreate, conn: Conn, ctx: RenderCtx
) -> JSON:
    return JSON(await service.create(conn, principal, body, ctx), status_code=201)


_routes("/api/v1/account", client_only=False)
_routes("/api/v1/client", client_only=True)
