"""SQL of a goal's writes: its owners and the circles it is shown in (reads come from
its description)."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    BigInteger,
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
    union_all,
    update,
)

from advisercrm.accounts.repository import visible as account_visible
from advisercrm.auth.principal import Principal, template
from advisercrm.circles.description import visible as circle_visible
from advisercrm.goals.description import GOALS, visible
from advisercrm.goals.schemas import COLUMNS
from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM, Query, ids_param, uuids_param
from advisercrm.tables import accounts, circle_accounts, circles, goal_accounts, goal_circles, goals

g, ga, gc, ca = goals, goal_accounts, goal_circles, circle_accounts
# A goal's owner and circle ids, as its description embeds them (no viewer: all of them).
LINKS = Query(
    select(
        *(
            expr.label(name)
            for name, expr in GOALS.embeds(template("firm"), g.c.firm_id, g.c.id).items()
        )
    ).where(g.c.firm_id == FIRM, g.c.id == bindparam("goal_id", type_=BigInteger))
)
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
_INSERT = select(_GOAL).add_cte(
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


@functools.cache
def _insert_query(reach: str) -> Query:
    """`_INSERT`, returning also the owners and circles the goal nests as a viewer of this
    reach may open them (`Resource.rows_json`): they exist before the goal, so the
    statement can read them, and the new goal renders without another."""
    viewer = template(reach)
    nested = {
        f"nested_{key}": one.resource.rows_json(viewer, FIRM, ids_param(one.column))
        for key, one in GOALS.nested.items()
    }
    return Query(_INSERT.add_columns(*(expr.label(name) for name, expr in nested.items())))


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


@functools.cache
def _find_query(reach: str, lock: bool) -> Query:
    query = select(g.c.id).where(
        g.c.firm_id == FIRM, g.c.uuid == bindparam("uuid"), visible(template(reach))
    )
    return Query(query.with_for_update(of=g) if lock else query)


class GoalRepository(FirmRepository):
    async def find_id(self, goal_uuid: uuid.UUID, principal: Principal, lock: bool) -> int | None:
        """The visible goal's id; `lock` holds its row until commit, so that concurrent
        writes to one goal check their rules against each other's results."""
        query = _find_query(principal.reach, lock)
        value = await self.fetch_value(query, uuid=goal_uuid, **principal.viewer())
        return int(value) if value is not None else None

    async def links(self, goal_id: int) -> tuple[list[int], list[int]]:
        """The goal's owners (in order) and explicit circles."""
        row = await self.fetch_row(LINKS, goal_id=goal_id)
        return (list(row["owner_ids"]), list(row["circle_ids"])) if row else ([], [])

    async def circles_with_owner(self, circle_ids: list[int], owner_ids: list[int]) -> set[int]:
        """Which of the circles contain at least one of the accounts."""
        if not circle_ids or not owner_ids:
            return set()
        rows = await self.fetch(CIRCLES_WITH_OWNER, circle_ids=circle_ids, owner_ids=owner_ids)
        return {r["circle_id"] for r in rows}

    async def insert(
        self,
        principal: Principal,
        values: dict[str, Any],
        owner_ids: list[int],
        circle_ids: list[int],
    ) -> dict[str, Any]:
        """The goal with its owners and circles, in one round trip; returns its row as
        GOALS.load gives it to the principal."""
        query = _insert_query(principal.reach)
        row = await self.fetch_row(
            query, owner_ids=owner_ids, circle_ids=circle_ids, **values, **principal.viewer()
        )
        assert row is not None  # an INSERT ... VALUES always returns its row
        # Listed in creation order, as GOALS.load lists them.
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
