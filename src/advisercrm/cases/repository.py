"""SQL for cases, their participants, assignees and groups."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    ColumnElement,
    FromClause,
    and_,
    any_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from advisercrm.accounts.repository import linked_accounts
from advisercrm.accounts.repository import visible as account_visible
from advisercrm.auth.principal import Principal, template
from advisercrm.auth.visibility import client_visible, member_group_ids, shown
from advisercrm.groups.repository import visible as group_visible
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository, find_query, resolve_query
from advisercrm.kit.sql import FIRM, Query, ids_param
from advisercrm.tables import (
    accounts,
    case_assignees,
    case_groups,
    case_participants,
    cases,
    groups,
)

c, cp, ca, cg = cases, case_participants, case_assignees, case_groups
SORTS = {
    "created_at": c.c.created_at,
    "updated_at": c.c.updated_at,
    "name": c.c.name,
    "review_at": c.c.review_at,
    "value": c.c.value,
}


def _linked(
    link: Any, condition: ColumnElement[bool], c: FromClause = cases
) -> ColumnElement[bool]:
    return exists().where(link.c.firm_id == c.c.firm_id, link.c.case_id == c.c.id, condition)


def visible(principal: Principal, c: FromClause = cases) -> ColumnElement[bool]:
    """Managers see every case; members those with a participant they reach, one of their
    groups or assigned to them; client accounts the cases they take part in."""
    if principal.sees_whole_firm:
        return true()
    has_client = _linked(cp, client_visible(principal, cp.c.account_id), c)
    if not principal.is_member:
        return has_client
    mine = member_group_ids(principal).scalar_subquery()
    return or_(
        has_client,
        _linked(cg, cg.c.group_id.in_(mine), c),
        _linked(ca, ca.c.account_id == principal.account_id, c),
    )


def _uuids(
    target: Any, link: Any, column: str, firm_id: Any, case_id: Any, shown_only: list[Any]
) -> Any:
    """The linked rows' UUIDs, ordered by name (then id), of those `shown_only` keeps."""
    return (
        select(func.array_agg(aggregate_order_by(target.c.uuid, target.c.name, target.c.id)))
        .join(link, and_(link.c.firm_id == target.c.firm_id, link.c[column] == target.c.id))
        .where(link.c.firm_id == firm_id, link.c.case_id == case_id, *shown_only)
        .scalar_subquery()
    )


def linked_columns(firm_id: Any, case_id: Any, viewer: Principal | None) -> dict[str, Any]:
    """What the case resource shows beyond the case row, as scalar subqueries correlated
    to the given columns (the case list's own rows, or a task's case when rendering
    tasks): the participants, assignees and groups the viewer may open. `case_row`
    completes a loaded row."""
    return {
        "participants": linked_accounts(cp, cp.c.case_id, case_id, firm_id, viewer),
        "assigned_to_uuids": _uuids(
            accounts, ca, "account_id", firm_id, case_id, shown(viewer, account_visible, accounts)
        ),
        "group_uuids": _uuids(
            groups, cg, "group_id", firm_id, case_id, shown(viewer, group_visible, groups)
        ),
    }


def case_row(row: Record | Mapping[str, Any]) -> dict[str, Any]:
    """A loaded case as the resource renders it: empty link lists come back as NULL."""
    item = dict(row)
    item["assigned_to_uuids"] = item["assigned_to_uuids"] or []
    item["group_uuids"] = item["group_uuids"] or []
    return item


@functools.cache
def _load_query(reach: str) -> Query:
    links = linked_columns(c.c.firm_id, c.c.id, template(reach))
    return Query(
        select(c, *(expr.label(name) for name, expr in links.items())).where(
            c.c.firm_id == FIRM, c.c.id == any_(ids_param("ids"))
        )
    )


@functools.cache
def _resolve_query(reach: str) -> Query:
    return resolve_query(c, visible(template(reach)))


@functools.cache
def _find_query(reach: str) -> Query:
    return find_query(c, visible(template(reach)))


class CaseRepository(FirmRepository):
    async def resolve(
        self, uuids: Iterable[uuid.UUID], principal: Principal
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Cases of the firm by UUID: id, uuid and whether the principal may see each."""
        return await self.by_uuid(_resolve_query(principal.reach), uuids, **principal.viewer())

    async def find_id(self, case_uuid: uuid.UUID, principal: Principal) -> int | None:
        query = _find_query(principal.reach)
        return await self.id_of(query, uuid=case_uuid, **principal.viewer())

    async def load(self, ids: Iterable[int], principal: Principal) -> dict[int, dict[str, Any]]:
        """Everything the case resource renders, for many cases in one round trip, as the
        principal may see it."""
        query = _load_query(principal.reach)
        loaded = await self.by_id(query, ids, **principal.viewer())
        return {i: case_row(row) for i, row in loaded.items()}

    def _ids_of(self, table: Any, uuids: list[uuid.UUID]) -> Any:
        return select(table.c.id).where(self.scoped(table), table.c.uuid.in_(uuids))

    def _filters(self, f: dict[str, Any]) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if "uuid" in f:
            conditions.append(c.c.uuid.in_(f["uuid"]))
        if "name" in f:
            conditions.append(c.c.name.icontains(f["name"], autoescape=True))
        if "participant_uuids" in f:
            account_ids = self._ids_of(accounts, f["participant_uuids"])
            conditions.append(_linked(cp, cp.c.account_id.in_(account_ids)))
        if "group_uuids" in f:
            conditions.append(
                _linked(cg, cg.c.group_id.in_(self._ids_of(groups, f["group_uuids"])))
            )
        return conditions

    async def page(self, query: ListQuery, principal: Principal) -> tuple[list[int], int]:
        conditions = [self.scoped(c), visible(principal), *self._filters(query.filters)]
        return await self.page_ids(c, conditions, SORTS[query.sort], query)

    async def insert(self, values: dict[str, Any]) -> int:
        query = insert(c).values(firm_id=self.firm_id, **values).returning(c.c.id)
        return int(await self.scalar(query))

    async def update(self, case_id: int, values: dict[str, Any]) -> None:
        query = (
            update(c)
            .where(self.scoped(c), c.c.id == case_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_participants(self, case_id: int, account_ids: list[int]) -> None:
        await self.replace_links(cp, "case_id", case_id, "account_id", account_ids)

    async def replace_assignees(self, case_id: int, account_ids: list[int]) -> None:
        await self.replace_links(ca, "case_id", case_id, "account_id", account_ids)

    async def replace_groups(self, case_id: int, group_ids: list[int]) -> None:
        await self.replace_links(cg, "case_id", case_id, "group_id", group_ids)

    async def delete(self, case_id: int) -> None:
        await self.execute(delete(c).where(self.scoped(c), c.c.id == case_id))
