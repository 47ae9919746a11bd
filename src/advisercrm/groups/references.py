"""Groups named by a write (a case's or a circle's groups): any group of the firm."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.groups.repository import GroupRepository


async def resolve(
    conn: AsyncConnection, principal: Principal, uuids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    return await GroupRepository(conn, principal.firm_id).resolve(uuids)
