"""SQL for plans and the client accounts that own them."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    any_,
    delete,
    exists,
    func,
    insert,
    select,
    true,
    update,
)

from advisercrm.accounts.repository import linked_accounts
from advisercrm.auth.principal import Principal, template
from advisercrm.auth.visibility import client_visible
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository, find_query, resolve_query
from advisercrm.kit.sql import FIRM, Query, ids_param
from advisercrm.tables import accounts, plan_accounts, plans

p, pa = plans, plan_accounts
SORTS = {
    "created_at": p.c.created_at,
    "updated_at": p.c.updated_at,
    "name": p.c.name,
    "type": p.c.type,
    "status": p.c.status,
}


def _owned_by(condition: ColumnElement[bool], p: FromClause = plans) -> ColumnElement[bool]:
    return exists().where(pa.c.firm_id == p.c.firm_id, pa.c.plan_id == p.c.id, condition)


def visible(principal: Principal, p: FromClause = plans) -> ColumnElement[bool]:
    """Managers see every plan; members those with an owner they reach; clients their own."""
    if principal.sees_whole_firm:
        return true()
    return _owned_by(client_visible(principal, pa.c.account_id), p)


def owners_json(firm_id: Any, plan_id: Any, viewer: Principal | None) -> Any:
    """The compact owners of one plan the viewer may open, by name: a scalar subquery
    correlated to the given columns (the plan list's own rows, or a task's plan when
    rendering tasks)."""
    return linked_accounts(pa, pa.c.plan_id, plan_id, firm_id, viewer)


@functools.cache
def _load_query(reach: str) -> Query:
    owners = owners_json(p.c.firm_id, p.c.id, template(reach))
    return Query(
        select(p, owners.label("accounts")).where(
            p.c.firm_id == FIRM, p.c.id == any_(ids_param("ids"))
        )
    )


@functools.cache
def _resolve_query(reach: str) -> Query:
    return resolve_query(p, visible(template(reach)))


@functools.cache
def _find_query(reach: str) -> Query:
    return find_query(p, visible(template(reach)))


class PlanRepository(FirmRepository):
    async def resolve(
        self, uuids: Iterable[uuid.UUID], principal: Principal
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Plans of the firm by UUID: id, uuid and whether the principal may see each."""
        return await self.by_uuid(_resolve_query(principal.reach), uuids, **principal.viewer())

    async def find_id(self, plan_uuid: uuid.UUID, principal: Principal) -> int | None:
        query = _find_query(principal.reach)
        return await self.id_of(query, uuid=plan_uuid, **principal.viewer())

    async def load(self, ids: Iterable[int], principal: Principal) -> dict[int, dict[str, Any]]:
        """Everything the plan resource renders, for many plans in one round trip, as the
        principal may see it."""
        query = _load_query(principal.reach)
        return await self.by_id(query, ids, **principal.viewer())

    def _filters(self, f: dict[str, Any]) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if "uuid" in f:
            conditions.append(p.c.uuid.in_(f["uuid"]))
        if "name" in f:
            conditions.append(p.c.name.icontains(f["name"], autoescape=True))
        if "type" in f:
            conditions.append(p.c.type.in_(f["type"]))
        if "status" in f:
            conditions.append(p.c.status.in_(f["status"]))
        if "account_uuids" in f:
            owner_ids = select(accounts.c.id).where(
                self.scoped(accounts), accounts.c.uuid.in_(f["account_uuids"])
            )
            conditions.append(_owned_by(pa.c.account_id.in_(owner_ids)))
        return conditions

    async def page(self, query: ListQuery, principal: Principal) -> tuple[list[int], int]:
        conditions = [self.scoped(p), visible(principal), *self._filters(query.filters)]
        return await self.page_ids(p, conditions, SORTS[query.sort], query)

    async def insert(self, values: dict[str, Any]) -> int:
        query = insert(p).values(firm_id=self.firm_id, **values).returning(p.c.id)
        return int(await self.scalar(query))

    async def update(self, plan_id: int, values: dict[str, Any]) -> None:
        query = (
            update(p)
            .where(self.scoped(p), p.c.id == plan_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_owners(self, plan_id: int, account_ids: list[int]) -> None:
        await self.replace_links(pa, "plan_id", plan_id, "account_id", account_ids)

    async def delete(self, plan_id: int) -> None:
        await self.execute(delete(p).where(self.scoped(p), p.c.id == plan_id))
