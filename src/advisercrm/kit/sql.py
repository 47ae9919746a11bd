"""Running SQL: every statement the application sends goes through here, to asyncpg
(but BEGIN, COMMIT and what travels with it: `kit.transactions`).

SQLAlchemy Core only builds and compiles statements (for the asyncpg dialect); asyncpg
runs them on the connection under the caller's `AsyncConnection`, inside the transaction
`db.connect` opened there (`kit.transactions`). SQLAlchemy's
execute path cost about 0.16 ms more than asyncpg's per statement and would
begin transactions of its own: nothing here goes through it.

To add a statement:
- Its shape is fixed (only values change): build it once, at import, as
  `Query(select(...).where(t.c.x == bindparam("x")))` and run it with
  `.all/.first/.scalar(conn, x=...)` (a repository's `fetch`, `fetch_row`,
  `fetch_value` add the firm). A list travels as one array parameter (`ids_param`,
  `column == any_(...)`), so the text never changes and asyncpg prepares it once.
- Its shape is built per call (optional filters, multi-row VALUES): pass the Core
  statement to `fetch`, `fetch_row`, `fetch_value` or `execute`; it is compiled at each
  call, values as parameters, `IN` lists expanded into that call's text.
Rows are asyncpg Records: `row["name"]`, `dict(row)`; json and jsonb arrive decoded.

Every SQL text is checked once, before it first runs, to hold each firm-owned table it
touches to the acting firm (`kit.tenancy`, with the schema's rules: `hold_to_firm`): a
statement without the firm's predicate raises `TenancyError` instead of running.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable
from typing import Any, cast

import asyncpg
import orjson
from sqlalchemy import ARRAY, BigInteger, BindParameter, ClauseElement, Uuid, bindparam
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from advisercrm.kit.tenancy import Rules, TenancyError, problems


def json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# The engine's dialect is configured the same way (db.create_engine): json values bound
# here are serialized as SQLAlchemy would have.
_DIALECT = asyncpg_dialect(json_serializer=json_dumps, json_deserializer=orjson.loads)  # type: ignore[no-untyped-call]
_REQUIRED = object()
# The acting firm in compiled statements: a repository's `fetch` etc. always supply it.
FIRM = bindparam("firm_id", type_=BigInteger)

Processor = Callable[[Any], Any] | None
_processors: weakref.WeakKeyDictionary[TypeEngine[Any], Processor] = weakref.WeakKeyDictionary()


def ids_param(name: str) -> BindParameter[Any]:
    """A list of ids sent as one bigint[] parameter: use with `column == any_(...)`."""
    return bindparam(name, type_=ARRAY(BigInteger))


def uuids_param(name: str) -> BindParameter[Any]:
    """A list of UUIDs sent as one uuid[] parameter."""
    return bindparam(name, type_=ARRAY(Uuid()))


# How many more statements a connection may send (`limit_statements`), in its info.
_LEFT = "advisercrm.statements_left"


def limit_statements(conn: AsyncConnection, count: int | None) -> None:
    """Allow the connection `count` more statements (None: no limit). A read declared as
    one statement runs outside a transaction, which is only sound if it sends no
    second one: a second raises instead of reading another snapshot."""
    if count is None:
        conn.info.pop(_LEFT, None)
    else:
        conn.info[_LEFT] = count


# Tables whose committed writes the process must hear of at once (`watch_writes`), and
# the mark a connection carries once it sent a statement that writes one.
_watchers: list[tuple[frozenset[str], Callable[[], None]]] = []
_WROTE = "advisercrm.wrote_watched"
_WRITES = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+\"?(\w+)", re.I)


def watch_writes(tables: frozenset[str], callback: Callable[[], None]) -> None:
    """Call `callback` in this process when a transaction (or a statement outside one)
    that wrote one of `tables` has committed (`db.connect`): before any later request of
    the process can read what it changed."""
    _watchers.append((tables, callback))
    _watched.cache_clear()


@functools.lru_cache(maxsize=4096)
def _watched(sql: str) -> tuple[Callable[[], None], ...]:
    """The callbacks of the watched tables this SQL text writes."""
    written = {name.lower() for name in _WRITES.findall(sql)}
    return tuple(callback for tables, callback in _watchers if tables & written)


def committed(conn: AsyncConnection) -> None:
    """Tell the watchers of the tables the connection wrote since the last call."""
    for callback in conn.info.pop(_WROTE, ()):
        callback()


def forget_writes(conn: AsyncConnection) -> None:
    """A rolled-back transaction's writes: nothing to tell."""
    conn.info.pop(_WROTE, None)


