"""SQL for goals, their owners and the circles they are shown in."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.engine import RowMapping

from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import client_visible
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository
from advisercrm.tables import accounts, circle_accounts, circles, goal_accounts, goal_circles, goals

g, ga, gc, ca = goals, goal_accounts, goal_circles, circle_accounts
SORTS = {
    "created_at": g.c.created_at,
    "updated_at": g.c.updated_at,
    "name": g.c.name,
    "progress": g.c.progress,
    "complete_goal_by": g.c.complete_goal_by,
    "priority": g.c.priority,
}


def _owned_by(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(ga.c.firm_id == g.c.firm_id, ga.c.goal_id == g.c.id, condition)


def visible(principal: Principal) -> ColumnElement[bool]:
    """A goal is visible when one of its owners is (clients: only goals they own)."""
    if principal.sees_whole_firm:
        return true()
    return _owned_by(client_visible(principal, ga.c.account_id))


def in_circles(circle_ids: Any) -> ColumnElement[bool]:
    """Shown in one of the circles: the explicit list, or by default any circle that
    contains an owner."""
    explicit = exists().where(gc.c.firm_id == g.c.firm_id, gc.c.goal_id == g.c.id)
    listed = exists().where(
        gc.c.firm_id == g.c.firm_id, gc.c.goal_id == g.c.id, gc.c.circle_id.in_(circle_ids)
    )
    owner_inside = _owned_by(
        exists().where(
            ca.c.firm_id == ga.c.firm_id,
            ca.c.account_id == ga.c.account_id,
            ca.c.circle_id.in_(circle_ids),
        )
    )
    return or_(listed, and_(not_(explicit), owner_inside))


class GoalRepository(FirmRepository):
    def _ids_of(self, table: Any, uuids: list[uuid.UUID]) -> Any:
        return select(table.c.id).where(self.scoped(table), table.c.uuid.in_(uuids))

    async def find_id(
        self,
        goal_uuid: uuid.UUID,
        principal: Principal,
        owner_id: int | None = None,
        lock: bool = False,
    ) -> int | None:
        """The visible goal's id; `lock` holds its row until commit, so that concurrent
        writes to one goal check their rules against each other's results."""
        query = select(g.c.id).where(self.scoped(g), g.c.uuid == goal_uuid, visible(principal))
        if owner_id is not None:
            query = query.where(_owned_by(ga.c.account_id == owner_id))
        if lock:
            query = query.with_for_update(of=g)
        value = await self.scalar(query)
        return int(value) if value is not None else None

    async def rows(self, ids: Iterable[int]) -> dict[int, RowMapping]:
        return {
            r["id"]: r
            for r in await self.all(select(g).where(self.scoped(g), g.c.id.in_(list(ids))))
        }

    async def links(self, ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """Owners (in order) and explicit circles of many goals, in one round trip."""
        owners: dict[int, list[int]] = {i: [] for i in ids}
        shown_in: dict[int, list[int]] = {i: [] for i in ids}
        if not ids:
            return owners, shown_in
        query = union_all(
            select(
                literal("a").label("kind"),
                ga.c.goal_id,
                ga.c.account_id.label("ref"),
                ga.c.position,
            ).where(self.scoped(ga), ga.c.goal_id.in_(ids)),
            select(literal("c"), gc.c.goal_id, gc.c.circle_id, literal(0)).where(
                self.scoped(gc), gc.c.goal_id.in_(ids)
            ),
        )
        for row in sorted(await self.all(query), key=lambda r: (r["position"], r["ref"])):
            (owners if row["kind"] == "a" else shown_in)[row["goal_id"]].append(row["ref"])
        return owners, shown_in

    async def circles_with_owner(self, circle_ids: list[int], owner_ids: list[int]) -> set[int]:
        """Which of the circles contain at least one of the accounts."""
        if not circle_ids or not owner_ids:
            return set()
        query = (
            select(ca.c.circle_id)
            .distinct()
            .where(self.scoped(ca), ca.c.circle_id.in_(circle_ids), ca.c.account_id.in_(owner_ids))
        )
        return {r["circle_id"] for r in await self.all(query)}

    async def page(
        self, query: ListQuery, principal: Principal, owner_id: int | None = None
    ) -> tuple[list[int], int]:
        conditions = [self.scoped(g), visible(principal), *self._filters(query.filters)]
        if owner_id is not None:
            conditions.append(_owned_by(ga.c.account_id == owner_id))
        return await self.page_ids(g, conditions, SORTS[query.sort], query)

    def _filters(self, f: dict[str, Any]) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if "uuid" in f:
            conditions.append(g.c.uuid.in_(f["uuid"]))
        if "account_uuids" in f:
            conditions.append(
                _owned_by(ga.c.account_id.in_(self._ids_of(accounts, f["account_uuids"])))
            )
        if "circle_uuids" in f:
            conditions.append(in_circles(self._ids_of(circles, f["circle_uuids"])))
        if "name" in f:
            conditions.append(g.c.name.icontains(f["name"], autoescape=True))
        if "priority" in f:
            conditions.append(g.c.priority.in_(f["priority"]))
        if "complete_goal_by_before" in f:
            conditions.append(g.c.complete_goal_by < f["complete_goal_by_before"])
        if "complete_goal_by_after" in f:
            conditions.append(g.c.complete_goal_by > f["complete_goal_by_after"])
        return conditions

    async def insert(self, values: dict[str, Any]) -> int:
        query = insert(g).values(firm_id=self.firm_id, **values).returning(g.c.id)
        return int(await self.scalar(query))

    async def update(self, goal_id: int, values: dict[str, Any]) -> None:
        query = (
            update(g)
            .where(self.scoped(g), g.c.id == goal_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_owners(self, goal_id: int, account_ids: list[int]) -> None:
        await self.replace_links(ga, "goal_id", goal_id, "account_id", account_ids)

    async def replace_circles(self, goal_id: int, circle_ids: list[int]) -> None:
        await self.replace_links(gc, "goal_id", goal_id, "circle_id", circle_ids)

    async def delete(self, goal_id: int) -> None:
        await self.execute(delete(g).where(self.scoped(g), g.c.id == goal_id))

    async def delete_sole_owned(self, account_id: int) -> None:
        """Delete the goals whose only owner is this account."""
        other = ga.alias("other")
        sole = select(ga.c.goal_id).where(
            self.scoped(ga),
            ga.c.account_id == account_id,
            ~exists().where(
                other.c.firm_id == ga.c.firm_id,
                other.c.goal_id == ga.c.goal_id,
                other.c.account_id != account_id,
            ),
        )
        await self.execute(delete(g).where(self.scoped(g), g.c.id.in_(sole)))
