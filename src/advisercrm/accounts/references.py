"""Accounts named by a write (a case's participants, a plan's owners): resolved for the
writer, and accepted when the writer may see them and they are of the kind the field
takes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.auth.principal import Principal
from advisercrm.resource import service


async def resolve(
    conn: AsyncConnection, principal: Principal, uuids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    return await service.resolve(conn, principal, ACCOUNTS, uuids)


def of_type(kind: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda row: bool(row["visible"]) and row["type"] == kind


clients = of_type("client")
employees = of_type("employee")