def _sender(conn: AsyncConnection, sql: str) -> asyncpg.Connection:
    """The asyncpg connection to send one statement on, within the connection's limit."""
    info = conn.info
    watchers = _watched(sql)
    if watchers:
        info.setdefault(_WROTE, set()).update(watchers)
    left = info.get(_LEFT)
    if left is not None:
        if left <= 0:
            raise RuntimeError("a read declared as one statement sent another")
        info[_LEFT] = left - 1
    return driver(conn)


def driver(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under `conn` (SQLAlchemy's public accessors, no I/O)."""
    if conn.sync_connection is None:
        raise RuntimeError("the connection is not started")
    raw = conn.sync_connection.connection.driver_connection
    assert isinstance(raw, asyncpg.Connection)
    return raw


def _processor(type_: TypeEngine[Any]) -> Processor:
    """What SQLAlchemy does to a value of this type before sending it (json: serialize),
    or None; cached per type object."""
    try:
        return _processors[type_]
    except KeyError:
        found = _processors[type_] = type_.dialect_impl(_DIALECT).bind_processor(_DIALECT)
        return found


_rules: list[Rules] = []


def hold_to_firm(rules: Rules) -> None:
    """Check every statement against these rules from now on (the schema declares them)."""
    _rules[:] = [rules]
    checked.cache_clear()


@functools.lru_cache(maxsize=4096)
def checked(sql: str) -> str:
    """The SQL text, if it holds every firm-owned table it touches to the acting firm."""
    for rules in _rules:
        found = problems(sql, rules)
        if found:
            raise TenancyError(f"{'; '.join(found)}, in: {sql}")
    return sql


def _compile(statement: ClauseElement) -> SQLCompiler:
    return cast(SQLCompiler, statement.compile(dialect=_DIALECT))


class Query:
    """A Core statement compiled once. Named parameters without a value in the statement
    must be given at each run; a missing one is a programming error (KeyError)."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = _compile(statement)
        self.sql = checked(str(compiled))
        slots: list[tuple[str, Any, Processor]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise TypeError(f"{bind.key}: send lists as one array (ids_param), not IN")
            process = _processor(bind.type)
            if bind.required or bind.callable:
                slots.append((bind.key, _REQUIRED, process))
            else:
                slots.append((bind.key, process(bind.value) if process else bind.value, None))
        self._slots = slots
        # The parameter each placeholder takes ($1 first), None where the statement
        # holds the value: what a tenancy check needs to know which ones carry the firm.
        self.keys = [key if value is _REQUIRED else None for key, value, _ in slots]

    def args(self, params: dict[str, Any]) -> list[Any]:
        values = []
        for key, value, process in self._slots:
            if value is _REQUIRED:
                value = params[key] if process is None else process(params[key])
            values.append(value)
        return values

    async def all(self, conn: AsyncConnection, **params: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await _sender(conn, self.sql).fetch(
            self.sql, *self.args(params)
        )
        return rows

    async def first(self, conn: AsyncConnection, **params: Any) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await _sender(conn, self.sql).fetchrow(
            self.sql, *self.args(params)
        )
        return row

    async def scalar(self, conn: AsyncConnection, **params: Any) -> Any:
        return await _sender(conn, self.sql).fetchval(self.sql, *self.args(params))


def compiled(statement: ClauseElement) -> tuple[str, list[Any]]:
    """A statement built for one call: its SQL text and its arguments, `IN` lists
    expanded into one placeholder per value."""
    result = _compile(statement)
    state = result.construct_expanded_state()
    binds = dict(result.binds)
    for name, expanded in state.parameter_expansion.items():
        binds.update(dict.fromkeys(expanded, result.binds[name]))
    args = []
    for name, value in zip(state.positiontup or (), state.positional_parameters, strict=True):
        process = _processor(binds[name].type)
        args.append(value if process is None else process(value))
    return checked(state.statement), args


async def fetch(conn: AsyncConnection, statement: ClauseElement) -> list[asyncpg.Record]:
    sql, args = compiled(statement)
    rows: list[asyncpg.Record] = await _sender(conn, sql).fetch(sql, *args)
    return rows


async def fetch_row(conn: AsyncConnection, statement: ClauseElement) -> asyncpg.Record | None:
    sql, args = compiled(statement)
    row: asyncpg.Record | None = await _sender(conn, sql).fetchrow(sql, *args)
    return row


async def fetch_value(conn: AsyncConnection, statement: ClauseElement) -> Any:
    sql, args = compiled(statement)
    return await _sender(conn, sql).fetchval(sql, *args)


async def execute(conn: AsyncConnection, statement: ClauseElement) -> None:
    """Run a statement for its effect. (Through `fetch`: asyncpg's `execute` with
    arguments runs the same protocol; without, it would switch to the simple one.)"""
    sql, args = compiled(statement)
    await _sender(conn, sql).fetch(sql, *args)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with "/" as the escape character."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"
