"""An account's logins (/api/v1/account/{account_uuid}/login): owners and admins list,
create, update and expire them (only owners those of an owner's account)."""

# No `from __future__ import annotations`: FastAPI reads the dependencies from the
# handlers' annotations at import.

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from asyncpg import Record
from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.accounts.service import check_may_manage
from advisercrm.auth.access import Action, Allowed, Found
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.errors import NotFound
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import (
    LIST_SPEC_ATTRIBUTE,
    ListSpec,
    Page,
    paginated,
    parse_list_query,
    uuid_list_filter,
)
from advisercrm.kit.render import JSON
from advisercrm.logins import service
from advisercrm.logins.repository import LoginRepository
from advisercrm.logins.schemas import LoginCreate, LoginOut, LoginUpdate
from advisercrm.resource import service as resource_service

router = APIRouter(route_class=ApiRoute, tags=["logins"])
PATH = "/api/v1/account/{account_uuid}/login"
SPEC = ListSpec(filters={"uuid": uuid_list_filter}, sorts=("created_at",))


async def _account(
    conn: AsyncConnection, principal: Principal, account_uuid: uuid.UUID
) -> Record | None:
    return await resource_service.find(conn, principal, ACCOUNTS, account_uuid)


# The account as the caller sees it: one it cannot see is as missing as one of another firm.
Account = Annotated[Record, Depends(Found(_account, "account_uuid"))]


def _login(param: str) -> Callable[..., Awaitable[dict[str, Any]]]:
    """The path's login of the path's account, or 404 (after the account's)."""

    async def by_uuid(
        account: Account,
        conn: Conn,
        principal: CurrentPrincipal,
        raw: Annotated[str, Path(alias=param)],
    ) -> dict[str, Any]:
        parsed = path_uuid(raw)
        repo = LoginRepository(conn, principal.firm_id)
        found = await repo.find(account["id"], parsed) if parsed is not None else None
        if found is None:
            raise NotFound()
        return found

    return by_uuid


def _may(action: Action) -> Callable[..., Awaitable[Principal]]:
    """Owners and admins manage logins (with their login's permission for `action`); only
    owners those of an owner's account."""

    async def check(
        account: Account, principal: Annotated[Principal, Depends(Allowed(action, "manager"))]
    ) -> Principal:
        check_may_manage(principal, account["type"], account["role"])
        return principal

    return check


Reader = Annotated[Principal, Depends(_may("read"))]
Writer = Annotated[Principal, Depends(_may("write"))]


@router.get(PATH, response_model=Page[LoginOut], summary="List an account's logins")
async def list_logins(
    account: Account, principal: Reader, request: Request, conn: Conn, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, SPEC)
    data, total = await service.listing(conn, principal, account, query, ctx)
    return paginated(request, query, data, total)


setattr(list_logins, LIST_SPEC_ATTRIBUTE, SPEC)


@router.post(PATH, status_code=201, response_model=LoginOut, summary="Create a login")
async def create_login(
    account: Account,
    principal: Writer,
    body: Annotated[LoginCreate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.create(conn, principal, account, body, ctx), status_code=201)


@router.put(PATH + "/{uuid}", response_model=LoginOut, summary="Update a login")
async def update_login(
    account: Account,
    login: Annotated[dict[str, Any], Depends(_login("uuid"))],
    principal: Writer,
    body: Annotated[LoginUpdate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.update(conn, principal, account, login, body, ctx))


@router.post(PATH + "/{login_uuid}/expire", response_model=LoginOut, summary="Expire a login")
async def expire_login(
    account: Account,
    login: Annotated[dict[str, Any], Depends(_login("login_uuid"))],
    principal: Writer,
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await service.expire(conn, principal, login, ctx))
