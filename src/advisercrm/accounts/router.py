"""Accounts (/api/v1/account) and clients (/api/v1/client): list, show and delete as the
descriptions give them; the permission to change an account depends on the account, and
creating and updating one has rules of its own (`accounts.service`)."""

# No `from __future__ import annotations`: the handlers made per resource in `_routes` are
# annotated with that resource's dependencies, which FastAPI must see as objects.

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from asyncpg import Record
from fastapi import APIRouter, Depends, Request, Response

from advisercrm.accounts import service
from advisercrm.accounts.description import ACCOUNTS, CLIENTS
from advisercrm.accounts.schemas import AccountCreate, AccountOut, AccountUpdate, ClientCreate
from advisercrm.auth.access import Allowed, StaffWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn, one_statement
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.listing import LIST_SPEC_ATTRIBUTE, Page, paginated, parse_list_query
from advisercrm.kit.render import JSON
from advisercrm.resource import service as resource_service
from advisercrm.resource.description import Resource
from advisercrm.resource.router import path_row

router = APIRouter(route_class=ApiRoute, tags=["accounts"])


def _routes(resource: Resource) -> None:
    prefix, spec = resource.path, resource.list_spec
    # The path's account first, then the permission: 404 before 403, both before the body.
    account = Annotated[Record, path_row(resource)]
    doomed = Annotated[Record, path_row(resource, lock=True)]
    shown = Annotated[Record, path_row(resource, loaded=True)]

    def may(
        action: Literal["write", "delete"], found: Any = account
    ) -> Callable[..., Awaitable[Principal]]:
        """The permission to change this account (`found`: as the route finds it): the
        login's flag, then its kind."""

        async def check(
            row: found, principal: Annotated[Principal, Depends(Allowed(action))]
        ) -> Principal:
            service.check_may_manage(principal, row["type"], row["role"])
            return principal

        return check

    @router.get(prefix, response_model=Page[AccountOut], summary=f"List ({prefix})")
    @one_statement()
    async def list_accounts(
        request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> JSON:
        query = parse_list_query(request, spec)
        data, total = await resource_service.listing(conn, principal, resource, query, ctx)
        return paginated(request, query, data, total)

    setattr(list_accounts, LIST_SPEC_ATTRIBUTE, spec)

    @router.get(prefix + "/{uuid}", response_model=AccountOut, summary=f"Show ({prefix})")
    @one_statement()
    async def show_account(
        row: shown, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> JSON:
        return JSON(await resource_service.show(conn, principal, resource, row, ctx))

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
        row: doomed,
        principal: Annotated[Principal, Depends(may("delete", doomed))],
        conn: Conn,
        ctx: RenderCtx,
    ) -> Response:
        await resource_service.delete(conn, principal, resource, row, ctx)
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


_routes(ACCOUNTS)
_routes(CLIENTS)
