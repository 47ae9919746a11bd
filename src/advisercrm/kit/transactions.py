"""Transactions on a connection: BEGIN, savepoints, and a COMMIT that carries the
transaction's last work in its own message.

A write records its events last, and sending them in a statement of their own cost a
round trip before COMMIT's. `call_at_commit` queues a database function's call instead,
and `commit` sends the calls and COMMIT as one simple query: PostgreSQL runs them one
after the other, with no round trip between. A savepoint rolled back drops the calls
queued inside it, with the rest of its work.

The calls travel as SQL text, so their arguments are literals (`literal`): a string's
quotes doubled, which with `standard_conforming_strings` (on since PostgreSQL 9.1, and
pinned per connection by `db.create_engine`) is the only character a literal escapes.
Being text, they are also what PostgreSQL writes to its log when the message fails (a
bound parameter's value it leaves out), and what `pg_stat_activity` shows meanwhile:
the events' data is the firm's records, so the database's log holds them then.

These statements bypass `kit.sql` (its firm check, statement limit and write watchers):
they name no table. They are sent on asyncpg's connection directly, not through its
`Connection.transaction()`: that object would not know of a COMMIT sent with other
work, and would take its next transaction for a nested one.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit.sql import driver

# The calls queued for the COMMIT of the connection's transaction, in its info; absent
# outside a transaction begun here.
_AT_COMMIT = "advisercrm.at_commit"
_NAME = re.compile(r"\A[a-z_]+\Z")


def literal(text: str) -> str:
    """A string as an SQL literal."""
    assert "\0" not in text  # PostgreSQL's text cannot hold it; orjson escapes it
    return "'" + text.replace("'", "''") + "'"


async def begin(conn: AsyncConnection, snapshot: bool = False) -> None:
    """A write's transaction (READ COMMITTED, whatever the database's default), or a
    snapshot: read-only, its statements all seeing the first one's (REPEATABLE READ)."""
    level = "REPEATABLE READ READ ONLY" if snapshot else "READ COMMITTED"
    await driver(conn).execute(f"BEGIN ISOLATION LEVEL {level}")
    conn.info[_AT_COMMIT] = []


async def commit(conn: AsyncConnection) -> None:
    """COMMIT, with the calls queued for it in the same message."""
    calls: list[str] = conn.info.pop(_AT_COMMIT, [])
    await driver(conn).execute("; ".join([*(f"SELECT {c}" for c in calls), "COMMIT"]))


async def rollback(conn: AsyncConnection) -> None:
    """ROLLBACK, unless the transaction already ended (a COMMIT that failed)."""
    conn.info.pop(_AT_COMMIT, None)
    if driver(conn).is_in_transaction():
        await driver(conn).execute("ROLLBACK")


async def call_at_commit(conn: AsyncConnection, function: str, *args: int | str) -> None:
    """Call a database function in the message that commits the transaction `begin`
    opened on the connection."""
    assert _NAME.match(function), function
    values = (str(int(a)) if isinstance(a, int) else literal(a) for a in args)
    conn.info[_AT_COMMIT].append(f"{function}({', '.join(values)})")


@contextlib.asynccontextmanager
async def snapshot(conn: AsyncConnection) -> AsyncIterator[None]:
    """A read-only transaction around the block: its statements all see the first one's
    snapshot. For a route that runs statements of its own before (`db.own_transactions`).
    A block that raises leaves it open: `db.connect` then drops the connection, with no
    ROLLBACK to wait for on a server that may have hung."""
    await begin(conn, snapshot=True)
    yield
    await rollback(conn)  # read only: nothing to keep


@contextlib.asynccontextmanager
async def savepoint(conn: AsyncConnection) -> AsyncIterator[None]:
    """A savepoint in the connection's transaction: what the block did (the calls it
    queued for COMMIT included) is rolled back if it raises."""
    queued: list[str] = conn.info[_AT_COMMIT]
    mark = len(queued)
    await driver(conn).execute("SAVEPOINT advisercrm")
    try:
        yield
    except BaseException:
        # Released too, so that an enclosing savepoint of the same name, rolled back
        # later, goes back to its own start and not to this one's.
        await driver(conn).execute("ROLLBACK TO SAVEPOINT advisercrm; RELEASE SAVEPOINT advisercrm")
        del queued[mark:]
        raise
    await driver(conn).execute("RELEASE SAVEPOINT advisercrm")
