"""Hot statements: built and compiled once, run on the request's own asyncpg connection.

Measured on this project's statements (issue 4): building a Core statement per call costs
0.5 to 8 ms of Python, and SQLAlchemy's execute path about 0.16 ms more than asyncpg's
for each statement. A `Query` is a Core statement compiled once, at import, for the
asyncpg dialect; running it sends the same SQL text every time (asyncpg prepares it once
per connection) inside the request's transaction. Lists travel as one array parameter
(`= ANY(:ids)`), so the text does not change with their length.
"""

from __future__ import annotations

import weakref
from typing import Any, cast

import asyncpg
from sqlalchemy import ARRAY, BigInteger, BindParameter, ClauseElement, Uuid, bindparam
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
_REQUIRED = object()
# The acting firm in compiled statements: `FirmRepository.run` etc. always supply it.
FIRM = bindparam("firm_id", type_=BigInteger)


def ids_param(name: str) -> BindParameter[Any]:
    """A list of ids sent as one bigint[] parameter: use with `column == any_(...)`."""
    return bindparam(name, type_=ARRAY(BigInteger))


def uuids_param(name: str) -> BindParameter[Any]:
    """A list of UUIDs sent as one uuid[] parameter."""
    return bindparam(name, type_=ARRAY(Uuid()))


# Connections of read requests (`db.transaction`). Not `conn.info`: that belongs to the
# pooled DBAPI connection and would outlive the request.
_AUTOCOMMIT: weakref.WeakSet[AsyncConnection] = weakref.WeakSet()


def autocommit(conn: AsyncConnection) -> None:
    """Run this connection's compiled statements without a transaction."""
    _AUTOCOMMIT.add(conn)


async def driver(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under `conn`, inside the request's transaction.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, before its first statement; a
    statement sent straight to asyncpg first would run outside the transaction, so it is
    started here the same way the adapter would (its one private hook; the atomicity tests
    of every write fail if this stops holding). Connections marked `autocommit` run
    without one."""
    adapted: Any = conn.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    if adapted._transaction is None and conn not in _AUTOCOMMIT:
        await adapted._start_transaction()
    driver_connection: asyncpg.Connection = adapted.driver_connection
    return driver_connection


class Query:
    """A Core statement compiled once. Named parameters without a value in the statement
    must be given at each run; a missing one is a programming error (KeyError)."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=_DIALECT))
        self.sql = str(compiled)
        slots: list[tuple[str, Any]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise TypeError(f"{bind.key}: send lists as one array (ids_param), not IN")
            constant = _REQUIRED if bind.required or bind.callable else bind.value
            slots.append((bind.key, constant))
        self._slots = slots

    def args(self, params: dict[str, Any]) -> list[Any]:
        return [params[key] if value is _REQUIRED else value for key, value in self._slots]

    async def all(self, conn: AsyncConnection, **params: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await (await driver(conn)).fetch(self.sql, *self.args(params))
        return rows

    async def first(self, conn: AsyncConnection, **params: Any) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await (await driver(conn)).fetchrow(
            self.sql, *self.args(params)
        )
        return row

    async def scalar(self, conn: AsyncConnection, **params: Any) -> Any:
        return await (await driver(conn)).fetchval(self.sql, *self.args(params))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with "/" as the escape character."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"
