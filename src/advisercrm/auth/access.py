"""What a route needs before its handler runs, declared as FastAPI dependencies: the
record its path names (`Found`) and the permission of the acting account (`Allowed`).

FastAPI solves a route's dependencies in the order its parameters are declared, and only
then validates the body. So a route that declares the record, then the permission, then
the body answers in Laravel's order: 404 for the path, 403, then 422 for the body (the
route test tests/test_error_order.py checks every route does)."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Depends, Path
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.deps import CurrentPrincipal
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn
from advisercrm.kit.errors import Forbidden, NotFound
from advisercrm.kit.fields import path_uuid

T = TypeVar("T")
# Finds the record a path UUID names among those the principal sees: its id (or its row
# when the handler needs one), None when there is none.
Finder = Callable[[AsyncConnection, Principal, uuid.UUID], Awaitable[T | None]]


class Found(Generic[T]):
    """`Depends(Found(find))`: the record the path parameter `param` names, or 404 before
    the handler runs (a malformed UUID included, and another firm's record)."""

    def __init__(self, find: Finder[T], param: str = "uuid", message: str | None = None):
        self.find, self.param, self.message = find, param, message
        # FastAPI reads the parameters a dependency takes from its signature: the path
        # parameter's name varies by route, so the signature is made per instance.
        keyword = inspect.Parameter.KEYWORD_ONLY
        self.__signature__ = inspect.Signature(
            [
                inspect.Parameter(param, keyword, annotation=Annotated[str, Path()]),
                inspect.Parameter("conn", keyword, annotation=Conn),
                inspect.Parameter("principal", keyword, annotation=CurrentPrincipal),
            ]
        )

    async def __call__(self, conn: AsyncConnection, principal: Principal, **path: str) -> T:
        parsed = path_uuid(path[self.param])
        found = await self.find(conn, principal, parsed) if parsed is not None else None
        if found is None:
            raise NotFound(self.message)
        return found


Action = Literal["read", "write", "delete"]
Who = Literal["anyone", "staff", "manager"]


class Allowed:
    """`Depends(Allowed(action, who))`: the acting account, if it may do `action`, else 403.
    write and delete need the login's permission flag of that name; `who` is whom the
    resource lets act at all: any account, staff (employees) or managers (owners and
    admins)."""

    def __init__(self, action: Action, who: Who = "staff"):
        self.action, self.who = action, who

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if self.who == "staff" and not principal.is_employee:
            raise Forbidden()
        if self.who == "manager" and not principal.sees_whole_firm:
            raise Forbidden()
        if self.action == "write" and not principal.can_write:
            raise Forbidden()
        if self.action == "delete" and not principal.can_delete:
            raise Forbidden()
        return principal


# The permissions routes declare most.
StaffWrite = Annotated[Principal, Depends(Allowed("write"))]
StaffDelete = Annotated[Principal, Depends(Allowed("delete"))]
ManagerWrite = Annotated[Principal, Depends(Allowed("write", "manager"))]
ManagerDelete = Annotated[Principal, Depends(Allowed("delete", "manager"))]
AnyoneWrite = Annotated[Principal, Depends(Allowed("write", "anyone"))]
AnyoneDelete = Annotated[Principal, Depends(Allowed("delete", "anyone"))]
