"""SQL for custom fields: the extra fields a firm defines on tasks, clients, cases, plans."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    any_,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)

from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM, Query, ids_param
from advisercrm.tables import custom_fields

cf = custom_fields


FOR_MODEL = Query(
    select(cf)
    .where(cf.c.firm_id == FIRM, cf.c.model_type == bindparam("model_type"))
    .order_by(cf.c.position, cf.c.id)
)
LOAD = Query(select(cf).where(cf.c.firm_id == FIRM, cf.c.id == any_(ids_param("ids"))))


class CustomFieldRepository(FirmRepository):
    async def for_model(self, model_type: str) -> list[dict[str, Any]]:
        """Every field of a model type (full rows), in position order."""
        return [dict(row) for row in await self.fetch(FOR_MODEL, model_type=model_type)]

    async def load(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        return await self.by_id(LOAD, ids)

    def _same_name(self, model_type: str, name: str) -> Any:
        return exists().where(self.scoped(cf), cf.c.model_type == model_type, cf.c.name == name)

    async def name_taken(self, model_type: str, name: str, except_id: int) -> bool:
        """Whether another field of the model type has this name."""
        query = select(self._same_name(model_type, name).where(cf.c.id != except_id))
        return bool(await self.scalar(query))

    async def naming(self, model_type: str, name: str, base: str) -> dict[str, Any]:
        """For a new field, in one round trip: whether the name is taken, the references
        equal to `base` or starting with `base_`, and the next position."""
        mine = [self.scoped(cf), cf.c.model_type == model_type]
        like = or_(cf.c.reference == base, cf.c.reference.startswith(base + "_", autoescape=True))
        references = select(func.array_agg(cf.c.reference)).where(*mine, like)
        position = select(func.coalesce(func.max(cf.c.position), 0) + 1).where(*mine)
        query = select(
            self._same_name(model_type, name).label("name_taken"),
            references.scalar_subquery().label("references"),
            position.scalar_subquery().label("next_position"),
        )
        row = await self.first(query)
        assert row is not None
        return row

    async def move(self, field_id: int, model_type: str, old: int, wanted: int) -> int:
        """Move a field of `model_type` from `old` to `wanted` (past the last: last); the
        fields between shift one place towards where it was. Returns where it went."""
        mine = [self.scoped(cf), cf.c.model_type == model_type]
        last = select(func.coalesce(func.max(cf.c.position), 1)).where(*mine)
        new = min(wanted, int(await self.scalar(last)))
        if new != old:
            p = cf.c.position
            between = (p >= new, p < old) if new < old else (p > old, p <= new)
            shifted = p + 1 if new < old else p - 1
            statement = update(cf).where(*mine, cf.c.id != field_id, *between)
            await self.execute(statement.values(position=shifted))
        return new
