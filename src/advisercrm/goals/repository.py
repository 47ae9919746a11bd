"""SQL for goals, their owners and the circles they are shown in."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    SmallInteger,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    true,
    union,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from advisercrm.accounts.repository import visible as account_visible
from advisercrm.auth.principal import Principal, template
from advisercrm.auth.visibility import client_visible
from advisercrm.circles.description import visible as circle_visible
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository, ids_of, page_query
from advisercrm.kit.sql import FIRM, Query, ids_param, like_pattern, uuids_param
from advisercrm.tables import accounts, circle_accounts, circles, goal_accounts, goal_circles, goals

g, ga, gc, ca = goals, goal_accounts, goal_circles, circle_accounts
COLUMNS = (
    "name",
    "description",
    "target_amount",
    "progress",
    "timeframe",
    "complete_goal_by",
    "priority",
)
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


def shown_in_circles(circle_ids: Any) -> ColumnElement[bool]:
    """`in_circles`, driven from the circles' side: the goals listed in them, and the goals
    of their accounts that list no circle. The filter then reads a few index ranges
    instead of testing every goal of the firm (issue 4, S5)."""
    explicit = gc.alias("explicit")
    listed = select(gc.c.goal_id).where(gc.c.firm_id == FIRM, gc.c.circle_id.in_(circle_ids))
    by_owner = (
        select(ga.c.goal_id)
        .join(ca, and_(ca.c.firm_id == ga.c.firm_id, ca.c.account_id == ga.c.account_id))
        .where(
            ca.c.firm_id == FIRM,
            ca.c.circle_id.in_(circle_ids),
            ~exists().where(explicit.c.firm_id == ga.c.firm_id, explicit.c.goal_id == ga.c.goal_id),
        )
    )
    return g.c.id.in_(union(listed, by_owner))


FILTERS: dict[str, Any] = {
    "uuid": lambda: g.c.uuid == any_(uuids_param("uuid")),
    "account_uuids": lambda: _owned_by(ga.c.account_id.in_(ids_of(accounts, "account_uuids"))),
    "circle_uuids": lambda: shown_in_circles(ids_of(circles, "circle_uuids")),
    "name": lambda: g.c.name.ilike(bindparam("name"), escape="/"),
    "priority": lambda: g.c.priority == any_(bindparam("priority", type_=ARRAY(SmallInteger))),
    "complete_goal_by_before": lambda: g.c.complete_goal_by < bindparam("complete_goal_by_before"),
    "complete_goal_by_after": lambda: g.c.complete_goal_by > bindparam("complete_goal_by_after"),
}


@functools.cache
def _page_query(
    reach: str, filters: frozenset[str], sort: str, descending: bool, by_owner: bool
) -> Query:
    conditions = [g.c.firm_id == FIRM, visible(template(reach))]
    conditions += [FILTERS[name]() for name in sorted(filters)]
    if by_owner:
        conditions.append(_owned_by(ga.c.account_id == bindparam("owner_id")))
    return page_query(g, conditions, SORTS[sort], descending)


def _filter_params(f: dict[str, Any]) -> dict[str, Any]:
    params = dict(f)
    if "name" in f:
        params["name"] = like_pattern(f["name"])
    return params


@functools.cache
def _find_query(reach: str, by_owner: bool, lock: bool) -> Query:
    query = select(g.c.id).where(
        g.c.firm_id == FIRM, g.c.uuid == bindparam("uuid"), visible(template(reach))
    )
    if by_owner:
        query = query.where(_owned_by(ga.c.account_id == bindparam("owner_id")))
    return Query(query.with_for_update(of=g) if lock else query)


def _id_array(column: Any, *order: Any) -> Any:
    return func.coalesce(
        func.array_agg(aggregate_order_by(column, *order)), literal_column("'{}'::bigint[]")
    )


# Goals with their owners (in order) and explicit circles, in one round trip.
_WITH_LINKS = select(
    g,
    select(_id_array(ga.c.account_id, ga.c.position, ga.c.account_id))
    .where(ga.c.firm_id == g.c.firm_id, ga.c.goal_id == g.c.id)
    .scalar_subquery()
    .label("owner_ids"),
    select(_id_array(gc.c.circle_id, gc.c.circle_id))
    .where(gc.c.firm_id == g.c.firm_id, gc.c.goal_id == g.c.id)
    .scalar_subquery()
    .label("circle_ids"),
).where(g.c.firm_id == FIRM)
ROWS = Query(_WITH_LINKS.where(g.c.id == any_(ids_param("ids"))))


@functools.cache
def _row_query(reach: str, by_owner: bool) -> Query:
    """`_find_query` and `ROWS` in one: a read needs no lock."""
    query = _WITH_LINKS.where(g.c.uuid == bindparam("uuid"), visible(template(reach)))
    if by_owner:
        query = query.where(_owned_by(ga.c.account_id == bindparam("owner_id")))
    return Query(query)


CIRCLES_WITH_OWNER = Query(
    select(ca.c.circle_id)
    .distinct()
    .where(
        ca.c.firm_id == FIRM,
        ca.c.circle_id == any_(ids_param("circle_ids")),
        ca.c.account_id == any_(ids_param("owner_ids")),
    )
)
_GOAL = (
    insert(g)
    .values(
        firm_id=FIRM, **{c: bindparam(c, type_=g.c[c].type) for c in (*COLUMNS, "show_on_circles")}
    )
    .returning(*g.c)
    .cte("goal")
)
# The goal and its owner and circle links in one statement (issue 4: one insert per write).
INSERT = Query(
    select(_GOAL).add_cte(
        insert(ga)
        .from_select(
            ["firm_id", "goal_id", "account_id", "position"],
            select(
                FIRM,
                _GOAL.c.id,
                literal_column("o.account_id"),
                literal_column("o.position - 1"),
            ).select_from(
                _GOAL.join(
                    func.unnest(ids_param("owner_ids"))
                    .table_valued("account_id", with_ordinality="position")
                    .render_derived(name="o"),
                    true(),
                )
            ),
        )
        .cte("owners"),
        insert(gc)
        .from_select(
            ["firm_id", "goal_id", "circle_id"],
            select(FIRM, _GOAL.c.id, literal_column("c.circle_id")).select_from(
                _GOAL.join(
                    func.unnest(ids_param("circle_ids"))
                    .table_valued("circle_id")
                    .render_derived(name="c"),
                    true(),
                )
            ),
        )
        .cte("shown_in"),
    )
)


@functools.cache
def _references_query(reach: str) -> Query:
    viewer = template(reach)
    a, c = accounts, circles
    valid_owner = and_(a.c.type == "client", account_visible(viewer))
    owners = select(a.c.id).where(
        a.c.firm_id == FIRM, a.c.uuid == any_(uuids_param("owner_uuids")), valid_owner
    )
    holds_owner = exists().where(
        ca.c.firm_id == c.c.firm_id, ca.c.circle_id == c.c.id, ca.c.account_id.in_(owners)
    )
    return Query(
        union_all(
            select(
                literal_column("'a'").label("kind"), a.c.id, a.c.uuid, valid_owner.label("ok")
            ).where(a.c.firm_id == FIRM, a.c.uuid == any_(uuids_param("owner_uuids"))),
            select(literal_column("'c'"), c.c.id, c.c.uuid, holds_owner).where(
                c.c.firm_id == FIRM,
                c.c.uuid == any_(uuids_param("circle_uuids")),
                circle_visible(viewer),
            ),
        )
    )


class GoalRepository(FirmRepository):
    async def find_id(
        self,
        goal_uuid: uuid.UUID,
        principal: Principal,
        owner_id: int | None = None,
        lock: bool = False,
    ) -> int | None:
        """The visible goal's id; `lock` holds its row until commit, so that concurrent
        writes to one goal check their rules against each other's results."""
        query = _find_query(principal.reach, owner_id is not None, lock)
        value = await self.fetch_value(
            query, uuid=goal_uuid, owner_id=owner_id, **principal.viewer()
        )
        return int(value) if value is not None else None

    async def visible_row(
        self, goal_uuid: uuid.UUID, principal: Principal, owner_id: int | None
    ) -> Record | None:
        """The visible goal as `rows` gives it, by UUID."""
        query = _row_query(principal.reach, owner_id is not None)
        return await self.fetch_row(query, uuid=goal_uuid, owner_id=owner_id, **principal.viewer())

    async def rows(self, ids: list[int]) -> dict[int, Record]:
        """Goals by id, each with `owner_ids` (in order) and `circle_ids`."""
        return {r["id"]: r for r in await self.fetch(ROWS, ids=ids)}

    async def links(self, ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """Owners (in order) and explicit circles of many goals, in one round trip."""
        rows = await self.rows(ids)
        owners = {i: list(rows[i]["owner_ids"]) if i in rows else [] for i in ids}
        shown_in = {i: list(rows[i]["circle_ids"]) if i in rows else [] for i in ids}
        return owners, shown_in

    async def circles_with_owner(self, circle_ids: list[int], owner_ids: list[int]) -> set[int]:
        """Which of the circles contain at least one of the accounts."""
        if not circle_ids or not owner_ids:
            return set()
        rows = await self.fetch(CIRCLES_WITH_OWNER, circle_ids=circle_ids, owner_ids=owner_ids)
        return {r["circle_id"] for r in rows}

    async def page(
        self, query: ListQuery, principal: Principal, owner_id: int | None = None
    ) -> tuple[list[int], int]:
        compiled = _page_query(
            principal.reach,
            frozenset(query.filters),
            query.sort,
            query.descending,
            owner_id is not None,
        )
        params = _filter_params(query.filters) | principal.viewer()
        return await self.page_of(compiled, query, owner_id=owner_id, **params)

    async def insert(
        self, values: dict[str, Any], owner_ids: list[int], circle_ids: list[int]
    ) -> dict[str, Any]:
        """The goal with its owners and circles, in one round trip; returns its row as
        `rows` does."""
        row = await self.fetch_row(INSERT, owner_ids=owner_ids, circle_ids=circle_ids, **values)
        assert row is not None  # an INSERT ... VALUES always returns its row
        # Listed in creation order, as `rows` lists them.
        return dict(row) | {"owner_ids": owner_ids, "circle_ids": sorted(circle_ids)}

    async def references(
        self, principal: Principal, owner_uuids: list[uuid.UUID], circle_uuids: list[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, Record], dict[uuid.UUID, Record]]:
        """The owners and circles a new goal names, in one round trip: accounts with `ok`
        (a client the principal sees), visible circles with `ok` (holds one of them)."""
        rows = await self.fetch(
            _references_query(principal.reach),
            owner_uuids=list(set(owner_uuids)),
            circle_uuids=list(set(circle_uuids)),
            **principal.viewer(),
        )
        owners = {r["uuid"]: r for r in rows if r["kind"] == "a"}
        shown_in = {r["uuid"]: r for r in rows if r["kind"] == "c"}
        return owners, shown_in

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
