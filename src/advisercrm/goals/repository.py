"""SQL of a goal's writes: its owners and the circles it is shown in. Reads come from its
description, but for a create's, which reads the records the new goal nests."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any

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
    or_,
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
# A goal's references by UUID: each with its id and whether it passes (`ok`).
References = Mapping[uuid.UUID, Any]
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


def _references(reach: str) -> Any:
    """The owners and circles a new goal names: accounts with `ok` (a client the viewer
    sees), circles the viewer sees with `ok` (holds one of those owners)."""
    viewer = template(reach)
    a, c = accounts, circles
    valid_owner = and_(a.c.type == "client", account_visible(viewer))
    owners = select(a.c.id).where(
        a.c.firm_id == FIRM, a.c.uuid == any_(uuids_param("owner_uuids")), valid_owner
    )
    holds_owner = exists().where(
        ca.c.firm_id == c.c.firm_id, ca.c.circle_id == c.c.id, ca.c.account_id.in_(owners)
    )
    return union_all(
        select(
            literal_column("'a'").label("kind"), a.c.id, a.c.uuid, valid_owner.label("ok")
        ).where(a.c.firm_id == FIRM, a.c.uuid == any_(uuids_param("owner_uuids"))),
        select(literal_column("'c'"), c.c.id, c.c.uuid, holds_owner).where(
            c.c.firm_id == FIRM,
            c.c.uuid == any_(uuids_param("circle_uuids")),
            circle_visible(viewer),
        ),
    )


@functools.cache
def _references_query(reach: str) -> Query:
    return Query(_references(reach))


# A reference's kind (`_references`) by the parameter that names it and by the goal's
# link table.
KINDS = {"owner_ids": "a", "circle_ids": "c"}


def _owners(goal: Any, refs: Any) -> Any:
    """Insert the new goal's owner links, in the body's order."""
    given = (
        func.unnest(uuids_param("owner_uuids"))
        .table_valued("uuid", with_ordinality="position")
        .render_derived(name="given")
    )
    named = and_(refs.c.kind == "a", refs.c.uuid == literal_column("given.uuid"))
    rows = select(FIRM, goal.c.id, refs.c.id, literal_column("given.position - 1"))
    rows = rows.select_from(goal.join(given, true()).join(refs, named))
    return insert(ga).from_select(["firm_id", "goal_id", "account_id", "position"], rows)


def _circles(goal: Any, refs: Any) -> Any:
    """Insert the new goal's circle links."""
    rows = select(FIRM, goal.c.id, refs.c.id).where(refs.c.kind == "c")
    rows = rows.select_from(goal.join(refs, true()))
    return insert(gc).from_select(["firm_id", "goal_id", "circle_id"], rows)


@functools.cache
def _create_query(reach: str) -> Query:
    """A new goal in one round trip: its references checked (`_references`) and, only if
    every one passes, the goal inserted with its owners and circles. Returns one row: the
    references as JSON (`refs`, for the service to report what failed), the goal's
    columns (null when it was not inserted), and the owners and circles it nests as the
    viewer may open them (`Resource.rows_json`): they exist before the goal, so the
    statement can read them and the new goal renders without another."""
    viewer = template(reach)
    refs = _references(reach).cte("refs")
    owner_uuids, circle_uuids = uuids_param("owner_uuids"), uuids_param("circle_uuids")

    def found(kind: str) -> Any:
        return select(func.count()).where(refs.c.kind == kind).scalar_subquery()

    def failed(kind: str) -> Any:
        return exists().where(refs.c.kind == kind, refs.c.ok.is_not(True))

    # Each given UUID found once (a duplicate or an unknown one leaves the counts short),
    # every owner a client the viewer sees, every circle holding an owner: the checks of
    # goals.service (`create`, `_check_circles`) in SQL, to be changed together. (A body
    # without owners fails its shape; the first term only mirrors `_check_circles`.)
    passes = and_(
        found("a") == func.cardinality(owner_uuids),
        found("c") == func.cardinality(circle_uuids),
        ~failed("a"),
        or_(func.cardinality(owner_uuids) == 0, ~failed("c")),
    )
    names = [*COLUMNS, "show_on_circles"]
    values = select(FIRM, *(bindparam(c, type_=g.c[c].type) for c in names)).where(passes)
    goal = insert(g).from_select(["firm_id", *names], values).returning(*g.c).cte("goal")
    pairs = []
    for name in ("kind", "id", "uuid", "ok"):
        pairs += [literal_column(f"'{name}'"), refs.c[name]]
    checked = select(func.json_agg(func.json_build_object(*pairs)).label("refs")).cte("checked")
    nested = []
    for key, one in GOALS.nested.items():
        kind = KINDS[one.column]
        ids = func.array(select(refs.c.id).where(refs.c.kind == kind).scalar_subquery())
        nested.append(one.resource.rows_json(viewer, FIRM, ids).label(f"nested_{key}"))
    statement = (
        select(checked.c.refs, *goal.c, *nested)
        .select_from(checked.outerjoin(goal, true()))
        .add_cte(
            _owners(goal, refs).cte("owners"),
            _circles(goal, refs).cte("shown_in"),
        )
    )
    return Query(statement)


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

    async def create(
        self,
        principal: Principal,
        values: dict[str, Any],
        owner_uuids: list[uuid.UUID],
        circle_uuids: list[uuid.UUID],
    ) -> tuple[dict[str, Any] | None, References, References]:
        """The goal with its owners and circles if all of them pass the checks, in one
        round trip (`_create_query`): its columns and the records it nests as GOALS.load
        gives them to the principal, without `visible` and the owner and circle ids the
        service adds (None when it was not inserted); and the owners and circles as
        `references` gives them."""
        row = await self.fetch_row(
            _create_query(principal.reach),
            owner_uuids=owner_uuids,
            circle_uuids=circle_uuids,
            **values,
            **principal.viewer(),
        )
        assert row is not None  # the checks' row is always there
        checked = row["refs"] or []
        owners = {uuid.UUID(r["uuid"]): r for r in checked if r["kind"] == "a"}
        shown_in = {uuid.UUID(r["uuid"]): r for r in checked if r["kind"] == "c"}
        goal = {k: v for k, v in row.items() if k != "refs"} if row["id"] is not None else None
        return goal, owners, shown_in

    async def references(
        self, principal: Principal, owner_uuids: list[uuid.UUID], circle_uuids: list[uuid.UUID]
    ) -> tuple[References, References]:
        """The owners and circles a new goal names (`_references`), in one round trip."""
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
