"""SQL for groups and their participants."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    or_,
    select,
    true,
)

from advisercrm.kit.repository import FirmRepository, resolve_query
from advisercrm.tables import groups

# Every group of the firm may be named (visibility does not restrict references).
RESOLVE = resolve_query(groups, true())


class GroupRepository(FirmRepository):
    async def resolve(self, uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        return await self.by_uuid(RESOLVE, uuids)

    async def slugs_like(self, base: str, except_id: int | None) -> set[str]:
        """The firm's slugs equal to base or of the form base-N, in one round trip."""
        query = select(groups.c.slug).where(
            self.scoped(groups),
            or_(groups.c.slug == base, groups.c.slug.startswith(f"{base}-", autoescape=True)),
        )
        if except_id is not None:
            query = query.where(groups.c.id != except_id)
        return {row["slug"] for row in await self.all(query)}
