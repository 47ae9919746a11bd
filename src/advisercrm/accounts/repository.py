"""SQL for accounts, their owners and the data their resource renders."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Table,
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
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from advisercrm.auth.principal import Principal, template
from advisercrm.auth.visibility import circle_visible, client_visible, shown
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM, Query, ids_param, uuids_param
from advisercrm.tables import (
    account_owners,
    accounts,
    circle_accounts,
    circles,
    goal_accounts,
    goals,
)

COMPACT = ("uuid", "type", "role", "first_name", "last_name", "name", "email")
SORTS = {
    "created_at": accounts.c.created_at,
    "updated_at": accounts.c.updated_at,
    "name": accounts.c.name,
    "first_name": accounts.c.first_name,
    "last_name": accounts.c.last_name,
    "email": accounts.c.email,
}


def _compact_json(alias: Any) -> ColumnElement[Any]:
    return func.json_build_object(*[x for c in COMPACT for x in (c, alias.c[c])])


def linked_accounts(
    link: Table, owner: Any, owner_id: Any, firm_id: Any, viewer: Principal | None
) -> Any:
    """The compact accounts a link table ties to one row (`owner == owner_id`) that the
    viewer may open, by name, as a JSON array: a scalar subquery correlated to the
    caller's columns."""
    a = accounts
    return (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(_compact_json(a), a.c.name, a.c.id)),
                literal_column("'[]'::json"),
            )
        )
        .join(link, and_(link.c.firm_id == a.c.firm_id, link.c.account_id == a.c.id))
        .where(link.c.firm_id == firm_id, owner == owner_id, *shown(viewer, visible, a))
        .scalar_subquery()
    )


def visible(principal: Principal, a: FromClause = accounts) -> ColumnElement[bool]:
    """Employees and introducers are visible to staff; clients by the visibility rules."""
    if principal.sees_whole_firm:
        return a.c.firm_id == principal.firm_id
    if principal.is_member:
        return or_(a.c.type != "client", client_visible(principal, a.c.id))
    return a.c.id == principal.account_id


def _assigned(alias: Any, column: Any, viewer: Principal | None) -> Any:
    return (
        select(_compact_json(alias))
        .where(
            alias.c.firm_id == accounts.c.firm_id,
            alias.c.id == column,
            *shown(viewer, visible, alias),
        )
        .scalar_subquery()
    )


@functools.cache
def _load_query(reach: str | None) -> Query:
    """Everything the account resource renders, for many accounts, with whether the viewer
    may open each (`visible`): its owners, circles and assigned staff are those the viewer
    may open (a reach: `template`; None: the server's own reads, which see them all)."""
    viewer = template(reach) if reach else None
    a, link, c, ca = accounts, account_owners, circles, circle_accounts
    owner = a.alias("own")
    # Scalar subqueries, so `a` correlates to the outer row (a derived table in FROM
    # would not correlate and would collect every owner link of the firm).
    owners = (
        select(
            func.coalesce(
                func.json_agg(
                    aggregate_order_by(_compact_json(owner), link.c.position, owner.c.id)
                ),
                literal_column("'[]'::json"),
            )
        )
        .select_from(
            owner.join(link, and_(link.c.firm_id == owner.c.firm_id, link.c.owner_id == owner.c.id))
        )
        .where(
            link.c.firm_id == a.c.firm_id,
            link.c.account_id == a.c.id,
            *shown(viewer, visible, owner),
        )
        .scalar_subquery()
    )
    circle_list = (
        select(
            func.coalesce(
                func.json_agg(
                    aggregate_order_by(
                        func.json_build_object("uuid", c.c.uuid, "name", c.c.name), c.c.name, c.c.id
                    )
                ),
                literal_column("'[]'::json"),
            )
        )
        .join(ca, and_(ca.c.firm_id == c.c.firm_id, ca.c.circle_id == c.c.id))
        .where(
            ca.c.firm_id == a.c.firm_id,
            ca.c.account_id == a.c.id,
            *shown(viewer, circle_visible, c),
        )
        .scalar_subquery()
    )
    return Query(
        select(
            a,
            _assigned(a.alias("adv"), a.c.assigned_adviser_id, viewer).label("assigned_adviser"),
            _assigned(a.alias("adm"), a.c.assigned_administrator_id, viewer).label(
                "assigned_administrator"
            ),
            _assigned(a.alias("par"), a.c.assigned_paraplanner_id, viewer).label(
                "assigned_paraplanner"
            ),
            owners.label("owners"),
            circle_list.label("circles"),
            and_(true(), *shown(viewer, visible, a)).label("visible"),
        ).where(a.c.firm_id == FIRM, a.c.id == any_(ids_param("ids")))
    )


