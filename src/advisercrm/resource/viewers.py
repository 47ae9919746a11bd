"""Who, beyond the firm's owners and admins, may open a record: the accounts with a login
whose reach (`Principal.reach`) is a member's, a client's or only their own, each tested
with the resource's own visibility rule, the account standing in for the viewer. A delete
reads it just before its rows go, so each deletion shows in the change feed to exactly
those who could open the record (`events.seen_by`).

One statement per resource, compiled once; for the row a delete names it is the delete's
own statement (no round trip more than the delete alone). It reads only the firm's
accounts that have a login and, for each, the records by their ids: members are few, and a
client's rules tie the record to the client's own id, which PostgreSQL joins on rather
than testing every client."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    literal_column,
    not_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal, template
from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM, Query, ids_param
from advisercrm.resource.description import Resource
from advisercrm.tables import accounts, logins

_viewer = accounts.alias("seen_by_viewer")
# The viewer's id as the rules see it: a name PostgreSQL finds in the enclosing statement
# however deep the rule's subqueries go. (As the alias's column SQLAlchemy would correlate
# it one level only, and add the alias to the FROM of the deeper ones.)
_VIEWER_ID = literal_column("seen_by_viewer.id", BigInteger)
_employee = _viewer.c.type == "employee"
# The accounts of each reach, as `Principal.reach` sorts them.
REACHES: dict[str, ColumnElement[bool]] = {
    "member": and_(_employee, _viewer.c.role == "member"),
    "client": _viewer.c.type == "client",
    "self": and_(
        _viewer.c.type != "client",
        not_(
            and_(
                _employee, _viewer.c.role == any_(literal_column("'{owner,admin,member}'::text[]"))
            )
        ),
    ),
}


def _as_viewer(reach: str) -> Principal:
    """A principal of this reach that is the statement's viewer row."""
    return replace(template(reach), firm_id=cast(int, FIRM), account_id=cast(int, _VIEWER_ID))


def _pairs(resource: Resource, rows: ColumnElement[bool]) -> Select[Any]:
    """(row id, viewer id) for each of the rows (`rows`: which) and each account that may
    open it."""
    t = resource.table
    has_login = exists().where(
        logins.c.firm_id == _viewer.c.firm_id, logins.c.account_id == _viewer.c.id
    )
    parts = [
        select(t.c.id.label("row_id"), _viewer.c.id.label("viewer_id"))
        .select_from(_viewer)
        .join(t, and_(t.c.firm_id == FIRM, rows))
        .where(_viewer.c.firm_id == FIRM, kind, has_login, resource.visible(_as_viewer(reach)))
        for reach, kind in REACHES.items()
    ]
    return union_all(*parts).subquery("found").select()


@functools.cache
def _delete(resource: Resource) -> Query:
    t, row_id = resource.table, bindparam("row_id", type_=BigInteger)
    found = _pairs(resource, t.c.id == row_id).subquery()
    # The delete and the reading share one snapshot: the reading sees the row and its
    # links as they were just before.
    gone = delete(t).where(t.c.firm_id == FIRM, t.c.id == row_id).returning(t.c.id).cte("gone")
    return Query(select(func.array_agg(found.c.viewer_id.distinct())).add_cte(gone))


@functools.cache
def _seen(resource: Resource) -> Query:
    t = resource.table
    found = _pairs(resource, t.c.id == any_(ids_param("ids"))).subquery()
    viewers = func.array_agg(found.c.viewer_id.distinct())
    return Query(select(found.c.row_id, viewers.label("viewers")).group_by(found.c.row_id))


async def delete_seen(
    conn: AsyncConnection, firm_id: int, resource: Resource, row_id: int
) -> list[int]:
    """Delete the row (its links and the rows that go with it follow by their keys);
    the ids of the accounts, owners and admins aside, that could open it just before."""
    found = await FirmRepository(conn, firm_id).fetch_value(_delete(resource), row_id=row_id)
    return sorted(found or [])


async def seen(
    conn: AsyncConnection, firm_id: int, resource: Resource, ids: list[int]
) -> dict[int, list[int]]:
    """For each of these rows, the ids of the accounts, owners and admins aside, that may
    open it now (none: left out)."""
    if not ids:
        return {}
    rows = await FirmRepository(conn, firm_id).fetch(_seen(resource), ids=ids)
    return {row["row_id"]: sorted(row["viewers"]) for row in rows}
