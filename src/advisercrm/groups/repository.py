"""SQL for groups and their participants."""

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
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)

from advisercrm.accounts.repository import linked_accounts
from advisercrm.auth.principal import Principal, template
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository, find_query, resolve_query
from advisercrm.kit.sql import FIRM, Query, ids_param
from advisercrm.tables import group_participants, groups

SORTS = {
    "created_at": groups.c.created_at,
    "updated_at": groups.c.updated_at,
    "name": groups.c.name,
}


def visible(principal: Principal, g: FromClause = groups) -> ColumnElement[bool]:
    """Staff see every group; others only the groups they take part in. Every statement
    holds its groups to the acting firm already, so staff need no condition (and records
    embedding groups none)."""
    if principal.is_employee:
        return true()
    gp = group_participants
    return g.c.id.in_(
        select(gp.c.group_id).where(
            gp.c.firm_id == principal.firm_id, gp.c.account_id == principal.account_id
        )
    )


@functools.cache
def _load_query(reach: str) -> Query:
    """Everything the group resource renders; its participants are those the viewer may
    open, and `participants_count` counts them."""
    gp = group_participants
    people = linked_accounts(gp, gp.c.group_id, groups.c.id, groups.c.firm_id, template(reach))
    return Query(
        select(groups, people.label("participants")).where(
            groups.c.firm_id == FIRM, groups.c.id == any_(ids_param("ids"))
        )
    )


# Every group of the firm may be named (visibility does not restrict references).
RESOLVE = resolve_query(groups, true())


@functools.cache
def _find_query(reach: str) -> Query:
    return find_query(groups, visible(template(reach)))


class GroupRepository(FirmRepository):
    async def resolve(self, uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        return await self.by_uuid(RESOLVE, uuids)

    async def find_id(self, group_uuid: uuid.UUID, principal: Principal) -> int | None:
        query = _find_query(principal.reach)
        return await self.id_of(query, uuid=group_uuid, **principal.viewer())

    async def load(self, ids: Iterable[int], principal: Principal) -> dict[int, dict[str, Any]]:
        """Everything the group resource renders, as the principal may see it."""
        return await self.by_id(_load_query(principal.reach), ids, **principal.viewer())

    async def page(self, query: ListQuery, principal: Principal) -> tuple[list[int], int]:
        conditions: list[ColumnElement[bool]] = [self.scoped(groups), visible(principal)]
        if "uuid" in query.filters:
            conditions.append(groups.c.uuid.in_(query.filters["uuid"]))
        if "name" in query.filters:
            conditions.append(groups.c.name.icontains(query.filters["name"], autoescape=True))
        return await self.page_ids(groups, conditions, SORTS[query.sort], query)

    async def lock_slugs(self) -> None:
        """Serialise slug choice within the firm until the transaction ends, so concurrent
        creates of the same name get -2, -3... instead of colliding on the unique key."""
        key = func.hashtextextended(literal(f"groups.slug:{self.firm_id}"), 0)
        await self.execute(select(func.pg_advisory_xact_lock(key)))

    async def slugs_like(self, base: str, except_id: int | None) -> set[str]:
        """The firm's slugs equal to base or of the form base-N, in one round trip."""
        query = select(groups.c.slug).where(
            self.scoped(groups),
            or_(groups.c.slug == base, groups.c.slug.startswith(f"{base}-", autoescape=True)),
        )
        if except_id is not None:
            query = query.where(groups.c.id != except_id)
        return {row["slug"] for row in await self.all(query)}

    async def insert(self, name: str, slug: str) -> int:
        query = (
            insert(groups).values(firm_id=self.firm_id, name=name, slug=slug).returning(groups.c.id)
        )
        return int(await self.scalar(query))

    async def update(self, group_id: int, values: dict[str, Any]) -> None:
        query = (
            update(groups)
            .where(self.scoped(groups), groups.c.id == group_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_participants(self, group_id: int, account_ids: list[int]) -> None:
        await self.replace_links(
            group_participants, "group_id", group_id, "account_id", account_ids
        )

    async def delete(self, group_id: int) -> None:
        await self.execute(delete(groups).where(self.scoped(groups), groups.c.id == group_id))