@functools.cache
def _resolve_query(reach: str) -> Query:
    a = accounts
    return Query(
        select(
            a.c.id, a.c.uuid, a.c.type, a.c.role, visible(template(reach)).label("visible")
        ).where(a.c.firm_id == FIRM, a.c.uuid == any_(uuids_param("uuids")))
    )


@functools.cache
def _find_query(reach: str, client_only: bool) -> Query:
    a = accounts
    query = select(a.c.id, a.c.type, a.c.role).where(
        a.c.firm_id == FIRM, a.c.uuid == bindparam("uuid"), visible(template(reach))
    )
    return Query(query.where(a.c.type == "client") if client_only else query)


class AccountRepository(FirmRepository):
    async def resolve(
        self, uuids: Iterable[uuid.UUID], principal: Principal
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Accounts of the firm by UUID, with whether the principal may see each."""
        return await self.by_uuid(_resolve_query(principal.reach), uuids, **principal.viewer())

    async def load(
        self, ids: Iterable[int], principal: Principal | None
    ) -> dict[int, dict[str, Any]]:
        """Everything the account resource renders, for many accounts in one round trip,
        as the principal may see it (None: all of it, for the server's own checks)."""
        if principal is None:
            return await self.by_id(_load_query(None), ids)
        return await self.by_id(_load_query(principal.reach), ids, **principal.viewer())

    async def find_id(
        self, account_uuid: uuid.UUID, principal: Principal, client_only: bool
    ) -> Record | None:
        query = _find_query(principal.reach, client_only)
        return await self.fetch_row(query, uuid=account_uuid, **principal.viewer())

    async def page(
        self, query: ListQuery, principal: Principal, client_only: bool
    ) -> tuple[list[int], int]:
        a = accounts
        conditions: list[ColumnElement[bool]] = [self.scoped(a), visible(principal)]
        if client_only:
            conditions.append(a.c.type == "client")
        f = query.filters
        if "uuid" in f:
            conditions.append(a.c.uuid.in_(f["uuid"]))
        if "type" in f:
            conditions.append(a.c.type.in_(f["type"]))
        if "role" in f:
            conditions.append(a.c.role.in_(f["role"]))
        if "name" in f:
            conditions.append(a.c.name.icontains(f["name"], autoescape=True))
        if "email" in f:
            conditions.append(a.c.email.icontains(f["email"], autoescape=True))
        return await self.page_ids(a, conditions, SORTS[query.sort], query)

    async def insert(self, values: dict[str, Any]) -> int:
        query = insert(accounts).values(firm_id=self.firm_id, **values).returning(accounts.c.id)
        return int(await self.scalar(query))

    async def update(self, account_id: int, values: dict[str, Any]) -> None:
        query = (
            update(accounts)
            .where(self.scoped(accounts), accounts.c.id == account_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_owners(self, account_id: int, owner_ids: list[int]) -> None:
        await self.replace_links(account_owners, "account_id", account_id, "owner_id", owner_ids)

    async def delete(self, account_id: int) -> None:
        await self.execute(
            delete(accounts).where(self.scoped(accounts), accounts.c.id == account_id)
        )

    async def delete_sole_owned_goals(self, account_id: int) -> None:
        """Delete the goals whose only owner is this account. Here, not in goals, because
        goals build on accounts: the account's delete takes these goals with it."""
        ga, g = goal_accounts, goals
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

    async def sole_owner_of_shared(self, account_id: int) -> bool:
        """Whether some shared client has this account as its only owner."""
        link, other = account_owners, account_owners.alias("other")
        alone = select(link.c.account_id).where(
            self.scoped(link),
            link.c.owner_id == account_id,
            ~exists().where(
                other.c.firm_id == link.c.firm_id,
                other.c.account_id == link.c.account_id,
                other.c.owner_id != account_id,
            ),
        )
        return await self.scalar(select(exists(alone))) is True
