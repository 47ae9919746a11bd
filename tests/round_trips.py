"""Counting the round trips a request makes to PostgreSQL, on the wire.

The application's statements reach asyncpg through `kit.sql` (`fetch`/`fetchrow`/
`fetchval` on the driver connection); BEGIN and COMMIT are simple queries, and test code
may still run statements through SQLAlchemy. These paths share no Python method (the
protocol underneath is compiled), but they all end in the one place a round trip is made:
the connection's transport, where asyncpg writes protocol messages. So the counter reads
the messages each pooled connection writes and counts what makes PostgreSQL answer and
asyncpg wait for it:

- a simple Query ("Q"): BEGIN, COMMIT, ROLLBACK;
- a Sync ("S") closing Bind/Execute: one statement run (with its Parse, when asyncpg sends
  them together, it is still one round trip);
- a Flush ("H") closing Parse/Describe: preparing a statement the connection had not
  prepared, one extra round trip, counted apart as a *prepare*.

Only the connections of the engine given (the app's request pool) are counted: the rate
limiter has an engine of its own, and leases from it only once in many requests.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

PREPARE, EXECUTE, QUERY = "prepare", "execute", "query"
_ENDS = {b"H": PREPARE, b"S": EXECUTE, b"Q": QUERY}


@dataclass(frozen=True)
class Trip:
    kind: str  # PREPARE, EXECUTE or QUERY
    sql: str
    # The bound parameters of an EXECUTE, as sent: (binary?, bytes or None for NULL).
    params: tuple[tuple[bool, bytes | None], ...] = field(default=(), compare=False)


@dataclass
class _Wire:
    """What one connection has written: a partial message, and its prepared statements."""

    pending: bytearray = field(default_factory=bytearray)
    batch: list[tuple[bytes, bytes]] = field(default_factory=list)
    statements: dict[str, str] = field(default_factory=dict)


def _cstrings(payload: bytes, count: int) -> list[str]:
    return [s.decode() for s in payload.split(b"\0", count)[:count]]


def _bound(payload: bytes) -> tuple[tuple[bool, bytes | None], ...]:
    """A Bind's parameter values: after portal and statement names, the format codes
    (none: all text; one: for all; else one each), then each value (int32 length, -1
    for NULL, and the bytes)."""
    at = payload.index(b"\0", payload.index(b"\0") + 1) + 1
    (formats,) = struct.unpack_from("!h", payload, at)
    codes = struct.unpack_from(f"!{formats}h", payload, at + 2)
    at += 2 + 2 * formats
    (count,) = struct.unpack_from("!h", payload, at)
    at += 2
    values: list[tuple[bool, bytes | None]] = []
    for n in range(count):
        (length,) = struct.unpack_from("!i", payload, at)
        at += 4
        binary = bool(codes[n] if formats > 1 else codes[0] if formats else 0)
        values.append((binary, None if length < 0 else payload[at : at + length]))
        at += max(length, 0)
    return tuple(values)


class RoundTrips:
    """Counts round trips on the engine's connections while `measure()` is open."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.trips: list[Trip] | None = None
        self.sent: set[str] = set()  # the SQL of every Parse and Query seen, measured or not
        self._hooked: dict[int, Any] = {}  # id(transport) -> transport

    def __enter__(self) -> RoundTrips:
        event.listen(self.engine.sync_engine, "checkout", self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine.sync_engine, "checkout", self._hook)
        for transport in self._hooked.values():
            del transport.write, transport.writelines  # back to the class's methods
        self._hooked.clear()

    @contextlib.contextmanager
    def measure(self) -> Iterator[list[Trip]]:
        trips: list[Trip] = []
        self.trips = trips
        try:
            yield trips
        finally:
            self.trips = None

    def _hook(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        """Pool checkout, before the request sends anything: read this connection's
        writes from now on (once per connection)."""
        transport = dbapi_connection.driver_connection._transport
        if id(transport) in self._hooked:
            return
        wire = _Wire()
        write, writelines = transport.write, transport.writelines

        def counted_write(data: Any) -> None:
            self._read(wire, bytes(data))
            write(data)

        def counted_writelines(buffers: list[Any]) -> None:
            for data in buffers:
                self._read(wire, bytes(data))
            writelines(buffers)

        transport.write, transport.writelines = counted_write, counted_writelines
        self._hooked[id(transport)] = transport

    def _read(self, wire: _Wire, data: bytes) -> None:
        """Split the written bytes into messages (type byte, int32 length including
        itself, payload); each message that ends a batch is one round trip."""
        wire.pending += data
        while len(wire.pending) >= 5:
            (length,) = struct.unpack_from("!i", wire.pending, 1)
            if len(wire.pending) < 1 + length:
                return
            kind, payload = bytes(wire.pending[:1]), bytes(wire.pending[5 : 1 + length])
            del wire.pending[: 1 + length]
            if kind == b"P":  # Parse: statement name, SQL
                name, sql = _cstrings(payload, 2)
                wire.statements[name] = sql
                self.sent.add(sql)
            elif kind == b"Q":  # simple Query: SQL
                self.sent.add(_cstrings(payload, 1)[0])
            wire.batch.append((kind, payload))
            if kind in _ENDS:
                self._end_batch(wire, _ENDS[kind])

    def _end_batch(self, wire: _Wire, kind: str) -> None:
        sql = ""
        params: tuple[tuple[bool, bytes | None], ...] = ()
        for message, payload in wire.batch:
            if message == b"B":
                params = _bound(payload)
            if message == b"Q":
                sql = _cstrings(payload, 1)[0]
            elif message == b"P":
                sql = _cstrings(payload, 2)[1]
            elif message == b"B" and not sql:  # Bind: portal, statement name
                name = _cstrings(payload, 2)[1]
                sql = wire.statements.get(name, f"(statement {name!r} prepared earlier)")
        wire.batch.clear()
        if self.trips is not None:
            self.trips.append(Trip(kind, sql, params))
