"""SQL for task statuses: the columns of a firm's task board."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import any_, exists, insert, select, update

from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM, Query, ids_param, uuids_param
from advisercrm.tables import task_statuses, tasks

ts = task_statuses
FLAGS = ("is_type_completed", "is_archived", "is_not_started")
RESOLVED = (ts.c.id, ts.c.uuid, *(ts.c[f] for f in FLAGS))
RESOLVE = Query(
    select(*RESOLVED).where(ts.c.firm_id == FIRM, ts.c.uuid == any_(uuids_param("uuids")))
)
LOAD = Query(select(ts).where(ts.c.firm_id == FIRM, ts.c.id == any_(ids_param("ids"))))
FIRST_COMPLETED = Query(
    select(*RESOLVED)
    .where(ts.c.firm_id == FIRM, ts.c.is_type_completed, ~ts.c.is_archived)
    .order_by(ts.c.position, ts.c.id)
    .limit(1)
)


class TaskStatusRepository(FirmRepository):
    async def resolve(self, uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        """Statuses of the firm by UUID: id, uuid and the three flags."""
        return await self.by_uuid(RESOLVE, uuids)

    async def load(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Full rows by id, for rendering."""
        return await self.by_id(LOAD, ids)

    async def first_completed(self) -> dict[str, Any] | None:
        """The lowest-positioned non-archived completed-type status, if any."""
        row = await self.fetch_row(FIRST_COMPLETED)
        return dict(row) if row is not None else None

    async def insert_many(self, rows: list[dict[str, Any]]) -> None:
        await self.execute(insert(ts).values([{"firm_id": self.firm_id, **r} for r in rows]))

    async def in_use(self, status_id: int) -> bool:
        query = select(
            exists().where(tasks.c.firm_id == self.firm_id, tasks.c.status_id == status_id)
        )
        return bool(await self.scalar(query))

    async def move(self, status_id: int, old: int, new: int) -> None:
        """Make room at `new` for the status now at `old`: the statuses between shift one
        place towards where it was."""
        if new == old:
            return
        p = ts.c.position
        between = (p >= new, p < old) if new < old else (p > old, p <= new)
        shifted = p + 1 if new < old else p - 1
        statement = update(ts).where(self.scoped(ts), ts.c.id != status_id, *between)
        await self.execute(statement.values(position=shifted))
