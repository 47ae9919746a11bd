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

The statements are sent on asyncpg's connection directly, not through its
`Connection.transaction()`: that object would not know of a COMMIT sent with other
work, and would take its next transaction for a nested one.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit.sql import driver

Isolation = Literal["repeatable_read", "read_committed"]
_BEGIN = {
    "read_committed": "BEGIN ISOLATION LEVEL READ COMMITTED",
    "repeatable_read": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
}
# The calls queued for the COMMIT of the connection's transaction, in its info; absent
# outside a transaction begun here.
_AT_COMMIT = "advisercrm.at_commit"
_NAME = re.compile(r"\A[a-z_]+\Z")


def literal(text: str) -> str:
    """A string as an SQL literal."""
    return "'" + text.replace("'", "''") + "'"


async def begin(conn: AsyncConnection, isolation: Isolation) -> None:
    """READ COMMITTED for a write; REPEATABLE READ, read-only, for a snapshot."""
    await driver(conn).execute(_BEGIN[isolation])
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
    """Call a database function in the message that commits the connection's
    transaction; outside one begun here, now."""
    assert _NAME.match(function), function
    values = (str(int(a)) if isinstance(a, int) else literal(a) for a in args)
    call = f"{function}({', '.join(values)})"
    queued: list[str] | None = conn.info.get(_AT_COMMIT)
    if queued is None:
        await driver(conn).execute(f"SELECT {call}")
    else:
        queued.append(call)


@contextlib.asynccontextmanager
async def savepoint(conn: AsyncConnection) -> AsyncIterator[None]:
    """A savepoint in the connection's transaction: what the block did (the calls it
    queued for COMMIT included) is rolled back if it raises."""
    queued: list[str] = conn.info.get(_AT_COMMIT, [])
    mark = len(queued)
    await driver(conn).execute("SAVEPOINT advisercrm")
    try:
        yield
    except BaseException:
        await driver(conn).execute("ROLLBACK TO SAVEPOINT advisercrm")
        del queued[mark:]
        raise
    await driver(conn).execute("RELEASE SAVEPOINT advisercrm")
