"""The scoped data layer: every repository is built for one firm and filters by it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    BigInteger,
    ClauseElement,
    ColumnElement,
    Select,
    Table,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit import sql
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.sql import FIRM, Query, uuids_param


def list_order(key: Any, tie: Any, nullable: bool, descending: bool) -> list[Any]:
    """A list's order: empty values sort last either way and ties break on creation
    order (`tie`, the id), so pages are stable."""
    if nullable:
        first = key.desc().nulls_last() if descending else key.asc().nulls_last()
    else:
        first = key.desc() if descending else key.asc()
    return [first, tie.desc() if descending else tie.asc()]


def _order(table: Table, column: Any, descending: bool) -> list[Any]:
    return list_order(column, table.c.id, bool(getattr(column, "nullable", False)), descending)


def resolve_query(table: Table, visible: ColumnElement[bool], columns: Sequence[str] = ()) -> Query:
    """The firm's rows with the UUIDs in `uuids`: id, uuid, whether they are visible and
    the other `columns` asked for."""
    extra = (table.c[name] for name in columns)
    return Query(
        select(table.c.id, table.c.uuid, *extra, visible.label("visible")).where(
            table.c.firm_id == FIRM, table.c.uuid == any_(uuids_param("uuids"))
        )
    )


def ids_of(table: Table, name: str) -> Select[Any]:
    """The firm's ids of `table` whose UUIDs are in the array parameter `name`: a subquery
    for compiled statements."""
    return select(table.c.id).where(
        table.c.firm_id == FIRM, table.c.uuid == any_(uuids_param(name))
    )


def page_select(
    table: Table,
    conditions: list[ColumnElement[bool]],
    column: Any,
    descending: bool,
    total: Any = None,
) -> Select[Any]:
    """The total and one page of ids (`limit`, `offset` parameters) as one row: the
    count stays right on a page past the end, where a window count would see no rows.
    `total`: a cheaper count of the same rows, when the caller has one."""
    ids = (
        select(table.c.id)
        .where(*conditions)
        .order_by(*_order(table, column, descending))
        # bigint: page (up to 10^9) x per_page overflows a 32-bit offset.
        .limit(bindparam("limit", type_=BigInteger))
        .offset(bindparam("offset", type_=BigInteger))
    )
    if total is None:
        total = select(func.count()).select_from(table).where(*conditions).scalar_subquery()
    return select(total.label("total"), func.array(ids.scalar_subquery()).label("ids"))


def page_query(
    table: Table, conditions: list[ColumnElement[bool]], column: Any, descending: bool
) -> Query:
    """`page_select` compiled once; run it with `FirmRepository.page_of`."""
    return Query(page_select(table, conditions, column, descending))


class FirmRepository:
    """Base of every firm-owned repository. Statements are built with `self.scoped(t)` so
    the acting firm is applied to each table a query touches; handlers never see SQL."""

    def __init__(self, conn: AsyncConnection, firm_id: int) -> None:
        self.conn = conn
        self.firm_id = firm_id

    def scoped(self, table: Table | Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = table.c.firm_id == self.firm_id
        return condition

    # Statements built per call (kit.sql.fetch and its kin), compiled at each call. Rows
    # as dicts: mappings the services and schemas take as they are.
    async def all(self, query: ClauseElement) -> list[dict[str, Any]]:
        return [dict(row) for row in await sql.fetch(self.conn, query)]

    async def first(self, query: ClauseElement) -> dict[str, Any] | None:
        row = await sql.fetch_row(self.conn, query)
        return dict(row) if row is not None else None

    async def scalar(self, query: ClauseElement) -> Any:
        return await sql.fetch_value(self.conn, query)

    async def execute(self, query: ClauseElement) -> None:
        await sql.execute(self.conn, query)

    async def lock(self, name: str) -> None:
        """Serialise this firm's writes that take the lock `name` until the transaction
        ends: what they check (a free position, name or slug) cannot change meanwhile."""
        key = func.hashtextextended(name, self.firm_id)
        await self.execute(select(func.pg_advisory_xact_lock(key)))

    async def next_position(self, table: Table, *where: ColumnElement[bool]) -> int:
        """The position after the firm's last row of `table` (with `where`): 1 for the
        first. Take the table's lock first, so two creates never share one."""
        last = select(func.coalesce(func.max(table.c.position), 0) + 1)
        return int(await self.scalar(last.where(self.scoped(table), *where)))

    async def fetch(self, query: Query, **params: Any) -> list[Record]:
        """Run a compiled statement for this firm (its `FIRM` parameter)."""
        return await query.all(self.conn, firm_id=self.firm_id, **params)

    async def fetch_row(self, query: Query, **params: Any) -> Record | None:
        return await query.first(self.conn, firm_id=self.firm_id, **params)

    async def fetch_value(self, query: Query, **params: Any) -> Any:
        return await query.scalar(self.conn, firm_id=self.firm_id, **params)

    async def by_uuid(
        self, query: Query, uuids: Iterable[uuid.UUID], **params: Any
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """Run a statement over the array parameter `uuids` (a `resolve_query` or one like
        it); its rows by UUID. No UUIDs, no round trip."""
        wanted = list(set(uuids))
        if not wanted:
            return {}
        rows = await self.fetch(query, uuids=wanted, **params)
        return {row["uuid"]: dict(row) for row in rows}

    async def by_id(
        self, query: Query, ids: Iterable[int], **params: Any
    ) -> dict[int, dict[str, Any]]:
        """Run a statement over the array parameter `ids` (a resource's LOAD); its rows by
        id. No ids, no round trip."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        return {row["id"]: dict(row) for row in await self.fetch(query, ids=wanted, **params)}

    async def page_of(self, query: Query, page: ListQuery, **params: Any) -> tuple[list[int], int]:
        """Run a `page_query`: one page of ids and the total, in one round trip."""
        row = await self.fetch_row(query, limit=page.per_page, offset=page.offset, **params)
        assert row is not None  # an aggregate-only select always returns its one row
        return list(row["ids"]), int(row["total"])

    async def replace_links(
        self,
        table: Table,
        owner: str,
        owner_id: int,
        target: str,
        target_ids: list[int],
        extras: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> None:
        """Make the link table hold exactly target_ids for owner_id, in the given order.
        With `extras` (columns of the link rows to set, by target id), a row kept keeps
        the columns `extras` does not set for it."""
        if extras is not None:
            await self._merge_links(table, owner, owner_id, target, target_ids, extras)
            return
        await self.execute(delete(table).where(self.scoped(table), table.c[owner] == owner_id))
        if target_ids:
            ordered = "position" in table.c
            rows = [
                {"firm_id": self.firm_id, owner: owner_id, target: tid}
                | ({"position": i} if ordered else {})
                for i, tid in enumerate(target_ids)
            ]
            await self.execute(insert(table).values(rows))

    async def _merge_links(
        self,
        table: Table,
        owner: str,
        owner_id: int,
        target: str,
        target_ids: list[int],
        extras: Mapping[int, Mapping[str, Any]],
    ) -> None:
        """`replace_links` with `extras`: the rows no longer named go, and the others are
        inserted or updated, one statement per set of columns given."""
        assert "position" not in table.c, "ordered links are written anew"
        mine = (self.scoped(table), table.c[owner] == owner_id)
        await self.execute(delete(table).where(*mine, table.c[target].not_in(target_ids)))
        rows: dict[frozenset[str], list[dict[str, Any]]] = {}
        for tid in target_ids:
            given = dict(extras.get(tid, {}))
            row = {"firm_id": self.firm_id, owner: owner_id, target: tid, **given}
            rows.setdefault(frozenset(given), []).append(row)
        key = [column.name for column in table.primary_key.columns]
        for columns, values in rows.items():
            statement = pg_insert(table).values(values)
            excluded = {name: statement.excluded[name] for name in sorted(columns)}
            await self.execute(
                statement.on_conflict_do_update(index_elements=key, set_=excluded)
                if excluded
                else statement.on_conflict_do_nothing(index_elements=key)
            )
